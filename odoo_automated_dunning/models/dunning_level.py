from odoo import api, fields, models

TONE_SELECTION = [
    ("friendly", "Friendly"),
    ("persuasive", "Persuasive"),
    ("formal", "Formal"),
    ("final", "Final notice"),
]


class DunningLevel(models.Model):
    _name = "dunning.level"
    _description = "Dunning Level"
    _order = "policy_id, sequence, id"

    policy_id = fields.Many2one("dunning.policy", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="policy_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True)
    delay = fields.Integer(
        required=True, default=7, help="How long after the due date this level may be sent."
    )
    delay_unit = fields.Selection(
        [("day", "Days"), ("week", "Weeks"), ("month", "Months")], required=True, default="day"
    )
    tone = fields.Selection(TONE_SELECTION, required=True, default="friendly")
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        domain="[('model', '=', 'dunning.communication')]",
        ondelete="restrict",
    )
    minimum_amount = fields.Monetary(
        currency_field="company_currency_id",
        string="Minimum Overdue Amount",
        help="Sent only when the customer's overdue total under this policy (in company "
        "currency) reaches this amount.",
    )
    minimum_gap_days = fields.Integer(
        string="Minimum Gap (days)",
        default=7,
        help="Days that must pass since the invoice's previous reminder before this level.",
    )
    company_currency_id = fields.Many2one(related="policy_id.company_id.currency_id")
    fee_amount = fields.Monetary(
        string="Reminder Fee",
        currency_field="company_currency_id",
        help="Charged with this reminder where the policy's rule set allows it.",
    )
    fee_product_id = fields.Many2one(
        "product.product",
        default=lambda self: self.env.ref(
            "odoo_automated_dunning.product_dunning_fee", raise_if_not_found=False
        ),
        help="Gives the fee its taxes and income account.",
    )
    charge_compensation = fields.Boolean(
        string="Charge Fixed Compensation",
        help="Charge once per late invoice the statutory fixed compensation (businesses, e.g. "
        "EUR 40) or the collection costs the law allows for consumers (e.g. the Dutch WIK scale "
        "once the reminder stating the amount has expired).",
    )
    charge_interest = fields.Boolean(
        help="Issue an interest note for the statutory interest accrued on the listed invoices.",
    )

    @api.depends("name", "policy_id.name")
    def _compute_display_name(self):
        for level in self:
            level.display_name = (
                f"{level.policy_id.name} / {level.name}" if level.policy_id else level.name
            )

    @api.constrains(
        "delay", "delay_unit", "mail_template_id", "sequence", "minimum_gap_days", "minimum_amount"
    )
    def _check_policy_levels(self):
        self.policy_id._check_levels()

    def _rank(self):
        """Position of this level in its policy, from 0."""
        self.ensure_one()
        return self.policy_id.level_ids.sorted(lambda lv: (lv.sequence, lv.id)).ids.index(self.id)

    def unlink(self):
        policies = self.policy_id
        result = super().unlink()
        # Removing the last level must not leave an active policy that cannot dun.
        policies.exists()._check_levels()
        return result
