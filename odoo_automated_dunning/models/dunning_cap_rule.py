from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .. import core
from .dunning_level_channel import CHANNEL_SELECTION


class DunningCapRule(models.Model):
    """How often a customer may be contacted: per channel, per debt, after a conversation."""

    _name = "dunning.cap.rule"
    _description = "Dunning Contact Frequency Rule"
    _order = "company_id, sequence, id"

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    channel = fields.Selection(
        CHANNEL_SELECTION, help="Empty: the rule counts each channel on its own."
    )
    count = fields.Integer(
        string="At Most",
        help="Contacts allowed within the days below (0: no count limit, e.g. a rule that only "
        "keeps quiet after a conversation).",
    )
    days = fields.Integer(string="Within Days", default=7)
    per_debt = fields.Boolean(
        help="Count only the contacts about the same invoice (Regulation F counts per debt)."
    )
    quiet_days = fields.Integer(
        string="Quiet Days after a Conversation",
        help="No contact on this channel for this many days after a call that reached the "
        "customer.",
    )
    country_id = fields.Many2one(
        "res.country", help="Only for customers in this country (empty: every customer)."
    )
    state_id = fields.Many2one(
        "res.country.state",
        domain="[('country_id', '=', country_id)]",
        help="Only for customers in this state, e.g. Massachusetts.",
    )
    preset = fields.Char(
        readonly=True, help="The legal preset that created it; applying a preset replaces these."
    )

    @api.constrains("count", "days", "quiet_days")
    def _check_numbers(self):
        for rule in self:
            if rule.count < 0 or rule.days < 1 or rule.quiet_days < 0:
                raise ValidationError(
                    self.env._(
                        "Contact rule %(rule)s: set 0 or more contacts within at least one day, "
                        "and 0 or more quiet days.",
                        rule=rule.name,
                    )
                )

    def _applies_to(self, partner):
        self.ensure_one()
        if self.country_id and partner.country_id != self.country_id:
            return False
        return not self.state_id or partner.state_id == self.state_id

    def _core(self):
        self.ensure_one()
        return core.CapRule(
            self.name,
            self.channel or None,
            self.count,
            self.days,
            self.per_debt,
            self.quiet_days,
        )
