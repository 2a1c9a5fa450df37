from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..core import inputs


class DunningInterestNoteWizard(models.TransientModel):
    _name = "dunning.interest.note.wizard"
    _description = "Issue an Interest Note"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    date = fields.Date(
        required=True,
        default=lambda self: self.env.company._dunning_today(),
        help="Interest runs up to this date.",
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_move_ids",
        store=True,
        readonly=False,
        help="Overdue invoices and invoices paid late; periods already charged are left out.",
    )
    policy_id = fields.Many2one(
        "dunning.policy",
        required=True,
        compute="_compute_policy_id",
        store=True,
        readonly=False,
        help="Its late payment rules decide the rate.",
    )

    @api.depends("partner_id", "company_id", "date")
    def _compute_move_ids(self):
        for wizard in self:
            wizard.move_ids = (
                self.env["account.move"]
                .search(
                    [
                        ("commercial_partner_id", "=", wizard.partner_id.commercial_partner_id.id),
                        ("company_id", "=", wizard.company_id.id),
                        ("move_type", "=", "out_invoice"),
                        ("state", "=", "posted"),
                        ("invoice_date_due", "<", wizard.date),
                        ("dunning_dispute", "=", False),
                        ("dunning_charge_ids", "=", False),
                    ]
                )
                .filtered(
                    lambda m: m.payment_state in ("not_paid", "partial") or m._dunning_paid_late()
                )
            )

    @api.depends("partner_id", "company_id")
    def _compute_policy_id(self):
        for wizard in self:
            own = wizard.partner_id.commercial_partner_id.with_company(
                wizard.company_id
            ).dunning_policy_id
            wizard.policy_id = own or self.env["dunning.policy"].search(
                [("company_id", "=", wizard.company_id.id), ("rule_set_id", "!=", False)], limit=1
            )

    @api.constrains("date", "company_id")
    def _check_date(self):
        for wizard in self:
            today = wizard.company_id._dunning_today()
            if not inputs.date_in_range(wizard.date, today, days_ahead=0):
                raise ValidationError(
                    self.env._(
                        "Interest runs up to a day that has come: choose a date between "
                        "%(first)s and today (%(today)s), not %(date)s.",
                        first=inputs.MIN_DATE,
                        today=today,
                        date=wizard.date,
                    )
                )

    def action_confirm(self):
        self.ensure_one()
        customer = self.partner_id.commercial_partner_id
        if customer.dunning_pause_until and customer.dunning_pause_until >= self.date:
            raise UserError(
                self.env._(
                    "%(customer)s is paused until %(until)s: no interest is charged while dunning "
                    "is paused. Lift the pause (Invoicing tab) first if it no longer applies.",
                    customer=customer.display_name,
                    until=customer.dunning_pause_until,
                )
            )
        if not self.move_ids:
            raise UserError(
                self.env._(
                    "%(customer)s has no overdue or late-paid invoice to charge interest on.",
                    customer=self.partner_id.display_name,
                )
            )
        # The ledger is written by the system, not edited by users (read-only for them).
        charge_model = self.env["dunning.charge"].sudo()
        vals = charge_model._prepare(
            self.policy_id,
            self.partner_id.commercial_partner_id,
            self.date,
            interest_invoices=self.move_ids,
        )
        # Asked for explicitly: no note that silently leaves out an invoice whose rate is missing.
        missing = {v["reason"] for v in vals if v.get("missing_rate_reference")}
        if missing:
            raise UserError("\n".join(sorted(missing)))
        records = charge_model._create_documents(vals)
        documents = records.charge_move_id
        if not documents:
            reasons = "; ".join(sorted(set(records.mapped("reason")) - {False}))
            raise UserError(
                self.env._(
                    "No interest is due for %(customer)s. %(reasons)s",
                    customer=self.partner_id.display_name,
                    reasons=reasons,
                )
            )
        if self.policy_id.post_charges:
            documents.action_post()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "view_mode": "form",
            "res_id": documents[0].id,
        }
