from odoo import fields, models
from odoo.tools import SQL

BUCKETS = [
    ("1_30", "1-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("over_90", "Over 90 days"),
]


class DunningDelinquencyReport(models.Model):
    """Open overdue invoices by ageing bucket, level, customer, salesperson and policy.

    One row per overdue invoice, computed by one query over the open receivable items (no
    table to keep in sync); amounts are residuals in company currency, as of today.
    """

    _name = "dunning.delinquency.report"
    _description = "Delinquency Analysis"
    _auto = False
    _order = "days_overdue desc"
    _rec_name = "move_id"
    # What the query reads: flushed before the report is searched.
    _depends = {
        "account.move": [
            "move_type",
            "commercial_partner_id",
            "invoice_user_id",
            "company_id",
            "dunning_level_id",
            "dunning_dispute",
        ],
        "account.move.line": [
            "move_id",
            "account_id",
            "parent_state",
            "reconciled",
            "amount_residual",
            "date_maturity",
        ],
        "account.account": ["account_type"],
        "dunning.level": ["policy_id"],
    }

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    level_id = fields.Many2one("dunning.level", string="Dunning Level", readonly=True)
    policy_id = fields.Many2one("dunning.policy", readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    days_overdue = fields.Integer(readonly=True, aggregator="max")
    bucket = fields.Selection(BUCKETS, string="Overdue", readonly=True)
    amount_residual = fields.Monetary(string="Overdue Amount", readonly=True, aggregator="sum")
    disputed = fields.Boolean(readonly=True)

    @property
    def _table_query(self):
        today = self.env.company._dunning_today()
        return SQL(
            """
            SELECT am.id AS id,
                   am.id AS move_id,
                   am.commercial_partner_id AS partner_id,
                   am.invoice_user_id AS user_id,
                   am.company_id AS company_id,
                   company.currency_id AS currency_id,
                   am.dunning_level_id AS level_id,
                   level.policy_id AS policy_id,
                   am.dunning_dispute AS disputed,
                   open.date_due AS date_due,
                   %(today)s - open.date_due AS days_overdue,
                   CASE WHEN %(today)s - open.date_due <= 30 THEN '1_30'
                        WHEN %(today)s - open.date_due <= 60 THEN '31_60'
                        WHEN %(today)s - open.date_due <= 90 THEN '61_90'
                        ELSE 'over_90' END AS bucket,
                   open.amount_residual AS amount_residual
              FROM (
                    SELECT aml.move_id,
                           MIN(aml.date_maturity) AS date_due,
                           SUM(aml.amount_residual) AS amount_residual
                      FROM account_move_line aml
                      JOIN account_account account ON account.id = aml.account_id
                     WHERE aml.parent_state = 'posted'
                       AND account.account_type = 'asset_receivable'
                       AND NOT aml.reconciled
                       AND aml.amount_residual > 0
                  GROUP BY aml.move_id
                   ) open
              JOIN account_move am ON am.id = open.move_id
              JOIN res_company company ON company.id = am.company_id
         LEFT JOIN dunning_level level ON level.id = am.dunning_level_id
             WHERE am.move_type = 'out_invoice'
               AND open.date_due < %(today)s
            """,
            today=today,
        )
