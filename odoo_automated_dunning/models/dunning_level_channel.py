from odoo import api, fields, models

from .. import core

CHANNEL_SELECTION = core.selection(core.CHANNELS, core.CHANNEL_LABELS)


class DunningLevelChannel(models.Model):
    _name = "dunning.level.channel"
    _description = "Dunning Level Channel"
    _order = "level_id, sequence, id"

    level_id = fields.Many2one("dunning.level", required=True, ondelete="cascade", index=True)
    sequence = fields.Integer(default=10)
    channel = fields.Selection(CHANNEL_SELECTION, required=True, default="email")
    fallback = fields.Boolean(
        string="Only as Fallback",
        help="Used only when none of the channels above it can reach the customer, e.g. a "
        "letter for customers without an email address.",
    )

    _level_channel_uniq = models.Constraint(
        "UNIQUE (level_id, channel)", "A level lists each channel once."
    )

    @api.constrains("channel", "level_id")
    def _check_level_templates(self):
        # An SMS channel needs the level's SMS template: checked with the policy's levels.
        self.level_id.policy_id._check_levels()
