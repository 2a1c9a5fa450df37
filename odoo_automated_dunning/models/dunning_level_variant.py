from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..core import stats


class DunningLevelVariant(models.Model):
    """One email template of a level's experiment: each reminder of the level draws one of the
    active variants in proportion to their weights (core/stats.py)."""

    _name = "dunning.level.variant"
    _description = "Dunning Template Variant"
    _order = "level_id, sequence, id"

    level_id = fields.Many2one("dunning.level", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="level_id.company_id", store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Variant", required=True, help='A short name, e.g. "A" or "B".')
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        required=True,
        domain="[('model', '=', 'dunning.communication')]",
        ondelete="restrict",
    )
    weight = fields.Float(
        default=1.0,
        required=True,
        help="Share of the level's reminders that get this variant: weights 3 and 1 send the "
        "first to three reminders in four.",
    )
    active = fields.Boolean(default=True)

    @api.constrains("weight")
    def _check_weight(self):
        for variant in self:
            if variant.weight <= 0:
                raise ValidationError(
                    self.env._(
                        "Level %(level)s, variant %(variant)s: the weight must be above zero "
                        "(it is %(weight)s). Archive the variant to stop sending it.",
                        level=variant.level_id.display_name,
                        variant=variant.name,
                        weight=variant.weight,
                    )
                )

    @api.constrains("mail_template_id")
    def _check_template_model(self):
        for variant in self:
            if variant.mail_template_id.model != "dunning.communication":
                raise ValidationError(
                    self.env._(
                        "Level %(level)s, variant %(variant)s: the template %(template)s is not "
                        "a reminder template; choose one that applies to Dunning Communication.",
                        level=variant.level_id.display_name,
                        variant=variant.name,
                        template=variant.mail_template_id.display_name,
                    )
                )

    @api.model
    def _draw(self, keys):
        """{(partner id, level id, day): variant} for the reminders named by ``keys``, drawn
        among the active variants of their levels; reminders of levels without variants are
        left out. One query for all the keys."""
        level_ids = {level_id for _partner, level_id, _day in keys}
        variants = self.search([("level_id", "in", list(level_ids))]) if level_ids else self
        by_level = variants.grouped("level_id")
        drawn = {}
        for key in keys:
            partner_id, level_id, day = key
            choices = by_level.get(self.env["dunning.level"].browse(level_id))
            if not choices:
                continue
            index = stats.draw(
                stats.draw_key(partner_id, level_id, day), [v.weight for v in choices]
            )
            drawn[key] = choices[index]
        return drawn
