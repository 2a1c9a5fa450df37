from odoo import api, fields, models
from odoo.exceptions import ValidationError


class DunningLevelChannel(models.Model):
    _inherit = "dunning.level.channel"

    channel = fields.Selection(
        selection_add=[("voice", "Automated call")], ondelete={"voice": "cascade"}
    )

    @api.constrains("channel", "level_id")
    def _check_voice_scripts(self):
        for line in self.filtered(lambda c: c.channel == "voice"):
            level = line.level_id
            where = self.env._(
                'Policy "%(policy)s", level "%(level)s"',
                policy=level.policy_id.name,
                level=level.name,
            )
            if not level._voice_script():
                raise ValidationError(
                    self.env._(
                        "%(where)s places automated calls but has no call script; choose one "
                        "or remove the automated call channel.",
                        where=where,
                    )
                )
            if level.voice_voicemail == "limited" and not level.voice_voicemail_template_id:
                raise ValidationError(
                    self.env._(
                        "%(where)s leaves a voicemail but has no voicemail script; choose one "
                        "or set On Voicemail to Leave nothing.",
                        where=where,
                    )
                )
