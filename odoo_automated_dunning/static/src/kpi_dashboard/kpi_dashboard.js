import { Component, onWillStart, useState } from "@odoo/owl";
import { DateTimeInput } from "@web/core/datetime/datetime_input";
import { deserializeDate, serializeDate, today } from "@web/core/l10n/dates";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { formatFloat, formatMonetary, formatPercentage } from "@web/views/fields/formatters";
import { Layout } from "@web/search/layout";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const PERIODS = [30, 60, 90, 180, 365];
// Figures that open the delinquency analysis: where the amounts behind them are.
const DRILL_DOWN = new Set(["receivables", "overdue_share", "average_days_late"]);

/**
 * The dunning KPIs of the current company: figures with their formulas and the recovery per
 * level, for a period ending on a date. The server computes everything (get_kpis).
 */
export class DunningKpiDashboard extends Component {
    static template = "odoo_automated_dunning.KpiDashboard";
    static components = { Layout, DateTimeInput };
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.actionService = useService("action");
        this.periods = PERIODS;
        this.state = useState({ dateTo: today(), periodDays: 90, data: null });
        onWillStart(() => this.load());
    }

    async load() {
        this.state.data = await this.orm.call("dunning.kpi.dashboard", "get_kpis", [], {
            date_to: serializeDate(this.state.dateTo),
            period_days: this.state.periodDays,
        });
    }

    get periodChoices() {
        const days = this.state.periodDays;
        return PERIODS.includes(days) ? PERIODS : [...PERIODS, days].sort((a, b) => a - b);
    }

    get dateFrom() {
        return deserializeDate(this.state.data.date_from).toLocaleString();
    }

    async onDateChange(value) {
        if (value) {
            this.state.dateTo = value;
            await this.load();
        }
    }

    async onPeriodChange(ev) {
        this.state.periodDays = parseInt(ev.target.value);
        await this.load();
    }

    format(figure) {
        const currencyId = this.state.data.currency_id;
        switch (figure.kind) {
            case "monetary":
                return formatMonetary(figure.value, { currencyId });
            case "percent":
                return formatPercentage(figure.value / 100, { digits: [0, 1] });
            default:
                return formatFloat(figure.value, { digits: [0, 1] });
        }
    }

    formatAmount(value) {
        return formatMonetary(value, { currencyId: this.state.data.currency_id });
    }

    formatRate(value) {
        return formatPercentage(value / 100, { digits: [0, 1] });
    }

    canOpen(figure) {
        return DRILL_DOWN.has(figure.name);
    }

    openFigure(figure) {
        if (this.canOpen(figure)) {
            this.actionService.doAction("odoo_automated_dunning.dunning_delinquency_report_action");
        }
    }

    openLevel(row) {
        const { date_from, date_to } = this.state.data;
        this.actionService.doAction({
            type: "ir.actions.act_window",
            name: row.level,
            res_model: "dunning.effectiveness.report",
            views: [
                [false, "pivot"],
                [false, "graph"],
                [false, "list"],
            ],
            domain: [
                ["level_id", "=", row.level_id],
                ["date", ">=", date_from],
                ["date", "<=", date_to],
            ],
            context: { pivot_row_groupby: ["channel"] },
        });
    }
}

registry.category("actions").add("odoo_automated_dunning.kpi_dashboard", DunningKpiDashboard);
