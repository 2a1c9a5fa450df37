from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL


class DunningKpiDashboard(models.TransientModel):
    """Receivable KPIs of the company over a period ending on a date, each with its formula."""

    _name = "dunning.kpi.dashboard"
    _description = "Dunning KPIs"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_to = fields.Date(string="As of", required=True, default=fields.Date.context_today)
    period_days = fields.Integer(string="Period (days)", required=True, default=90)
    receivables = fields.Monetary(
        compute="_compute_kpis", help="Receivable balance at the end of the period."
    )
    credit_sales = fields.Monetary(
        compute="_compute_kpis", help="Customer invoices (tax included) dated in the period."
    )
    dso = fields.Float(
        string="DSO (days)",
        compute="_compute_kpis",
        help="Days sales outstanding = receivables at the end / credit sales of the period x days "
        "in the period.",
    )
    cei = fields.Float(
        string="CEI (%)",
        compute="_compute_kpis",
        help="Collection effectiveness index = (receivables at the start + credit sales - "
        "receivables at the end) / (receivables at the start + credit sales - current "
        "(not yet due) receivables at the end) x 100. Current receivables are today's open "
        "amounts not due at the end of the period.",
    )
    overdue_share = fields.Float(
        string="Overdue Share (%)",
        compute="_compute_kpis",
        help="Open overdue amount / open receivables x 100; open amounts are today's, aged at "
        "the end of the period (exact when the period ends today).",
    )
    average_days_late = fields.Float(
        compute="_compute_kpis",
        help="Days past due of today's open overdue amounts at the end of the period, weighted by "
        "amount: sum(amount x days late) / sum(amount).",
    )
    level_line_ids = fields.One2many(
        "dunning.kpi.dashboard.level",
        "dashboard_id",
        compute="_compute_kpis",
        string="Recovery by Level",
    )

    @api.depends("company_id", "date_to", "period_days")
    def _compute_kpis(self):
        for dashboard in self:
            end = dashboard.date_to
            start = end - timedelta(days=dashboard.period_days - 1)
            company = dashboard.company_id.id
            opening = self._receivables(company, start - timedelta(days=1))
            closing = self._receivables(company, end)
            sales = self._sum(
                """
                SELECT COALESCE(SUM(aml.balance), 0) FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN account_move am ON am.id = aml.move_id
                 WHERE aml.company_id = %(company)s AND aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable' AND am.move_type = 'out_invoice'
                   AND aml.date BETWEEN %(start)s AND %(end)s
                """,
                company=company,
                start=start,
                end=end,
            )
            open_rows = self._open(company, end)
            current = sum(amount for amount, days in open_rows if days <= 0)
            overdue = [(amount, days) for amount, days in open_rows if days > 0]
            overdue_total = sum(amount for amount, _days in overdue)
            open_total = sum(amount for amount, _days in open_rows)
            collectable = opening + sales - current
            dashboard.receivables = closing
            dashboard.credit_sales = sales
            dashboard.dso = round(closing / sales * dashboard.period_days, 2) if sales else 0.0
            dashboard.cei = (
                round((opening + sales - closing) / collectable * 100, 2) if collectable else 0.0
            )
            dashboard.overdue_share = (
                round(overdue_total / open_total * 100, 2) if open_total else 0.0
            )
            dashboard.average_days_late = (
                round(sum(amount * days for amount, days in overdue) / overdue_total, 2)
                if overdue_total
                else 0.0
            )
            groups = self.env["dunning.effectiveness.report"]._read_group(
                [("company_id", "=", company), ("date", ">=", start), ("date", "<=", end)],
                ["level_id"],
                ["__count", "amount_due:sum", "paid_30:sum"],
            )
            dashboard.level_line_ids = [
                fields.Command.create(
                    {
                        "level_id": level.id,
                        "reminder_count": count,
                        "amount_due": due,
                        "paid_30": paid,
                        "recovery_rate": round(paid / due * 100, 2) if due else 0.0,
                    }
                )
                for level, count, due, paid in groups
            ]

    def _sum(self, query, **params):
        self.env.flush_all()
        self.env.cr.execute(SQL(query, **params))
        return self.env.cr.fetchone()[0] or 0.0

    def _receivables(self, company, day):
        return self._sum(
            """
            SELECT COALESCE(SUM(aml.balance), 0) FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
             WHERE aml.company_id = %(company)s AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable' AND aml.date <= %(day)s
            """,
            company=company,
            day=day,
        )

    def _open(self, company, day):
        """[(open amount, days past due)] of the open customer items today."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT aml.amount_residual, %(day)s - aml.date_maturity
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                 WHERE aml.company_id = %(company)s AND aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable' AND NOT aml.reconciled
                   AND aml.amount_residual > 0
                """,
                company=company,
                day=day,
            )
        )
        return self.env.cr.fetchall()


class DunningKpiDashboardLevel(models.TransientModel):
    _name = "dunning.kpi.dashboard.level"
    _description = "Dunning KPIs: Recovery by Level"

    dashboard_id = fields.Many2one("dunning.kpi.dashboard", required=True, ondelete="cascade")
    currency_id = fields.Many2one(related="dashboard_id.currency_id")
    level_id = fields.Many2one("dunning.level")
    reminder_count = fields.Integer(string="Reminders")
    amount_due = fields.Monetary(string="Amount Asked")
    paid_30 = fields.Monetary(string="Paid within 30 Days")
    recovery_rate = fields.Float(
        string="Recovery (%)",
        help="Paid within 30 days / amount asked x 100, for reminders sent in the period.",
    )
