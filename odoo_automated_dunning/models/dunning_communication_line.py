from odoo import api, fields, models


class DunningCommunicationLine(models.Model):
    _name = "dunning.communication.line"
    _description = "Invoice Listed in a Dunning Communication"
    _order = "date_due, id"
    # Written once with its reminder, never after: the reminder keeps who made it and when.
    # Without the log columns, a large run's INSERT checks two foreign keys less per line.
    # For the same reason the company and the currency are read through the reminder and
    # the invoice rather than stored: PostgreSQL checks each stored many2one's foreign key
    # row by row, and these two were a quarter of a large run's database time.
    _log_access = False

    communication_id = fields.Many2one(
        "dunning.communication", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="communication_id.company_id")
    # For the invoice's reminder history: when, how and with what result.
    date = fields.Date(related="communication_id.date", string="Date")
    channel = fields.Selection(related="communication_id.channel")
    state = fields.Selection(related="communication_id.state", string="Status")
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, ondelete="cascade", index=True
    )
    level_id = fields.Many2one(
        "dunning.level", help="The invoice's level after this communication (empty: none yet)."
    )
    previous_level_id = fields.Many2one("dunning.level")
    previous_date = fields.Date(help="When the invoice's previous level was sent.")
    escalated = fields.Boolean(help="This communication raised the invoice to its level.")
    date_due = fields.Date(string="Due Date")
    days_overdue = fields.Integer()
    # A posted invoice keeps its currency, so the line's amount is in it.
    currency_id = fields.Many2one(related="move_id.currency_id")
    amount_residual = fields.Monetary(string="Amount Due", currency_field="currency_id")
    pay_url = fields.Char(compute="_compute_pay_url", string="Payment Link")

    @api.depends("move_id")
    def _compute_pay_url(self):
        for line in self:
            move = line.move_id
            # The portal link carries the invoice's access token, so no login is needed.
            line.pay_url = f"{move.get_base_url()}{move.get_portal_url()}" if move else False
