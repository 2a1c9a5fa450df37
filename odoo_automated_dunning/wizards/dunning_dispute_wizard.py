from odoo import fields, models
from odoo.exceptions import UserError


class DunningDisputeWizard(models.TransientModel):
    _name = "dunning.dispute.wizard"
    _description = "Dispute Invoices"

    move_ids = fields.Many2many("account.move", string="Invoices", required=True)
    reason = fields.Text(required=True, help="What the customer disputes; kept on the invoice.")
    reply_id = fields.Many2one(
        "dunning.reply",
        string="Customer Reply",
        readonly=True,
        help="The customer's reply this dispute comes from: done once the dispute is recorded.",
    )

    def action_confirm(self):
        self.ensure_one()
        not_invoices = self.move_ids.filtered(lambda m: m.move_type != "out_invoice")
        if not_invoices:
            raise UserError(
                self.env._(
                    "Only customer invoices can be disputed; remove %(names)s from the selection.",
                    names=", ".join(not_invoices.mapped("display_name")),
                )
            )
        source = (
            self.env._("customer's reply by email")
            if self.reply_id
            else self.env._("recorded in the back office")
        )
        self.move_ids._dunning_open_dispute(self.reason, source)
        if self.reply_id:
            self.reply_id._dispute_recorded(self.move_ids)
        return {"type": "ir.actions.act_window_close"}
