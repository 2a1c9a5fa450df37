from odoo import models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    def write(self, vals):
        """A bounce that comes back for a reminder's email marks the reminder bounced."""
        result = super().write(vals)
        if vals.get("notification_status") == "bounce":
            communications = (
                self.env["dunning.communication"]
                .sudo()
                .search(
                    [
                        ("mail_message_id", "in", self.mail_message_id.ids),
                        ("channel", "=", "email"),
                    ]
                )
            )
            if communications:
                reasons = {
                    notification.mail_message_id.id: notification.failure_reason
                    for notification in self
                }
                self.env["dunning.send"].sudo()._refused(
                    {c: reasons.get(c.mail_message_id.id) or "" for c in communications},
                    bounced=True,
                )
        return result
