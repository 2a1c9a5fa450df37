from odoo import fields, models
from odoo.tools import SQL

from ..core.predict import SOURCES

BUCKETS = [
    ("1_predicted", "Predicted"),
    ("2_overdue", "Overdue, no prediction"),
    ("3_not_due", "Not yet due, no prediction"),
]


class DunningForecastReport(models.Model):
    """What is expected to come in, week by week: the open customer invoices by the date their
    customers are predicted to pay (account.move.dunning_predicted_date, written nightly).

    One row per open customer invoice, straight from account_move (no join on the lines), so
    the default grouping reads the partial index on (company, predicted date) of open invoices.
    Invoices without a prediction (disputed ones, a company without any payment yet, invoices
    posted since last night) are in their own bucket, overdue or not yet due. ``week`` is text
    (the week's Monday, else the bucket's name) so that a pivot or graph by week shows those
    invoices as a named row after the weeks, not as "None".
    """

    _name = "dunning.forecast.report"
    _description = "Collection Forecast"
    _auto = False
    _order = "predicted_date, id"
    _rec_name = "move_id"
    _depends = {
        "account.move": [
            "move_type",
            "state",
            "payment_state",
            "commercial_partner_id",
            "company_id",
            "currency_id",
            "invoice_date_due",
            "amount_residual",
            "amount_residual_signed",
            "dunning_dispute",
            "dunning_predicted_date",
            "dunning_predicted_source",
        ],
    }

    move_id = fields.Many2one("account.move", string="Invoice", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    company_currency_id = fields.Many2one("res.currency", readonly=True)
    date_due = fields.Date(string="Due Date", readonly=True)
    predicted_date = fields.Date(string="Predicted Payment", readonly=True)
    week = fields.Char(
        string="Predicted Week",
        readonly=True,
        help="The Monday of the week of the predicted payment (the invoices without a "
        "prediction after the weeks): sorts by date across years.",
    )
    source = fields.Selection(SOURCES, string="Predicted From", readonly=True)
    bucket = fields.Selection(BUCKETS, string="Forecast", readonly=True)
    overdue = fields.Boolean(readonly=True)
    disputed = fields.Boolean(readonly=True)
    amount_residual = fields.Monetary(
        string="Expected (Invoice Currency)",
        currency_field="currency_id",
        readonly=True,
        aggregator="sum",
        help="What is still due, in the invoice's currency: add up only within one currency.",
    )
    amount_company = fields.Monetary(
        string="Expected (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        aggregator="sum",
        help="What is still due, in the company's currency.",
    )

    @property
    def _table_query(self):
        today = self.env.company._dunning_today()
        return SQL(
            """
            SELECT am.id AS id,
                   am.id AS move_id,
                   am.commercial_partner_id AS partner_id,
                   am.company_id AS company_id,
                   am.currency_id AS currency_id,
                   company.currency_id AS company_currency_id,
                   am.invoice_date_due AS date_due,
                   am.dunning_predicted_date AS predicted_date,
                   am.dunning_predicted_source AS source,
                   CASE WHEN am.dunning_predicted_date IS NOT NULL THEN '1_predicted'
                        WHEN am.invoice_date_due < %(today)s THEN '2_overdue'
                        ELSE '3_not_due' END AS bucket,
                   CASE WHEN am.dunning_predicted_date IS NOT NULL
                        THEN TO_CHAR(DATE_TRUNC('week', am.dunning_predicted_date), 'YYYY-MM-DD')
                        WHEN am.invoice_date_due < %(today)s THEN %(overdue)s
                        ELSE %(not_due)s END AS week,
                   am.invoice_date_due < %(today)s AS overdue,
                   COALESCE(am.dunning_dispute, FALSE) AS disputed,
                   am.amount_residual AS amount_residual,
                   am.amount_residual_signed AS amount_company
              FROM account_move am
              JOIN res_company company ON company.id = am.company_id
             WHERE am.move_type = 'out_invoice'
               AND am.state = 'posted'
               AND am.payment_state IN ('not_paid', 'partial')
            """,
            today=today,
            # Labels of the rows without a week, in the reader's language; after the dates.
            overdue=self.env._("No prediction, overdue"),
            not_due=self.env._("No prediction, not yet due"),
        )
