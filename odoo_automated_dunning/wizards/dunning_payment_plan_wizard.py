from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from .. import core
from ..models.dunning_payment_plan import FREQUENCY_SELECTION


class DunningPaymentPlanWizard(models.TransientModel):
    _name = "dunning.payment.plan.wizard"
    _inherit = ["dunning.bounded.mixin"]
    _description = "New Payment Plan"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        required=True,
        domain="[('commercial_partner_id', '=', partner_id), ('move_type', '=', 'out_invoice'), "
        "('state', '=', 'posted'), ('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_amount_total")
    amount_total = fields.Monetary(string="Total", compute="_compute_amount_total")
    down_payment = fields.Monetary()
    installment_count = fields.Integer(string="Installments", required=True, default=3)
    frequency = fields.Selection(FREQUENCY_SELECTION, required=True, default="monthly")
    first_due_date = fields.Date(
        required=True, default=lambda self: self.env.company._dunning_today()
    )
    preview = fields.Html(compute="_compute_preview", sanitize=False)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "account.move" and context.get("active_ids"):
            moves = self.env["account.move"].browse(context["active_ids"])
            values["invoice_ids"] = [(6, 0, moves.ids)]
            values["partner_id"] = moves.commercial_partner_id[:1].id
        elif context.get("active_model") == "res.partner" and context.get("active_id"):
            partner = self.env["res.partner"].browse(context["active_id"]).commercial_partner_id
            values["partner_id"] = partner.id
            moves = self.env["dunning.facts"]._open_invoices(partner, self.env.company)
            values["invoice_ids"] = [(6, 0, moves.ids)]
        return values

    @api.depends("invoice_ids")
    def _compute_amount_total(self):
        for wizard in self:
            currency = wizard.invoice_ids.currency_id[:1] or self.env.company.currency_id
            wizard.currency_id = currency
            wizard.amount_total = currency.round(sum(wizard.invoice_ids.mapped("amount_residual")))

    @api.depends("amount_total", "down_payment", "installment_count", "frequency", "first_due_date")
    def _compute_preview(self):
        for wizard in self:
            digits = wizard.currency_id.decimal_places
            problems = core.schedule_problems(
                wizard.amount_total,
                wizard.down_payment,
                wizard.installment_count,
                wizard.frequency,
                digits,
            )
            problem = self.env["dunning.payment.plan"]._terms_problem(
                wizard.installment_count, None, wizard.first_due_date
            )
            if problem:
                problems = [problem]
            if problems or not wizard.first_due_date:
                wizard.preview = Markup("<p class='text-danger'>%s</p>") % " ".join(problems)
                continue
            rows = Markup("").join(
                Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>")
                % (
                    index,
                    format_date(self.env, item.due_date),
                    format_amount(self.env, item.amount, wizard.currency_id),
                )
                for index, item in enumerate(
                    core.build_schedule(
                        wizard.amount_total,
                        wizard.down_payment,
                        wizard.installment_count,
                        wizard.frequency,
                        wizard.first_due_date,
                        digits,
                    ),
                    start=1,
                )
            )
            wizard.preview = (
                Markup("<table class='table table-sm'><thead><tr><th>#</th><th>%s</th>")
                % self.env._("Due Date")
                + Markup("<th class='text-end'>%s</th></tr></thead><tbody>") % self.env._("Amount")
                + rows
                + Markup("</tbody></table>")
            )

    @api.constrains("installment_count", "first_due_date", "down_payment")
    def _check_terms(self):
        Plan = self.env["dunning.payment.plan"]
        for wizard in self:
            problem = Plan._terms_problem(wizard.installment_count, None, wizard.first_due_date)
            if problem:
                raise ValidationError(problem)
            if wizard.currency_id.compare_amounts(wizard.down_payment, 0) < 0:
                raise ValidationError(
                    self.env._("The down payment cannot be negative; enter 0 or more.")
                )

    def _create_plan(self):
        self.ensure_one()
        if self.invoice_ids.commercial_partner_id != self.partner_id.commercial_partner_id:
            raise UserError(
                self.env._(
                    "Select only invoices of %(partner)s for this plan.",
                    partner=self.partner_id.display_name,
                )
            )
        Plan = self.env["dunning.payment.plan"]
        return Plan.create(
            Plan._prepare_from_invoices(
                self.invoice_ids,
                down_payment=self.down_payment,
                installment_count=self.installment_count,
                frequency=self.frequency,
                first_due_date=self.first_due_date,
            )
        )

    def _open(self, plan):
        return {
            "type": "ir.actions.act_window",
            "res_model": "dunning.payment.plan",
            "res_id": plan.id,
            "view_mode": "form",
        }

    def action_create(self):
        return self._open(self._create_plan())

    def action_propose(self):
        plan = self._create_plan()
        plan.action_propose()
        return self._open(plan)
