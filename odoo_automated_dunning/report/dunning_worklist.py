from odoo import fields, models
from odoo.tools import SQL

from ..models.dunning_reply import REPLY_KINDS


class DunningWorklist(models.Model):
    """Whom a collector should handle today, by expected recovery.

    Expected recovery = the customer's overdue amount x (1 - risk score / 100): the likelihood
    comes from its payment behaviour (a customer without history counts as likely to pay).
    """

    _name = "dunning.worklist"
    _description = "Collector's Worklist"
    _auto = False
    _order = "expected_recovery desc, id"
    _rec_name = "partner_id"
    _depends = {
        "account.move.line": [
            "partner_id",
            "account_id",
            "parent_state",
            "reconciled",
            "amount_residual",
            "date_maturity",
            "company_id",
            "move_id",
        ],
        "account.move": [
            "dunning_dispute",
            "dunning_level_id",
            "commercial_partner_id",
            "company_id",
            "move_type",
            "state",
            "payment_state",
            "dunning_predicted_date",
        ],
        "account.account": ["account_type"],
        "dunning.partner.behaviour": ["partner_id", "company_id", "score"],
        "mail.activity": ["res_model", "res_id", "date_deadline", "active"],
        "dunning.promise": ["partner_id", "company_id", "state", "date_promised", "amount"],
        "dunning.reply": ["partner_id", "company_id", "state", "kind", "date"],
    }

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", string="Company Currency", readonly=True)
    overdue_amount = fields.Monetary(readonly=True, aggregator="sum")
    oldest_due_date = fields.Date(readonly=True)
    invoice_count = fields.Integer(string="Overdue Invoices", readonly=True, aggregator="sum")
    risk_score = fields.Float(readonly=True, aggregator="avg")
    likelihood = fields.Float(string="Likelihood (%)", readonly=True, aggregator="avg")
    expected_recovery = fields.Monetary(readonly=True, aggregator="sum")
    activity_count = fields.Integer(string="Open Tasks", readonly=True, aggregator="sum")
    next_activity_date = fields.Date(string="Next Task", readonly=True)
    open_promise_count = fields.Integer(string="Open Promises", readonly=True, aggregator="sum")
    next_promise_date = fields.Date(string="Next Promised Payment", readonly=True)
    new_reply_count = fields.Integer(string="New Replies", readonly=True, aggregator="sum")
    last_reply_kind = fields.Selection(REPLY_KINDS, string="Last Reply", readonly=True)
    next_predicted_date = fields.Date(
        string="Predicted Payment",
        readonly=True,
        help="The earliest predicted payment date of the customer's open invoices.",
    )

    @property
    def _table_query(self):
        today = self.env.company._dunning_today()
        return SQL(
            """
            WITH overdue AS (
                SELECT aml.partner_id, aml.company_id,
                       SUM(aml.amount_residual) AS amount,
                       MIN(aml.date_maturity) AS oldest,
                       COUNT(DISTINCT aml.move_id) AS invoices
                  FROM account_move_line aml
                  JOIN account_account account ON account.id = aml.account_id
                  JOIN account_move am ON am.id = aml.move_id
                 WHERE aml.parent_state = 'posted'
                   AND account.account_type = 'asset_receivable'
                   AND NOT aml.reconciled
                   AND aml.amount_residual > 0
                   AND aml.date_maturity < %(today)s
                   AND am.move_type = 'out_invoice'
                   AND NOT COALESCE(am.dunning_dispute, FALSE)
              GROUP BY aml.partner_id, aml.company_id
            )
            SELECT ROW_NUMBER() OVER (ORDER BY o.company_id, o.partner_id) AS id,
                   o.partner_id,
                   o.company_id,
                   company.currency_id,
                   o.amount AS overdue_amount,
                   o.oldest AS oldest_due_date,
                   o.invoices AS invoice_count,
                   COALESCE(b.score, 0) AS risk_score,
                   100 - COALESCE(b.score, 0) AS likelihood,
                   o.amount * (100 - COALESCE(b.score, 0)) / 100 AS expected_recovery,
                   COALESCE(a.open_count, 0) AS activity_count,
                   a.next_date AS next_activity_date,
                   COALESCE(p.open_count, 0) AS open_promise_count,
                   p.next_date AS next_promise_date,
                   COALESCE(r.new_count, 0) AS new_reply_count,
                   r.last_kind AS last_reply_kind,
                   pr.next_date AS next_predicted_date
              FROM overdue o
              JOIN res_company company ON company.id = o.company_id
         LEFT JOIN dunning_partner_behaviour b
                ON b.partner_id = o.partner_id AND b.company_id = o.company_id
        -- One index probe per overdue customer for each of these (LATERAL): joined to
        -- grouped subqueries instead, the planner, which expects a handful of overdue
        -- customers, compared every customer with every group (1.8 million comparisons for
        -- 1,900 customers, a second; quadratic in the book).
         LEFT JOIN LATERAL (
                SELECT COUNT(*) AS open_count, MIN(date_deadline) AS next_date
                  FROM mail_activity
                 WHERE res_model = 'res.partner' AND active AND res_id = o.partner_id
                   ) a ON TRUE
         LEFT JOIN LATERAL (
                SELECT COUNT(*) AS open_count, MIN(date_promised) AS next_date
                  FROM dunning_promise
                 WHERE state = 'open' AND partner_id = o.partner_id
                   AND company_id = o.company_id
                   ) p ON TRUE
         LEFT JOIN LATERAL (
                SELECT COUNT(*) FILTER (WHERE state = 'new') AS new_count,
                       (ARRAY_AGG(kind ORDER BY date DESC, id DESC))[1] AS last_kind
                  FROM dunning_reply
                 WHERE partner_id = o.partner_id AND company_id = o.company_id
                   ) r ON TRUE
        -- "+ 0": no ordered scan for the MIN (the planner walked the company's predicted
        -- dates index for each customer at 100,000 invoices); the customer's own rows are
        -- found through account_move_dunning_partner_predicted_idx.
         LEFT JOIN LATERAL (
                SELECT MIN(dunning_predicted_date + 0) AS next_date
                  FROM account_move
                 WHERE commercial_partner_id = o.partner_id
                   AND company_id = o.company_id
                   AND move_type = 'out_invoice'
                   AND state = 'posted'
                   AND payment_state IN ('not_paid', 'partial')
                   ) pr ON TRUE
            """,
            today=today,
        )
