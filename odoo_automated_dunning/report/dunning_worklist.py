from odoo import api, fields, models
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
            "dunning_chased",
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
    oldest_due_date = fields.Date(
        readonly=True, help="The due date of the customer's oldest overdue invoice."
    )
    invoice_count = fields.Integer(string="Overdue Invoices", readonly=True, aggregator="sum")
    risk_score = fields.Float(readonly=True, aggregator="avg")
    likelihood = fields.Float(string="Likelihood (%)", readonly=True, aggregator="avg")
    expected_recovery = fields.Monetary(
        readonly=True,
        aggregator="sum",
        help="The overdue amount times the likelihood to pay; the list's order.",
    )
    activity_count = fields.Integer(string="Open Tasks", readonly=True, aggregator="sum")
    next_activity_date = fields.Date(string="Next Task", readonly=True)
    open_promise_count = fields.Integer(string="Open Promises", readonly=True, aggregator="sum")
    next_promise_date = fields.Date(string="Next Promised Payment", readonly=True)
    new_reply_count = fields.Integer(string="New Replies", readonly=True, aggregator="sum")
    last_reply_kind = fields.Selection(
        REPLY_KINDS,
        string="Last Reply",
        readonly=True,
        help="What the customer's last reply says; in bold while a reply waits to be handled.",
    )
    next_predicted_date = fields.Date(
        string="Predicted Payment",
        readonly=True,
        help="The earliest predicted payment date of the customer's open invoices.",
    )

    @api.model
    def search_fetch(self, domain, field_names=None, offset=0, limit=None, order=None):
        # The company rule is checked again on the rows read (check_access reads their
        # company_id). Fetched with the page, it is in the cache; otherwise its own query
        # selects the rows by id, which PostgreSQL cannot push into the grouped view: one
        # more pass over every open item of the book (a third of the list's time).
        if field_names is not None and "company_id" not in field_names:
            field_names = [*field_names, "company_id"]
        return super().search_fetch(domain, field_names, offset=offset, limit=limit, order=order)

    def _overdue_items(self, line, receivable, today):
        """SQL: the journal item ``line`` is an open overdue receivable (on one of the
        ``receivable`` accounts, due before ``today``) of a posted customer invoice that
        dunning chases (not paid, in payment, reversed or disputed: the item's
        ``dunning_chased``)."""
        # Written as the partial index says it (account_move_line_dunning_worklist_idx), so
        # that PostgreSQL sees it applies.
        return SQL(
            """
                %(line)s.dunning_chased
            AND %(line)s.parent_state = 'posted'
            AND NOT %(line)s.reconciled
            AND %(line)s.amount_residual > 0
            AND %(line)s.account_id = ANY(%(receivable)s::integer[])
            AND %(line)s.date_maturity < %(today)s
            """,
            line=SQL.identifier(line),
            receivable=receivable,
            today=today,
        )

    @property
    def _table_query(self):
        # Shaped for the list's two calls, the page of 80 rows by expected recovery and the
        # count up to 10,001 (bench/README.md): a plain join over each customer's overdue
        # sums, which PostgreSQL merges into the ORM's query. The other figures are scalar
        # subqueries: it evaluates them for the page's rows only, after the sort and limit,
        # and not at all for the count. Hence no window function (it stops the merge): a
        # row's id is the smallest id of its items; and the invoice count is one of those
        # subqueries (COUNT(DISTINCT) over the book would sort every item).
        # The items alone, without their invoices: what the invoice says (a customer invoice,
        # still due, undisputed) is on the item (dunning_chased), so the sums come from one
        # partial index in customer order (account_move_line_dunning_worklist_idx); joined,
        # every open invoice was read too, and after the nightly job rewrote them (their
        # predicted dates) mostly from the table. The receivable accounts as ids, not joined:
        # joined, the planner takes them for a few of many accounts and expects a few hundred
        # items where the book has 94,000; as ids, it reads their share from the statistics.
        receivable = (
            self.env["account.account"]
            .sudo()
            .with_context(active_test=False)
            .search([("account_type", "=", "asset_receivable")])
            .ids
        )
        today = self.env.company._dunning_today()
        return SQL(
            """
            SELECT o.id,
                   o.partner_id,
                   o.company_id,
                   company.currency_id,
                   o.amount AS overdue_amount,
                   o.oldest AS oldest_due_date,
                   (SELECT COUNT(DISTINCT line.move_id)
                      FROM account_move_line line
                     WHERE line.partner_id = o.partner_id AND line.company_id = o.company_id
                       AND %(line_overdue)s
                   ) AS invoice_count,
                   COALESCE(b.score, 0) AS risk_score,
                   100 - COALESCE(b.score, 0) AS likelihood,
                   o.amount * (100 - COALESCE(b.score, 0)) / 100 AS expected_recovery,
                   (SELECT COUNT(*) FROM mail_activity
                     WHERE res_model = 'res.partner' AND active AND res_id = o.partner_id
                   ) AS activity_count,
                   (SELECT MIN(date_deadline) FROM mail_activity
                     WHERE res_model = 'res.partner' AND active AND res_id = o.partner_id
                   ) AS next_activity_date,
                   (SELECT COUNT(*) FROM dunning_promise
                     WHERE state = 'open' AND partner_id = o.partner_id
                       AND company_id = o.company_id
                   ) AS open_promise_count,
                   (SELECT MIN(date_promised) FROM dunning_promise
                     WHERE state = 'open' AND partner_id = o.partner_id
                       AND company_id = o.company_id
                   ) AS next_promise_date,
                   (SELECT COUNT(*) FROM dunning_reply
                     WHERE state = 'new' AND partner_id = o.partner_id
                       AND company_id = o.company_id
                   ) AS new_reply_count,
                   (SELECT kind FROM dunning_reply
                     WHERE partner_id = o.partner_id AND company_id = o.company_id
                  ORDER BY date DESC, id DESC LIMIT 1
                   ) AS last_reply_kind,
                   -- "+ 0": no ordered scan for the MIN (the planner walked the company's
                   -- predicted dates index for each customer at 100,000 invoices); the
                   -- customer's own rows come from account_move_dunning_partner_predicted_idx.
                   (SELECT MIN(dunning_predicted_date + 0) FROM account_move
                     WHERE commercial_partner_id = o.partner_id
                       AND company_id = o.company_id
                       AND move_type = 'out_invoice'
                       AND state = 'posted'
                       AND payment_state IN ('not_paid', 'partial')
                   ) AS next_predicted_date
              FROM (
                SELECT MIN(aml.id) AS id, aml.partner_id, aml.company_id,
                       SUM(aml.amount_residual) AS amount,
                       MIN(aml.date_maturity) AS oldest
                  FROM account_move_line aml
                 WHERE %(aml_overdue)s
              GROUP BY aml.partner_id, aml.company_id
                   ) o
              JOIN res_company company ON company.id = o.company_id
         LEFT JOIN dunning_partner_behaviour b
                ON b.partner_id = o.partner_id AND b.company_id = o.company_id
            """,
            line_overdue=self._overdue_items("line", receivable, today),
            aml_overdue=self._overdue_items("aml", receivable, today),
        )
