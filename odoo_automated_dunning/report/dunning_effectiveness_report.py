from odoo import fields, models
from odoo.tools import SQL

from ..models.dunning_communication import CONTACT_STATES
from ..models.dunning_level import TONE_SELECTION
from ..models.dunning_level_channel import CHANNEL_SELECTION


class DunningEffectivenessReport(models.Model):
    """Which reminders get paid: one row per sent reminder, with what was paid after it.

    Payments are the reconciliations of the listed invoices dated on or after the reminder;
    the amount due is the reminder's total in company currency. Percentages are per reminder,
    so their average over a group is the share of reminders.
    """

    _name = "dunning.effectiveness.report"
    _description = "Dunning Effectiveness"
    _auto = False
    _order = "date desc"
    _rec_name = "communication_id"
    # What the query reads: flushed before the report is searched.
    _depends = {
        "dunning.communication": [
            "state",
            "date",
            "amount_company",
            "partner_id",
            "company_id",
            "policy_id",
            "level_id",
            "tone",
            "channel",
            "mail_template_id",
            "variant_id",
        ],
        "dunning.communication.line": ["communication_id", "move_id"],
        "account.move.line": ["move_id", "debit", "account_id"],
        "account.account": ["account_type"],
        "account.partial.reconcile": ["debit_move_id", "amount", "max_date"],
    }

    communication_id = fields.Many2one("dunning.communication", string="Reminder", readonly=True)
    date = fields.Date(readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    policy_id = fields.Many2one("dunning.policy", readonly=True)
    level_id = fields.Many2one("dunning.level", readonly=True)
    tone = fields.Selection(TONE_SELECTION, readonly=True)
    channel = fields.Selection(CHANNEL_SELECTION, readonly=True)
    mail_template_id = fields.Many2one("mail.template", string="Template", readonly=True)
    variant_id = fields.Many2one("dunning.level.variant", string="Template Variant", readonly=True)
    amount_due = fields.Monetary(readonly=True, aggregator="sum")
    paid_7 = fields.Monetary(string="Paid within 7 days", readonly=True, aggregator="sum")
    paid_14 = fields.Monetary(string="Paid within 14 days", readonly=True, aggregator="sum")
    paid_30 = fields.Monetary(string="Paid within 30 days", readonly=True, aggregator="sum")
    paid_7_rate = fields.Float(
        string="% Fully Paid in 7 Days",
        readonly=True,
        aggregator="avg",
        help="Reminders whose whole amount was paid within 7 days, in percent of reminders.",
    )
    paid_14_rate = fields.Float(string="% Fully Paid in 14 Days", readonly=True, aggregator="avg")
    paid_30_rate = fields.Float(string="% Fully Paid in 30 Days", readonly=True, aggregator="avg")
    days_to_pay = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Days from the reminder to the payment that settled its whole amount (empty while unpaid).",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            WITH payments AS (
                SELECT line.communication_id, partial.max_date AS day,
                       SUM(partial.amount) AS amount
                  FROM dunning_communication_line line
                  JOIN account_move_line aml ON aml.move_id = line.move_id AND aml.debit > 0
                  JOIN account_account account ON account.id = aml.account_id
                       AND account.account_type = 'asset_receivable'
                  JOIN account_partial_reconcile partial ON partial.debit_move_id = aml.id
              GROUP BY line.communication_id, partial.max_date
            ), totals AS (
                SELECT c.id, c.date, c.amount_company AS due,
                       COALESCE(SUM(p.amount) FILTER (WHERE p.day <= c.date + 7), 0) AS paid_7,
                       COALESCE(SUM(p.amount) FILTER (WHERE p.day <= c.date + 14), 0) AS paid_14,
                       COALESCE(SUM(p.amount) FILTER (WHERE p.day <= c.date + 30), 0) AS paid_30,
                       COALESCE(SUM(p.amount), 0) AS paid,
                       MAX(p.day) AS last_day
                  FROM dunning_communication c
             LEFT JOIN payments p ON p.communication_id = c.id AND p.day >= c.date
                 WHERE c.state IN %(contact_states)s
              GROUP BY c.id, c.date, c.amount_company
            )
            SELECT c.id AS id,
                   c.id AS communication_id,
                   c.date AS date,
                   c.partner_id,
                   c.company_id,
                   company.currency_id,
                   c.policy_id,
                   c.level_id,
                   c.tone,
                   c.channel,
                   c.mail_template_id,
                   c.variant_id,
                   t.due AS amount_due,
                   LEAST(t.paid_7, t.due) AS paid_7,
                   LEAST(t.paid_14, t.due) AS paid_14,
                   LEAST(t.paid_30, t.due) AS paid_30,
                   CASE WHEN t.paid_7 >= t.due - 0.005 THEN 100.0 ELSE 0.0 END AS paid_7_rate,
                   CASE WHEN t.paid_14 >= t.due - 0.005 THEN 100.0 ELSE 0.0 END AS paid_14_rate,
                   CASE WHEN t.paid_30 >= t.due - 0.005 THEN 100.0 ELSE 0.0 END AS paid_30_rate,
                   CASE WHEN t.paid >= t.due - 0.005 THEN t.last_day - t.date END AS days_to_pay
              FROM totals t
              JOIN dunning_communication c ON c.id = t.id
              JOIN res_company company ON company.id = c.company_id
            """,
            # A reminder still in the queue counts as sent.
            contact_states=CONTACT_STATES,
        )
