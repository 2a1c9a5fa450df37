from odoo import fields, models
from odoo.tools import SQL

from ..models.dunning_communication import KEY_PRESSES, VOICE_OUTCOMES


class DunningEffectivenessReport(models.Model):
    """Automated calls in the effectiveness report: how each call ended and which key the
    customer pressed, to compare with what was paid after it."""

    _inherit = "dunning.effectiveness.report"
    _depends = {"dunning.communication": ["voice_outcome", "voice_key_press"]}

    channel = fields.Selection(selection_add=[("voice", "Automated call")])
    voice_outcome = fields.Selection(VOICE_OUTCOMES, string="Automated Call Outcome", readonly=True)
    voice_key_press = fields.Selection(KEY_PRESSES, string="Key Pressed", readonly=True)
    voice_call_count = fields.Integer(string="Automated Calls", readonly=True, aggregator="sum")
    voice_answered_count = fields.Integer(string="Calls Answered", readonly=True, aggregator="sum")
    voice_key_count = fields.Integer(
        string="Calls with a Key Press", readonly=True, aggregator="sum"
    )
    voice_promise_count = fields.Integer(
        string="Promises by Key Press", readonly=True, aggregator="sum"
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT base.*,
                   c.voice_outcome,
                   c.voice_key_press,
                   CASE WHEN c.channel = 'voice' THEN 1 ELSE 0 END AS voice_call_count,
                   CASE WHEN c.voice_outcome = 'answered' THEN 1 ELSE 0 END AS voice_answered_count,
                   CASE WHEN c.voice_key_press IS NOT NULL THEN 1 ELSE 0 END AS voice_key_count,
                   CASE WHEN c.voice_key_press = '3' THEN 1 ELSE 0 END AS voice_promise_count
              FROM (%s) base
              JOIN dunning_communication c ON c.id = base.id
            """,
            super()._table_query,
        )
