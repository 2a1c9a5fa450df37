from odoo import api, models


class DunningGdpr(models.AbstractModel):
    _inherit = "dunning.gdpr"

    @api.model
    def _export_data(self, partner):
        """The automated calls' transcripts, voicemails and key presses too."""
        data = super()._export_data(partner)
        communications = (
            self.env["dunning.communication"]
            .sudo()
            .search([("partner_id", "=", partner.commercial_partner_id.id)], order="date, id")
        )
        for exported, communication in zip(data["communications"], communications, strict=True):
            if communication.channel == "voice":
                exported.update(
                    call_status=communication.voice_status or None,
                    answered_by=communication.voice_answered_by or None,
                    call_duration_seconds=communication.voice_duration,
                    key_pressed=communication.voice_key_press or None,
                    voicemail_text=communication.voice_voicemail_text or None,
                    call_transcript=communication.voice_log or None,
                )
        return data

    @api.model
    def _anonymise_copies(self, communications):
        """Past their retention, automated calls forget what was said and to which number."""
        result = super()._anonymise_copies(communications)
        communications.filtered(lambda c: c.channel == "voice").write(
            {"voice_log": False, "voice_voicemail_text": False}
        )
        return result
