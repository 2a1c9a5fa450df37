from odoo import models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def _handle_call_result_hook(self, results):
        """The SMS provider's answer settles the reminders these SMS carry, at once: sent when
        it took the SMS, failed with its reason when it refused it."""
        super()._handle_call_result_hook(results)
        communications = (
            self.env["dunning.communication"].sudo().search([("sms_id", "in", self.ids)])
        )
        if not communications:
            return
        labels = dict(self._fields["failure_type"]._description_selection(self.env))
        details = {result["uuid"]: result.get("failure_reason") for result in results}
        refused = communications.filtered(lambda c: c.sms_id.state == "error")
        sender = self.env["dunning.send"].sudo()
        sender._accepted(communications - refused)
        sender._refused(
            {
                communication: ": ".join(
                    part
                    for part in (
                        labels.get(communication.sms_id.failure_type),
                        details.get(communication.sms_id.uuid),
                    )
                    if part
                )
                or self.env._("unknown error")
                for communication in refused
            }
        )
