import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("dunning_kpi_dashboard", {
    steps: () => [
        {
            content: "The breadcrumb names the dashboard",
            trigger: ".o_breadcrumb .active:contains('Dunning KPIs')",
        },
        {
            content: "No record buttons: nothing to save or discard",
            trigger: ".o_dunning_kpi_dashboard:not(:has(.o_form_button_save, .o_form_status_indicator))",
        },
        {
            content: "Each figure shows its formula",
            trigger: ".o_dunning_kpi_card[data-name='dso']:contains('credit sales')",
        },
        {
            content: "Choose a shorter period",
            trigger: "select.o_dunning_kpi_period",
            run: "select 30",
        },
        {
            content: "The server answered for that period",
            trigger: ".o_dunning_kpi_body[data-period='30'] .o_dunning_kpi_card",
        },
        {
            content: "The recovery table is there",
            trigger: "table.o_dunning_kpi_levels",
        },
    ],
});
