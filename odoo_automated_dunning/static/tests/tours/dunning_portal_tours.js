import { registry } from "@web/core/registry";

// The demo provider's form, as Odoo's payment form shows it.
const payWithDemo = [
    {
        content: "Choose the demo payment method",
        trigger: "input[name='o_payment_radio'][data-provider-code='demo']",
        run: "click",
    },
    {
        content: "Fill in the demo card",
        trigger: "#customer_input:not(:disabled)",
        run: "edit 4111111111111111",
    },
    {
        content: "Pay",
        trigger: "button[name='o_payment_submit_button']:enabled",
        run: "click",
        expectUnloadPage: true,
    },
];

registry.category("web_tour.tours").add("dunning_portal_pay", {
    url: "/my/dunning",
    steps: () => [
        {
            content: "Tick the oldest overdue invoice",
            trigger: ".o_dunning_portal tbody tr:first-child input[name='invoice_ids']",
            run: "click",
        },
        {
            content: "Pay the selection",
            trigger: ".o_dunning_portal .dunning_pay_selected",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The payment page asks for the selected invoice's amount",
            trigger: "h3:contains('Pay')",
        },
        ...payWithDemo,
        {
            content: "Back on the payments page, with one invoice left",
            trigger: ".o_dunning_portal tbody:not(:has(tr:nth-child(2))) tr:only-child",
            timeout: 20000,
        },
    ],
});

registry.category("web_tour.tours").add("dunning_portal_accept_plan", {
    steps: () => [
        {
            content: "Type the accepting person's name",
            trigger: "#dunning_accept_name",
            run: "edit Jane Buyer",
        },
        {
            content: "Consent to the schedule",
            trigger: "#dunning_accept_consent",
            run: "click",
        },
        {
            content: "Accept",
            trigger: ".dunning_accept_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The plan is active and can be paid",
            trigger: ".dunning_portal_message:contains('active')",
        },
        {
            content: "The next installment can be paid",
            trigger: ".dunning_pay_installment",
        },
    ],
});

registry.category("web_tour.tours").add("dunning_portal_dispute", {
    url: "/my/dunning",
    steps: () => [
        {
            content: "Open the dispute form of the first invoice",
            trigger: ".o_dunning_portal tbody tr:first-child .dunning_dispute_link",
            run: "click",
        },
        {
            content: "Choose the reason",
            trigger: ".dunning_dispute_form.show select[name='reason']",
            run: "select wrong_amount",
        },
        {
            content: "Explain",
            trigger: ".dunning_dispute_form.show textarea[name='message']",
            run: "edit We were charged twice for March.",
        },
        {
            content: "Send the dispute",
            trigger: ".dunning_dispute_form.show button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The invoice shows as under review",
            trigger: ".o_dunning_portal .badge:contains('Disputed')",
        },
    ],
});
