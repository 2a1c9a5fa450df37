from odoo import api, fields, models

from ..tools import twiml


class DunningSendVoice(models.AbstractModel):
    """Automated calls: the script rendered now in the recipient's language, the call placed
    by the job *Dunning: place automated calls* (dunning.communication._voice_place_due)."""

    _name = "dunning.send.voice"
    _description = "Dunning Send: Automated Call"

    @api.model
    def _send(self, communications):
        """Render what each call says, in the recipient's language, and queue the calls.

        The call itself is placed by the job *Dunning: place automated calls* once the run's
        batch is committed: the provider asks for the script as soon as someone answers, and a
        run that crashes before its commit places nothing.
        """
        communications.line_ids.move_id._dunning_ensure_access_tokens()
        now = fields.Datetime.now()
        for level, batch in communications.grouped("level_id").items():
            script = level._voice_script()
            if not script:
                batch.write(
                    {
                        "state": "failed",
                        "error_message": self.env._(
                            "Level %(level)s has no call script.", level=level.name
                        ),
                    }
                )
                continue
            try:
                with self.env.cr.savepoint():
                    scripts = script._render_field("body", batch.ids, compute_lang=True)
                    voicemails = (
                        level.voice_voicemail_template_id._render_field(
                            "body", batch.ids, compute_lang=True
                        )
                        if level.voice_voicemail == "limited"
                        else {}
                    )
            except Exception as error:  # noqa: BLE001 - recorded, retried by the next run
                batch.write({"state": "failed", "error_message": str(error)})
                continue
            for communication in batch:
                number = communication._voice_number()
                if not number:
                    communication.write(
                        {
                            "state": "failed",
                            "error_message": self.env._("No phone number to call."),
                        }
                    )
                    continue
                moment = communication._contact_moment()
                communication.write(
                    {
                        "state": "sent",
                        "voice_status": "pending",
                        "body": scripts[communication.id],
                        "voice_voicemail_text": voicemails.get(communication.id) or False,
                        "voice_language": twiml.language(communication._voice_lang()),
                        "recipient_address": number,
                        "subject": self.env._(
                            "Automated call: %(level)s", level=communication.level_id.name
                        ),
                        "scheduled_at": moment if moment > now else False,
                    }
                )
        queued = communications.filtered(lambda c: c.voice_status == "pending")
        queued._voice_note_on_customer()
        if queued:
            self.env.ref("odoo_automated_dunning_voice.ir_cron_dunning_voice_place")._trigger()
