import babel.dates

from odoo import fields, models
from odoo.tools import SQL
from odoo.tools.misc import get_lang
from odoo.tools.translate import LazyTranslate

from ..core.predict import SOURCES

_lt = LazyTranslate(__name__)

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
    posted since last night) are in their own bucket, overdue or not yet due. By week, the
    forecast groups ``predicted_date:week`` (Odoo's weeks, in the reader's calendar, in date
    order across years), each week named "Week of <its first day>" in the reader's language;
    the invoices without a prediction come after the weeks, named "No prediction".
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
    # The row of the invoices without a prediction when grouped by date. Lazy: Odoo looks
    # this label up at the field's own (orm) module otherwise, where it is not translated.
    predicted_date = fields.Date(
        string="Predicted Payment",
        readonly=True,
        falsy_value_label=_lt("No prediction"),  # pylint: disable=translation-field
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
        )

    def _web_read_group_groupby_formatter(self, groupby_spec, values):
        """Weeks named by their first day in the reader's language ("Week of Nov 29, 2026",
        "Semaine du 30 nov. 2026") rather than Odoo's "W49 2026": a credit manager plans by
        dates. Only the label changes: the value, the order and the domain stay Odoo's."""
        formatter = super()._web_read_group_groupby_formatter(groupby_spec, values)
        field_name, _sep, granularity = groupby_spec.partition(":")
        if granularity != "week" or self._fields[field_name].type != "date":
            return formatter
        locale = get_lang(self.env).code

        def formatter_week(value):
            group, domain = formatter(value)
            if not value:
                return group, domain
            first_day = babel.dates.format_date(value, format="medium", locale=locale)
            return (group[0], self.env._("Week of %(date)s", date=first_day)), domain

        return formatter_week
