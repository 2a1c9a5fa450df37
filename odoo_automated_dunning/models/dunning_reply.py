from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command, Domain
from odoo.tools import format_date

from ..core import replies
from ..core.facts import selection

REPLY_KINDS = selection(replies.REPLY_KINDS, replies.REPLY_KIND_LABELS)
# Shown on the Paid tab: the newest candidates of each kind.
MAX_CANDIDATES = 20


class DunningReply(models.Model):
    """A customer's answer to a reminder (an email, a plan email), read by the mail gateway.

    The kind and what it names (a date, an amount, invoices) come from the rules of
    ``core.replies``; the collector acts on it here: confirm a promise, match a payment,
    dispute invoices, or mark it done. Recording from the mail gateway (which email answers
    which reminder, pausing the customer, the collector's task) is in
    ``dunning_reply_gateway.py``.
    """

    _name = "dunning.reply"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _description = "Customer Reply to a Reminder"
    _order = "date desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    communication_id = fields.Many2one(
        "dunning.communication",
        string="Reminder",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        help="The reminder or payment plan email this reply answers.",
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    message_id = fields.Many2one(
        "mail.message",
        string="Email",
        required=True,
        readonly=True,
        ondelete="cascade",
        help="The customer's email, as received in the customer's chatter.",
    )
    date = fields.Datetime(string="Received On", required=True, readonly=True, index=True)
    author_email = fields.Char(string="From", readonly=True)
    subject = fields.Char(readonly=True)
    excerpt = fields.Text(
        readonly=True,
        help="The reply's own text (quoted history left out), as plain text.",
    )
    kind = fields.Selection(
        REPLY_KINDS,
        required=True,
        index=True,
        tracking=True,
        help="What the reply says, read by the rules from its words and headers; correct it "
        "if the rules read it wrong.",
    )
    matched = fields.Char(
        string="Decided By",
        readonly=True,
        help="The words or headers of the reply that decided its kind.",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices Named",
        readonly=True,
        help="The reminder's invoices the reply names by number.",
    )
    currency_id = fields.Many2one("res.currency", readonly=True)
    promised_date = fields.Date(string="Promised Payment Date")
    promised_amount = fields.Monetary(currency_field="currency_id")
    promise_id = fields.Many2one(
        "dunning.promise", string="Promise to Pay", readonly=True, ondelete="set null"
    )
    disputed_move_ids = fields.Many2many(
        "account.move",
        relation="dunning_reply_disputed_move_rel",
        string="Invoices Disputed",
        readonly=True,
        help="The invoices disputed from this reply (Dispute Invoices).",
    )
    paused_until = fields.Date(
        string="Reminders Paused Until",
        readonly=True,
        help="The customer's automatic reminders were paused up to this date because it "
        "replied (the policy's pause after a reply).",
    )
    state = fields.Selection(
        [("new", "New"), ("done", "Done")],
        required=True,
        default="new",
        index=True,
        tracking=True,
    )
    payment_line_ids = fields.Many2many(
        "account.move.line",
        string="Unreconciled Payments",
        compute="_compute_candidates",
        help="The customer's payments and credits not yet matched with an invoice.",
    )
    statement_line_ids = fields.Many2many(
        "account.bank.statement.line",
        string="Unreconciled Bank Transactions",
        compute="_compute_candidates",
        help="Bank transactions not yet reconciled, from this customer or of an amount it "
        "owes on the reminder.",
    )

    _message_uniq = models.Constraint(
        "UNIQUE (message_id)", "An email is recorded as a reply only once."
    )

    @api.depends("partner_id", "kind", "date")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for reply in self:
            parts = [reply.partner_id.name, kinds.get(reply.kind)]
            if reply.date:
                parts.append(format_date(self.env, reply.date))
            reply.display_name = " · ".join(filter(None, parts))

    @api.depends("partner_id", "company_id", "kind")
    def _compute_candidates(self):
        for reply in self:
            if reply.kind != "paid" or not reply.partner_id:
                reply.payment_line_ids = False
                reply.statement_line_ids = False
                continue
            customer = reply.partner_id.commercial_partner_id
            reply.payment_line_ids = self.env["account.move.line"].search(
                [
                    ("company_id", "=", reply.company_id.id),
                    ("partner_id", "child_of", customer.id),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                    ("amount_residual", "<", 0),
                ],
                order="date desc, id desc",
                limit=MAX_CANDIDATES,
            )
            amounts = reply._owed_amounts()
            by_amount = Domain("partner_id", "=", False) & Domain("amount", "in", amounts)
            reply.statement_line_ids = self.env["account.bank.statement.line"].search(
                Domain("company_id", "=", reply.company_id.id)
                & Domain("is_reconciled", "=", False)
                & Domain("amount", ">", 0)
                & (Domain("partner_id", "child_of", customer.id) | by_amount),
                order="date desc, id desc",
                limit=MAX_CANDIDATES,
            )

    @api.constrains("promised_amount")
    def _check_promised_amount(self):
        for reply in self:
            if reply.promised_amount < 0:
                raise ValidationError(
                    self.env._(
                        "The promised amount of the reply of %(customer)s is negative; enter "
                        "the amount the customer will pay.",
                        customer=reply.partner_id.display_name,
                    )
                )

    # ---------------------------------------------------------------- actions

    def action_confirm_promise(self):
        """Record the promise the reply makes (date and amount as corrected on the reply):
        it holds dunning of its invoices like a promise made on a call."""
        self.ensure_one()
        if self.state != "new" or self.promise_id:
            raise UserError(
                self.env._(
                    "The reply of %(customer)s has been handled already.",
                    customer=self.partner_id.display_name,
                )
            )
        moves = self._open_invoices()
        amount = self.promised_amount or sum(moves.mapped("amount_residual"))
        # The call outcome wizard holds the rules of a promise (invoices in one currency, an
        # amount up to what they owe, a date between today and a year ahead): one home.
        wizard = (
            self.env["dunning.call.outcome.wizard"]
            .with_company(self.company_id)
            .create(
                {
                    "partner_id": self.partner_id.id,
                    "communication_id": self.communication_id.id,
                    "outcome": "promise",
                    "move_ids": [Command.set(moves.ids)],
                    "promise_amount": amount,
                    "promise_date": self.promised_date,
                    "note": self.env._(
                        "Promised in the customer's email of %(date)s.",
                        date=format_date(self.env, self.date),
                    ),
                }
            )
        )
        promise = wizard._create_promise()
        self.write({"promise_id": promise.id, "state": "done"})
        self.activity_ids.action_feedback(
            feedback=self.env._("Promise to pay confirmed."),
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "dunning.promise",
            "res_id": promise.id,
            "view_mode": "form",
        }

    def action_dispute(self):
        """The dispute wizard, with the invoices the reply names (else the reminder's)."""
        self.ensure_one()
        moves = self.invoice_ids or self._open_invoices()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute Invoices"),
            "res_model": "dunning.dispute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_reply_id": self.id,
                "default_move_ids": [Command.set(moves.ids)],
                "default_reason": self.env._(
                    "The customer's email of %(date)s: %(excerpt)s",
                    date=format_date(self.env, self.date),
                    excerpt=(self.excerpt or "")[:300],
                ),
            },
        }

    def action_done(self):
        self.filtered(lambda r: r.state == "new").state = "done"
        self.activity_ids.action_feedback(feedback=self.env._("Reply handled."))
        return True

    def _dispute_recorded(self, moves):
        """The dispute wizard opened from this reply was confirmed: the reply is handled, as
        a confirmed promise is, and keeps the invoices it disputed."""
        self.ensure_one()
        self.write({"disputed_move_ids": [Command.link(move.id) for move in moves]})
        if self.state == "new":
            self.state = "done"
            self.activity_ids.action_feedback(feedback=self.env._("Invoices disputed."))

    @api.model
    def _close_paid(self, moves):
        """``moves`` were just paid: the new replies saying "paid" whose invoices (those named,
        else the reminder's) are all settled are handled. Called from the reconciliation of
        whoever matched the payment, who may not be a dunning user: hence sudo."""
        if not moves:
            return self.browse()
        replies = self.sudo().search(
            [
                ("kind", "=", "paid"),
                ("state", "=", "new"),
                "|",
                "|",
                ("invoice_ids", "in", moves.ids),
                ("communication_id.line_ids.move_id", "in", moves.ids),
                ("communication_id.plan_id.invoice_ids", "in", moves.ids),
            ]
        )
        settled = replies.filtered(lambda reply: not reply._open_invoices())
        if settled:
            settled.state = "done"
            settled.activity_ids.action_feedback(
                feedback=self.env._("The invoices are paid: reply handled.")
            )
        return settled

    def action_open_message(self):
        """The customer's chatter, where the email is shown as received."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
        }

    @api.model
    def _action_open(self, domain):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "odoo_automated_dunning.dunning_reply_action"
        )
        action["domain"] = domain
        action["context"] = {}
        return action

    # ----------------------------------------------------------------- helpers

    def _reminder_invoices(self):
        """The invoices of the reminder (or of the plan) the reply answers."""
        self.ensure_one()
        communication = self.communication_id
        return communication.line_ids.move_id or communication.plan_id.invoice_ids

    def _open_invoices(self):
        """The invoices a promise would cover: those named, else the reminder's, still open."""
        self.ensure_one()
        moves = self.invoice_ids or self._reminder_invoices()
        return moves.filtered(
            lambda m: m.state == "posted" and not m.currency_id.is_zero(m.amount_residual)
        )

    def _owed_amounts(self):
        """Amounts a bank transaction for this reply could carry: each open invoice's
        residual, their total, and the amount promised."""
        self.ensure_one()
        residuals = self._reminder_invoices().mapped("amount_residual")
        amounts = {*residuals, sum(residuals), self.communication_id.amount_total}
        if self.promised_amount:
            amounts.add(self.promised_amount)
        return sorted(a for a in amounts if a > 0)
