from odoo import fields, models


class DunningCapRule(models.Model):
    _inherit = "dunning.cap.rule"

    # A rule for calls counts automated calls too; this one counts only automated calls.
    channel = fields.Selection(
        selection_add=[("voice", "Automated call")], ondelete={"voice": "cascade"}
    )
