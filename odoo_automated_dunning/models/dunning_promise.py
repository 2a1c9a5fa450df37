from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from ..core import inputs


class DunningPromise(models.Model):
    _name = "dunning.promise"
    _inherit = ["dunning.bounded.mixin"]
    _description = "Promise to Pay"
    _order = "date_promised desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True, default=lambda s: s.env.company
    )
    communication_id = fields.Many2one(
        "dunning.communication",
        string="Reminder",
        readonly=True,
        index="btree_not_null",
        help="The call or reminder the promise was made in answer to.",
    )
    user_id = fields.Many2one(
        "res.users", string="Recorded by", readonly=True, default=lambda s: s.env.user
    )
    date = fields.Date(
        string="Recorded On",
        readonly=True,
        default=lambda self: self.env.company._dunning_today(),
    )
    date_promised = fields.Date(string="Promised Payment Date", required=True, readonly=True)
    grace_days = fields.Integer(
        readonly=True, help="Copied from the policy when the promise was made."
    )
    date_limit = fields.Date(
        string="Broken After",
        compute="_compute_date_limit",
        store=True,
        help="Dunning of the covered invoices waits until this date; unpaid by then, the "
        "promise is broken and the invoices move one level up at the next run.",
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(string="Promised Amount", required=True, readonly=True)
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        readonly=True,
        check_company=True,
        help="The invoices the promise covers.",
    )
    residual_at_promise = fields.Monetary(
        readonly=True, help="What the covered invoices still owed when the promise was made."
    )
    amount_paid = fields.Monetary(
        string="Paid Since",
        compute="_compute_amount_paid",
        help="Paid on the covered invoices since the promise.",
    )
    state = fields.Selection(
        [("open", "Open"), ("kept", "Kept"), ("broken", "Broken")],
        default="open",
        required=True,
        readonly=True,
        index=True,
    )
    escalated = fields.Boolean(
        readonly=True,
        help="A reminder one level up followed the broken promise.",
    )
    note = fields.Text(readonly=True)

    _amount_positive = models.Constraint(
        "CHECK (amount > 0)", "A promise to pay needs an amount above zero."
    )

    @api.depends("date_promised", "grace_days")
    def _compute_date_limit(self):
        for promise in self:
            promise.date_limit = (
                promise.date_promised + timedelta(days=promise.grace_days)
                if promise.date_promised
                else False
            )

    @api.depends("move_ids.amount_residual", "residual_at_promise")
    def _compute_amount_paid(self):
        for promise in self:
            residual = sum(promise.move_ids.mapped("amount_residual"))
            promise.amount_paid = max(promise.residual_at_promise - residual, 0.0)

    @api.constrains("date_promised", "date")
    def _check_date_promised(self):
        for promise in self:
            if promise.date_promised and promise.date and promise.date_promised < promise.date:
                raise ValidationError(
                    self.env._(
                        "The promise of %(customer)s is dated %(promised)s, before the day it "
                        "was made (%(made)s); enter the date the customer said it will pay.",
                        customer=promise.partner_id.display_name,
                        promised=promise.date_promised,
                        made=promise.date,
                    )
                )
            if promise.date_promised and not inputs.date_in_range(
                promise.date_promised, promise.date or promise.company_id._dunning_today()
            ):
                raise ValidationError(
                    self.env._(
                        "The promise of %(customer)s is dated %(promised)s, more than a year "
                        "ahead; enter the date the customer said it will pay, within a year.",
                        customer=promise.partner_id.display_name,
                        promised=promise.date_promised,
                    )
                )

    @api.constrains("amount", "residual_at_promise", "grace_days")
    def _check_amount(self):
        for promise in self:
            currency = promise.currency_id
            if promise.move_ids and (
                currency.compare_amounts(promise.amount, promise.residual_at_promise) > 0
            ):
                raise ValidationError(
                    self.env._(
                        "%(customer)s promises %(amount)s but owes %(debt)s on the chosen "
                        "invoices; enter at most what is owed.",
                        customer=promise.partner_id.display_name,
                        amount=promise._amount_display(),
                        debt=format_amount(self.env, promise.residual_at_promise, currency),
                    )
                )
            if not 0 <= promise.grace_days <= inputs.MAX_GRACE_DAYS:
                raise ValidationError(
                    self.env._(
                        "The promise of %(customer)s has %(days)s grace days; enter between 0 "
                        "and %(most)s.",
                        customer=promise.partner_id.display_name,
                        days=promise.grace_days,
                        most=inputs.MAX_GRACE_DAYS,
                    )
                )

    @api.model
    def _update_states(self, company, run_date):
        """Kept when the promised amount was paid; broken once its limit has passed unpaid.

        One read of the covered invoices for the whole set; the customer's chatter says which.
        """
        promises = self.search([("company_id", "=", company.id), ("state", "=", "open")])
        promises.move_ids.fetch(["amount_residual"])
        kept, broken = self.browse(), self.browse()
        for promise in promises:
            if promise.currency_id.compare_amounts(promise.amount_paid, promise.amount) >= 0:
                kept |= promise
            elif promise.date_limit < run_date:
                broken |= promise
        kept.state = "kept"
        broken.state = "broken"
        bodies = defaultdict(list)
        for promise in kept:
            bodies[promise.partner_id.id].append(
                self.env._("Promise to pay of %(date)s kept.", date=promise.date_promised)
            )
        for promise in broken:
            bodies[promise.partner_id.id].append(
                self.env._(
                    "Promise to pay %(amount)s by %(date)s broken: dunning resumes one level up.",
                    amount=promise._amount_display(),
                    date=promise.date_promised,
                )
            )
        if bodies:
            self.env["res.partner"].browse(list(bodies))._message_log_batch(
                bodies={pid: Markup("<br/>").join(lines) for pid, lines in bodies.items()}
            )
        return kept, broken

    def _amount_display(self):
        self.ensure_one()
        return format_amount(
            self.env, self.amount, self.currency_id, lang_code=self.partner_id.lang
        )
