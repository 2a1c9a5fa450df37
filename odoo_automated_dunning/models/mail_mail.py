from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def send(self, auto_commit=False, raise_exception=False, post_send_callback=None):
        """A reminder email whose invoices were paid or disputed while it waited (for the
        contact hours or the email quota) is withdrawn here, never sent."""
        withdrawn = self.env["dunning.send.quota"].sudo()._withdraw_settled(self)
        return super(MailMail, self - withdrawn).send(
            auto_commit=auto_commit,
            raise_exception=raise_exception,
            post_send_callback=post_send_callback,
        )

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        """The mail server's answer settles the reminders these mails carry, at once: sent when
        it accepted the mail, failed with its reason when it refused it (as Odoo's own
        notifications learn a mail's fate here)."""
        communications = (
            self.env["dunning.communication"].sudo().search([("mail_id", "in", self.ids)])
        )
        if communications:
            accepted = communications.filtered(lambda c: c.mail_id.state == "sent")
            self.env["dunning.send"].sudo()._accepted(accepted)
            self.env["dunning.send"].sudo()._refused(
                {
                    communication: communication.mail_id.failure_reason
                    or failure_reason
                    or communication.mail_id.failure_type
                    for communication in communications - accepted
                    if communication.mail_id.state == "exception"
                }
            )
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )
