from odoo import fields, models


class DunningConsent(models.Model):
    _inherit = "dunning.consent"

    # Automated (prerecorded, text-to-speech) calls need prior express consent (TCPA): their
    # own channel in the ledger, apart from calls by a collector.
    channel = fields.Selection(
        selection_add=[("voice", "Automated calls")], ondelete={"voice": "cascade"}
    )
    source = fields.Selection(
        selection_add=[("key_press", "Key press")], ondelete={"key_press": "set default"}
    )
