from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_amount

from .. import core


class DunningPaymentPlanInstallment(models.Model):
    _name = "dunning.payment.plan.installment"
    _inherit = ["dunning.bounded.mixin"]
    _description = "Payment Plan Installment"
    _order = "plan_id, due_date, sequence, id"

    plan_id = fields.Many2one(
        "dunning.payment.plan", required=True, ondelete="cascade", index=True, readonly=True
    )
    sequence = fields.Integer(readonly=True)
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="plan_id.partner_id", store=True, index=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    due_date = fields.Date(required=True, readonly=True)
    amount = fields.Monetary(required=True, readonly=True)
    down_payment = fields.Boolean(readonly=True)
    amount_paid = fields.Monetary(
        string="Paid",
        compute="_compute_amount_paid",
        store=True,
        help="What the plan received, spread over its installments in due-date order.",
    )
    amount_residual = fields.Monetary(
        string="Left to Pay", compute="_compute_state", store=True, aggregator="sum"
    )
    state = fields.Selection(
        [("open", "Open"), ("partial", "Partly Paid"), ("paid", "Paid")],
        compute="_compute_state",
        store=True,
    )
    reminder_before_sent = fields.Boolean(readonly=True, copy=False)
    reminder_after_sent = fields.Boolean(readonly=True, copy=False)

    @api.depends("plan_id.amount_paid", "plan_id.installment_ids.amount")
    def _compute_amount_paid(self):
        for plan in self.plan_id:
            installments = plan.installment_ids.sorted(lambda i: (i.due_date, i.sequence, i.id))
            paid, _extra = core.allocate(
                installments.mapped("amount"), plan.amount_paid, plan.currency_id.decimal_places
            )
            for installment, amount in zip(installments, paid, strict=True):
                if installment in self:
                    installment.amount_paid = amount
        for installment in self.filtered(lambda i: not i.plan_id):
            installment.amount_paid = 0.0

    @api.constrains("amount", "plan_id")
    def _check_schedule_total(self):
        """The schedule adds up to the plan, whoever writes it (the form, RPC, an import)."""
        for plan in self.plan_id:
            currency = plan.currency_id
            amounts = plan.installment_ids.mapped("amount")
            total = sum(amounts)
            negative = any(currency.compare_amounts(amount, 0) < 0 for amount in amounts)
            if negative or currency.compare_amounts(total, plan.amount_total):
                raise ValidationError(
                    self.env._(
                        "Plan %(plan)s: the installments add up to %(sum)s, not the plan's "
                        "total of %(total)s (and none may be negative); change the plan's "
                        "terms and its schedule is rebuilt.",
                        plan=plan.name,
                        sum=format_amount(self.env, total, currency),
                        total=format_amount(self.env, plan.amount_total, currency),
                    )
                )

    @api.depends("amount", "amount_paid")
    def _compute_state(self):
        for installment in self:
            currency = installment.currency_id
            left = currency.round(installment.amount - installment.amount_paid)
            installment.amount_residual = max(left, 0.0)
            if currency.is_zero(installment.amount_residual):
                installment.state = "paid"
            elif currency.is_zero(installment.amount_paid):
                installment.state = "open"
            else:
                installment.state = "partial"
