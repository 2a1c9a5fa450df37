from odoo import api, models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _message_route_process(self, message, message_dict, routes):
        """Once Odoo has posted an incoming email where it belongs, a reply to a reminder is
        also recorded as a customer reply (dunning_reply_gateway.py). Here because only here are the
        email's headers at hand (auto-replies are told by them) along with the posted message.
        """
        thread_id = super()._message_route_process(message, message_dict, routes)
        self.env["dunning.reply"].sudo()._record_from_gateway(message, message_dict)
        return thread_id
