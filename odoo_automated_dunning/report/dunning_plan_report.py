from odoo import fields, models
from odoo.tools import SQL

from ..models.dunning_payment_plan import PLAN_STATES


class DunningPlanReport(models.Model):
    """Payment plans for managers: how much is planned, paid and lost to defaults.

    One row per plan that left the draft stage, amounts in company currency at the rate of
    the invoices it covers. The default rate counts ended plans only (completed or defaulted):
    a running plan has not succeeded or failed yet.
    """

    _name = "dunning.plan.report"
    _description = "Payment Plan Analysis"
    _auto = False
    _order = "date desc"
    _rec_name = "plan_id"
    _depends = {
        "dunning.payment.plan": [
            "partner_id",
            "company_id",
            "user_id",
            "policy_id",
            "state",
            "amount_total",
            "amount_paid",
            "amount_residual",
            "installment_count",
            "create_date",
        ],
        "account.move": ["amount_total", "amount_total_signed"],
    }

    plan_id = fields.Many2one("dunning.payment.plan", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    policy_id = fields.Many2one("dunning.policy", readonly=True)
    state = fields.Selection(PLAN_STATES, readonly=True)
    date = fields.Date(string="Created On", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    plan_count = fields.Integer(string="Plans", readonly=True, aggregator="sum")
    installment_count = fields.Integer(string="Installments", readonly=True, aggregator="sum")
    amount_total = fields.Monetary(string="Planned", readonly=True, aggregator="sum")
    amount_paid = fields.Monetary(string="Paid", readonly=True, aggregator="sum")
    amount_residual = fields.Monetary(string="Left to Pay", readonly=True, aggregator="sum")
    amount_defaulted = fields.Monetary(
        string="Defaulted",
        readonly=True,
        aggregator="sum",
        help="What was still unpaid in plans that defaulted.",
    )
    default_rate = fields.Float(
        string="Default Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Defaulted plans / (completed + defaulted plans) x 100; running plans do not count.",
    )
    paid_rate = fields.Float(
        string="Paid (%)",
        readonly=True,
        aggregator="avg",
        help="Per plan: paid / planned x 100, averaged over the plans in the group.",
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT plan.id AS id,
                   plan.id AS plan_id,
                   plan.partner_id,
                   plan.company_id,
                   plan.user_id,
                   plan.policy_id,
                   plan.state,
                   plan.create_date::date AS date,
                   company.currency_id AS currency_id,
                   1 AS plan_count,
                   plan.installment_count,
                   plan.amount_total * rate.rate AS amount_total,
                   plan.amount_paid * rate.rate AS amount_paid,
                   plan.amount_residual * rate.rate AS amount_residual,
                   CASE WHEN plan.state = 'defaulted'
                        THEN plan.amount_residual * rate.rate ELSE 0 END AS amount_defaulted,
                   CASE WHEN plan.state = 'defaulted' THEN 100.0
                        WHEN plan.state = 'completed' THEN 0.0 END AS default_rate,
                   CASE WHEN plan.amount_total > 0
                        THEN 100.0 * plan.amount_paid / plan.amount_total END AS paid_rate
              FROM dunning_payment_plan plan
              JOIN res_company company ON company.id = plan.company_id
              -- The plan's currency to company currency, at the rate of its invoices.
              JOIN LATERAL (
                    SELECT COALESCE(
                               SUM(ABS(am.amount_total_signed)) / NULLIF(SUM(am.amount_total), 0),
                               1.0
                           ) AS rate
                      FROM dunning_payment_plan_move_rel rel
                      JOIN account_move am ON am.id = rel.move_id
                     WHERE rel.plan_id = plan.id
                   ) rate ON TRUE
             WHERE plan.state != 'draft'
            """
        )
