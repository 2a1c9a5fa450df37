from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Command

from .. import core
from ..core import inputs

TONE_SELECTION = core.selection(core.TONES, core.TONE_LABELS)


class DunningLevel(models.Model):
    _name = "dunning.level"
    _inherit = ["dunning.bounded.mixin"]
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
    variant_ids = fields.One2many(
        "dunning.level.variant",
        "level_id",
        string="Template Variants",
        context={"active_test": False},  # archived ones too: a finished experiment's history
        help="A template experiment: each email reminder of this level draws one of these "
        "templates in proportion to its weight, instead of the level's template. Compare them "
        "under Compare Variants; without variants the level's template is used.",
    )
    channel_ids = fields.One2many(
        "dunning.level.channel",
        "level_id",
        string="Channels",
        copy=True,
        default=lambda self: [Command.create({"channel": "email"})],
        help="How the reminder reaches the customer, in order. Channels that are not "
        "fallbacks are all used when they reach the customer (an address, a number, no "
        "opt-out); a fallback only when nothing above it could.",
    )
    channel_summary = fields.Char(string="Sent By", compute="_compute_channel_summary")
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template",
        domain="[('model', '=', 'dunning.communication')]",
        ondelete="restrict",
    )
    attach_invoices = fields.Boolean(
        string="Attach Invoice PDFs",
        help="Attach the PDF of every listed invoice to the email.",
    )
    attach_statement = fields.Boolean(
        string="Attach Customer Statement",
        help="Attach the customer's statement of open items with ageing to the email.",
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
    fee_currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_fee_currency_id",
        help="The currency of the policy's late payment law (EUR, GBP), else the company's.",
    )
    fee_amount = fields.Monetary(
        string="Reminder Fee",
        currency_field="fee_currency_id",
        help="Charged with this reminder where the late payment law allows it, in the law's "
        "currency (with rules by customer country: the country's law's), converted at the run "
        "date into the currency of the customer's invoices.",
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

    @api.depends("policy_id.rule_set_id", "policy_id.company_id")
    def _compute_fee_currency_id(self):
        for level in self:
            level.fee_currency_id = level.policy_id.rule_set_id._law_currency(
                level.policy_id.company_id or self.env.company
            )

    @api.depends("channel_ids.channel", "channel_ids.fallback", "channel_ids.sequence")
    def _compute_channel_summary(self):
        # The field's own labels: translated, and with the channels a bridge addon adds.
        labels = dict(
            self.env["dunning.level.channel"]._fields["channel"]._description_selection(self.env)
        )
        for level in self:
            parts = []
            for line in level.channel_ids.sorted(lambda c: (c.sequence, c.id)):
                label = labels[line.channel]
                if line.fallback and parts:
                    parts[-1] = self.env._(
                        "%(before)s, else %(after)s", before=parts[-1], after=label
                    )
                else:
                    parts.append(label)
            level.channel_summary = " + ".join(parts) or labels["email"]

    @api.constrains(
        "delay",
        "delay_unit",
        "mail_template_id",
        "sms_template_id",
        "channel_ids",
        "sequence",
        "minimum_gap_days",
        "minimum_amount",
    )
    def _check_policy_levels(self):
        self.policy_id._check_levels()

    @api.constrains("delay", "delay_unit", "minimum_gap_days")
    def _check_delay_range(self):
        units = dict(self._fields["delay_unit"]._description_selection(self.env))
        for level in self:
            most = inputs.MAX_DELAY[level.delay_unit]
            if level.delay > most:
                raise ValidationError(
                    self.env._(
                        "Level %(level)s: a delay of %(delay)s %(unit)s is more than ten years; "
                        "enter at most %(most)s.",
                        level=level.display_name,
                        delay=level.delay,
                        unit=units[level.delay_unit].lower(),
                        most=most,
                    )
                )
            if level.minimum_gap_days > inputs.MAX_GAP_DAYS:
                raise ValidationError(
                    self.env._(
                        "Level %(level)s: a minimum gap of %(gap)s days is more than ten years; "
                        "enter at most %(most)s.",
                        level=level.display_name,
                        gap=level.minimum_gap_days,
                        most=inputs.MAX_GAP_DAYS,
                    )
                )

    def action_compare_variants(self):
        """The template experiment's results: each variant's reminders and payments."""
        self.ensure_one()
        return self.env["dunning.variant.comparison"]._open_for(self)

    def _channel_pairs(self):
        """(channel, fallback) in order, as the core reads them; email when none is set."""
        self.ensure_one()
        lines = self.channel_ids.sorted(lambda c: (c.sequence, c.id))
        return tuple((line.channel, line.fallback) for line in lines) or (("email", False),)

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
