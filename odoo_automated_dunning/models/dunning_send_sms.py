from odoo import api, fields, models


class DunningSendSms(models.AbstractModel):
    """SMS: rendered in the recipient's language, queued in Odoo's SMS queue within the
    contact hours (outside them the hourly release job queues it)."""

    _name = "dunning.send.sms"
    _description = "Dunning Send: SMS"

    @api.model
    def _send(self, communications):
        """Queue the SMS in Odoo's SMS queue, rendered in the recipient's language."""
        communications.line_ids.move_id._dunning_ensure_access_tokens()
        for template, batch in communications.grouped(lambda c: c.level_id.sms_template_id).items():
            if not template:
                batch.write(
                    {
                        "state": "failed",
                        "error_message": self.env._("The level has no SMS template."),
                    }
                )
                continue
            try:
                with self.env.cr.savepoint():
                    bodies = template._render_field("body", batch.ids, compute_lang=True)
            except Exception as error:  # noqa: BLE001 - recorded, retried by the next run
                batch.write({"state": "failed", "error_message": str(error)})
                continue
            now = fields.Datetime.now()
            for communication in batch:
                moment = communication._contact_moment()
                communication.write(
                    {
                        # Sent once the SMS provider takes it (sms_sms.py).
                        "state": "queued",
                        "body": bodies[communication.id],
                        "recipient_address": self._sms_number(communication),
                        # Outside the contact hours the rendered SMS waits for the release job.
                        "scheduled_at": moment if moment > now else False,
                    }
                )
            self._queue_sms(batch.filtered(lambda c: not c.scheduled_at))
            self.env["dunning.send"]._log_on_customer(batch)

    @api.model
    def _queue_sms(self, communications):
        """Hand the rendered SMS to Odoo's SMS queue, as they were recorded."""
        sms_records = self.env["sms.sms"].create(
            [
                {
                    "number": c.recipient_address,
                    "body": c.body,
                    "partner_id": c.recipient_id.id,
                    # Kept after sending: it can be queued once more if the provider refuses.
                    "to_delete": False,
                }
                for c in communications
            ]
        )
        for communication, sms in zip(communications, sms_records, strict=True):
            communication.sms_id = sms

    @api.model
    def _sms_number(self, communication):
        for partner in (communication.recipient_id, communication.partner_id):
            if partner.phone_sanitized and not partner.phone_blacklisted:
                return partner.phone_sanitized
        return False
