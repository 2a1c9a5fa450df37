from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL


class DunningKpiDashboard(models.AbstractModel):
    """Receivable KPIs of the current company over a period ending on a date.

    The dashboard is a client action (static/src/kpi_dashboard) that asks `get_kpis` for the
    figures. Nothing is stored: the fields below only define each figure's label and formula,
    translated like any field's, and the dashboard shows them as they are.
    """

    _name = "dunning.kpi.dashboard"
    _description = "Dunning KPIs"

    currency_id = fields.Many2one("res.currency")
    date_to = fields.Date(string="As of")
    period_days = fields.Integer(string="Period (days)")
    receivables = fields.Monetary(help="Receivable balance at the end of the period.")
    credit_sales = fields.Monetary(help="Customer invoices (tax included) dated in the period.")
    dso = fields.Float(
        string="DSO (days)",
        help="Days sales outstanding = receivables at the end / credit sales of the period x days "
        "in the period.",
    )
    cei = fields.Float(
        string="CEI (%)",
        help="Collection effectiveness index = (receivables at the start + credit sales - "
        "receivables at the end) / (receivables at the start + credit sales - current "
        "(not yet due) receivables at the end) x 100. Current receivables are today's open "
        "amounts not due at the end of the period.",
    )
    overdue_share = fields.Float(
        string="Overdue Share (%)",
        help="Open overdue amount / open receivables x 100; open amounts are today's, aged at "
        "the end of the period (exact when the period ends today).",
    )
    average_days_late = fields.Float(
        help="Days past due of today's open overdue amounts at the end of the period, weighted by "
        "amount: sum(amount x days late) / sum(amount).",
    )
    level_line_ids = fields.One2many(
        "dunning.kpi.dashboard.level", "dashboard_id", string="Recovery by Level"
    )

    # Figures in display order, with how the dashboard formats them.
    _FIGURES = (
        ("receivables", "monetary"),
        ("credit_sales", "monetary"),
        ("dso", "float"),
        ("cei", "percent"),
        ("overdue_share", "percent"),
        ("average_days_late", "float"),
    )

    @api.model
    def get_kpis(self, date_to=None, period_days=90):
        """The dashboard's figures, labels and formulas for the current company."""
        if not self.env.user.has_group("odoo_automated_dunning.group_dunning_user"):
            raise AccessError(self.env._("Only Dunning users can see the dunning KPIs."))
        period_days = max(1, min(int(period_days or 90), 3660))
        end = fields.Date.to_date(date_to) if date_to else self.env.company._dunning_today()
        start = end - timedelta(days=period_days - 1)
        company = self.env.company
        values = self._compute_figures(company.id, start, end, period_days)
        level_fields = self.env["dunning.kpi.dashboard.level"]._fields
        return {
            "company": company.name,
            "currency_id": company.currency_id.id,
            "date_from": fields.Date.to_string(start),
            "date_to": fields.Date.to_string(end),
            "period_days": period_days,
            "labels": {
                name: self._fields[name]._description_string(self.env)
                for name in ("date_to", "period_days", "level_line_ids")
            },
            "figures": [
                {
                    "name": name,
                    "kind": kind,
                    "value": values[name],
                    "label": self._fields[name]._description_string(self.env),
                    "formula": self._fields[name]._description_help(self.env),
                }
                for name, kind in self._FIGURES
            ],
            "level_columns": {
                name: level_fields[name]._description_string(self.env)
                for name in ("level_id", "reminder_count", "amount_due", "paid_30", "recovery_rate")
            },
            "levels": self._recovery_by_level(company.id, start, end),
        }

    def _compute_figures(self, company, start, end, period_days):
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
        return {
            "receivables": closing,
            "credit_sales": sales,
            "dso": round(closing / sales * period_days, 2) if sales else 0.0,
            "cei": round((opening + sales - closing) / collectable * 100, 2)
            if collectable
            else 0.0,
            "overdue_share": round(overdue_total / open_total * 100, 2) if open_total else 0.0,
            "average_days_late": (
                round(sum(amount * days for amount, days in overdue) / overdue_total, 2)
                if overdue_total
                else 0.0
            ),
        }

    def _recovery_by_level(self, company, start, end):
        groups = self.env["dunning.effectiveness.report"]._read_group(
            # Payment plan messages have no level: they are not part of this table.
            [
                ("company_id", "=", company),
                ("date", ">=", start),
                ("date", "<=", end),
                ("level_id", "!=", False),
            ],
            ["level_id"],
            ["__count", "amount_due:sum", "paid_30:sum"],
        )
        return [
            {
                "level_id": level.id,
                "level": level.display_name,
                "reminder_count": count,
                "amount_due": due,
                "paid_30": paid,
                "recovery_rate": round(paid / due * 100, 2) if due else 0.0,
            }
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


class DunningKpiDashboardLevel(models.AbstractModel):
    """The columns of the dashboard's recovery table (labels only, like the dashboard's)."""

    _name = "dunning.kpi.dashboard.level"
    _description = "Dunning KPIs: Recovery by Level"

    dashboard_id = fields.Many2one("dunning.kpi.dashboard")
    currency_id = fields.Many2one("res.currency")
    level_id = fields.Many2one("dunning.level")
    reminder_count = fields.Integer(string="Reminders")
    amount_due = fields.Monetary(string="Amount Asked")
    paid_30 = fields.Monetary(string="Paid within 30 Days")
    recovery_rate = fields.Float(
        string="Recovery (%)",
        help="Paid within 30 days / amount asked x 100, for reminders sent in the period.",
    )
