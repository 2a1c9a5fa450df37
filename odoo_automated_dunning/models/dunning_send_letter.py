from odoo import api, models


class DunningSendLetter(models.AbstractModel):
    """Letters: PDFs rendered for the batch, kept on each reminder for printing and posting."""

    _name = "dunning.send.letter"
    _description = "Dunning Send: Letter"

    @api.model
    def _send(self, communications):
        """Render the letters of the batch in one PDF job; each is kept on its reminder."""
        errors = self.env["ir.actions.report"]._dunning_render_letters(communications)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", communications._name), ("res_id", "in", communications.ids)],
            order="id desc",
        )
        by_record = {}
        for attachment in attachments:
            by_record.setdefault(attachment.res_id, attachment)
        for communication in communications:
            attachment = by_record.get(communication.id)
            if not attachment:
                communication.write(
                    {
                        "state": "failed",
                        "error_message": errors.get(communication.id)
                        or self.env._("The letter PDF could not be produced."),
                    }
                )
                continue
            communication.write(
                {
                    "state": "sent",
                    "letter_attachment_id": attachment.id,
                    "recipient_address": self._postal_address(communication),
                    "subject": self.env._("Letter: %(level)s", level=communication.level_id.name),
                }
            )
        self.env["dunning.send"]._log_on_customer(
            communications.filtered(lambda c: c.state == "sent")
        )

    @api.model
    def _postal_address(self, communication):
        partner = communication.recipient_id
        if not partner._dunning_has_address():
            partner = communication.partner_id
        # One line, without the empty lines of unused address fields (no "Street, , City").
        lines = partner._display_address(without_company=False).splitlines()
        return ", ".join(line.strip() for line in lines if line.strip())
