from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import format_amount

from ..core import inputs
from ..models.dunning_communication import CALL_OUTCOMES

# Used when neither the reminder's policy nor the customer's names the grace days.
DEFAULT_GRACE_DAYS = 3


class DunningCallOutcomeWizard(models.TransientModel):
    _name = "dunning.call.outcome.wizard"
    _description = "Record a Dunning Call"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    communication_id = fields.Many2one("dunning.communication", string="Call Task", readonly=True)
    outcome = fields.Selection(CALL_OUTCOMES, required=True, default="reached")
    note = fields.Text(help="What was said; kept in the customer's chatter.")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
        help="The invoices the promise or the dispute is about.",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    promise_amount = fields.Monetary(string="Promised Amount")
    promise_date = fields.Date(string="Promised Payment Date")

    @api.depends("move_ids.currency_id")
    def _compute_currency_id(self):
        for wizard in self:
            wizard.currency_id = wizard.move_ids.currency_id[:1] or self.env.company.currency_id

    @api.onchange("move_ids")
    def _onchange_move_ids(self):
        self.promise_amount = sum(self.move_ids.mapped("amount_residual"))

    @api.model
    def _action_open(self, partner, communication):
        """The wizard for a customer, its overdue invoices proposed (those of the call task)."""
        moves = communication.line_ids.move_id.filtered(
            lambda m: m.payment_state in ("not_paid", "partial")
        )
        if not communication:
            moves = self.env["dunning.facts"]._overdue_invoices(partner, self.env.company)
        wizard = self.create(
            {
                "partner_id": partner.id,
                "communication_id": communication.id,
                "move_ids": [Command.set(moves.ids)],
                "promise_amount": sum(moves.mapped("amount_residual")),
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Call Outcome"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_confirm(self):
        self.ensure_one()
        promise = self.env["dunning.promise"]
        if self.outcome == "promise":
            promise = self._create_promise()
        elif self.outcome == "dispute":
            if not self.move_ids:
                raise UserError(
                    self.env._(
                        "Choose the invoices %(customer)s disputes.",
                        customer=self.partner_id.display_name,
                    )
                )
            self.move_ids._dunning_open_dispute(
                self.note or self.env._("Raised on a call."), self.env._("call")
            )
        communication = self.communication_id.sudo()
        if communication:
            communication.write({"call_outcome": self.outcome, "call_date": fields.Datetime.now()})
        label = dict(CALL_OUTCOMES)[self.outcome]
        body = Markup("<p>%s</p>") % self.env._("Dunning call: %(outcome)s", outcome=label)
        if promise:
            body += Markup("<p>%s</p>") % self.env._(
                "Promised %(amount)s by %(date)s for %(invoices)s.",
                amount=promise._amount_display(),
                date=promise.date_promised,
                invoices=", ".join(self.move_ids.mapped("name")),
            )
        if self.note:
            body += Markup("<p>%s</p>") % self.note
        if communication.activity_id:
            message_id = communication.activity_id.action_feedback(feedback=body)
        else:
            # Logging a call on the customer is what the group is for, also for users who may
            # not edit contacts (posting needs write access): sudo for this note only, the
            # customer checked readable first and the user kept as author.
            self.partner_id.check_access("read")
            message_id = (
                self.partner_id.sudo()
                .message_post(
                    body=body, author_id=self.env.user.partner_id.id, subtype_xmlid="mail.mt_note"
                )
                .id
            )
        if communication:
            # The note names the invoices: the retention job forgets it with the reminder.
            communication.log_message_id = message_id
        return {"type": "ir.actions.act_window_close"}

    def _create_promise(self):
        customer = self.partner_id.display_name
        if not self.move_ids:
            raise UserError(
                self.env._("Choose the invoices %(customer)s promises to pay.", customer=customer)
            )
        if len(self.move_ids.currency_id) > 1:
            raise UserError(
                self.env._(
                    "The invoices of the promise of %(customer)s are in several currencies; "
                    "record one promise per currency.",
                    customer=customer,
                )
            )
        if self.promise_amount <= 0 or not self.promise_date:
            raise UserError(
                self.env._(
                    "A promise to pay of %(customer)s needs an amount above zero and the date "
                    "the customer will pay.",
                    customer=customer,
                )
            )
        owed = sum(self.move_ids.mapped("amount_residual"))
        currency = self.move_ids.currency_id
        if currency.compare_amounts(self.promise_amount, owed) > 0:
            raise UserError(
                self.env._(
                    "%(customer)s cannot promise %(amount)s: the chosen invoices leave "
                    "%(owed)s to pay; enter at most that amount.",
                    customer=customer,
                    amount=format_amount(self.env, self.promise_amount, currency),
                    owed=format_amount(self.env, owed, currency),
                )
            )
        today = self.env.company._dunning_today()
        if self.promise_date < today or not inputs.date_in_range(self.promise_date, today):
            raise UserError(
                self.env._(
                    "The promised payment date of %(customer)s must fall between today and "
                    "%(last)s; enter the date the customer said it will pay.",
                    customer=customer,
                    last=fields.Date.add(today, days=inputs.MAX_DAYS_AHEAD),
                )
            )
        policy = self.communication_id.policy_id or self.partner_id.dunning_policy_id
        return self.env["dunning.promise"].create(
            {
                "partner_id": self.partner_id.id,
                "company_id": self.move_ids.company_id[:1].id or self.env.company.id,
                "communication_id": self.communication_id.id,
                "date_promised": self.promise_date,
                "grace_days": policy.promise_grace_days if policy else DEFAULT_GRACE_DAYS,
                "currency_id": self.move_ids.currency_id.id,
                "amount": self.promise_amount,
                "move_ids": [Command.set(self.move_ids.ids)],
                "residual_at_promise": sum(self.move_ids.mapped("amount_residual")),
                "note": self.note,
            }
        )
