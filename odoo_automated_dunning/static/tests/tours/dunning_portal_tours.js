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

// The payments page in the customer's language: the words, the dates and the amounts of the
// test's invoice of 1,234.56 due on 4 December 2025, and the breadcrumb naming the page.
function paymentsPageIn({ title, dueDate, amount, request }) {
    return [
        {
            content: "The breadcrumb names the payments page, and only it",
            trigger: `.o_portal_submenu:not(:has(li:nth-child(3))) .dunning_breadcrumb.active:contains('${title}')`,
        },
        {
            content: "The page's title is in the customer's language",
            trigger: `.o_dunning_portal h3:contains('${title}')`,
        },
        {
            content: "The due date is written as the customer's language writes dates",
            trigger: `.o_dunning_portal tbody td:contains('${dueDate}')`,
        },
        {
            content: "The amount is written as the customer's language writes amounts",
            trigger: `.o_dunning_portal tbody td:contains('${amount}')`,
        },
        {
            content: "Ask for a payment plan",
            trigger: ".o_dunning_portal .dunning_request_plan",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The request page is named in the breadcrumb, after the payments page",
            trigger: `.o_portal_submenu .dunning_breadcrumb.active:contains('${request}')`,
        },
        {
            content: "The request page is in the customer's language too",
            trigger: `h3:contains('${request}')`,
        },
        {
            content: "Back to the payments page by the breadcrumb",
            trigger: ".o_portal_submenu .dunning_breadcrumb a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Still in the customer's language",
            trigger: `.o_dunning_portal h3:contains('${title}')`,
        },
    ];
}

registry.category("web_tour.tours").add("dunning_portal_lang_fr", {
    steps: () => [
        ...paymentsPageIn({
            title: "Paiements dus",
            dueDate: "04/12/2025",
            amount: "234,56",
            request: "Demander un échéancier de paiement",
        }),
        {
            content: "Open the invoice due on 4 December",
            trigger: ".o_dunning_portal tbody tr:has(td:contains('04/12/2025')) td a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Odoo's own invoice page opens in French",
            trigger: ".o_portal_submenu:contains('Factures clients')",
        },
    ],
});

registry.category("web_tour.tours").add("dunning_portal_lang_de", {
    steps: () => [
        ...paymentsPageIn({
            title: "Fällige Zahlungen",
            dueDate: "04.12.2025",
            amount: "1.234,56",
            request: "Ratenzahlungsplan beantragen",
        }),
        {
            content: "Open the invoice due on 4 December",
            trigger: ".o_dunning_portal tbody tr:has(td:contains('04.12.2025')) td a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Odoo's own invoice page opens in German",
            trigger: ".o_portal_submenu:contains('Ausgangsrechnungen')",
        },
    ],
});

registry.category("web_tour.tours").add("dunning_portal_home_fr", {
    steps: () => [
        {
            content: "The portal home's tile counts the invoices due, in French",
            trigger: ".o_portal_index_card:not(.d-none):has(span:contains('Paiements dus')) [data-placeholder_count='dunning_due_count']:contains('3')",
        },
        {
            content: "The tile opens the payments page",
            trigger: ".o_portal_index_card a[href='/my/dunning']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The payments page, in French",
            trigger: ".o_dunning_portal h3:contains('Paiements dus')",
        },
    ],
});
