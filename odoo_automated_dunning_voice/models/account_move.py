from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_voice_number = fields.Char(
        string="Number Given for the Debt",
        readonly=True,
        copy=False,
        help="The customer's phone number when the invoice was posted. Where the company's "
        "legal preset says so, automated reminder calls about this invoice may go to this "
        "number (prior express consent); a number added later never counts.",
    )

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        for move in posted.filtered(lambda m: m.is_sale_document() and not m.dunning_voice_number):
            partner = move.partner_id
            number = partner.phone_sanitized or partner.commercial_partner_id.phone_sanitized
            if number:
                move.dunning_voice_number = number
        return posted
