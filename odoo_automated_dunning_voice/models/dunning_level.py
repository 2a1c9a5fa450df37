from odoo import api, fields, models


class DunningLevel(models.Model):
    _inherit = "dunning.level"

    voice_template_id = fields.Many2one(
        "sms.template",
        string="Call Script",
        domain="[('model', '=', 'dunning.communication')]",
        ondelete="restrict",
        help="What an automated call says when a person answers, in the customer's language: "
        "who calls, the amount due, the oldest due date and the keys to press. Empty: the "
        "shipped script of the level's tone.",
    )
    voice_voicemail = fields.Selection(
        [("limited", "Limited-content message"), ("none", "Leave nothing")],
        string="On Voicemail",
        default="limited",
        required=True,
        help="Limited-content message: the company's name, a request to call back and the "
        "number, without a word about the debt (US Regulation F 1006.2(j)), so a third party "
        "hearing it learns nothing.",
    )
    voice_voicemail_template_id = fields.Many2one(
        "sms.template",
        string="Voicemail Script",
        domain="[('model', '=', 'dunning.communication')]",
        ondelete="restrict",
        default=lambda self: self.env.ref(
            "odoo_automated_dunning_voice.sms_template_voice_voicemail", raise_if_not_found=False
        ),
    )

    @api.constrains("voice_template_id", "voice_voicemail", "voice_voicemail_template_id")
    def _check_voice_scripts(self):
        self.channel_ids._check_voice_scripts()

    def _voice_script(self):
        """The level's call script, else the shipped one of its tone."""
        self.ensure_one()
        return self.voice_template_id or self.env.ref(
            f"odoo_automated_dunning_voice.sms_template_voice_{self.tone}",
            raise_if_not_found=False,
        )
