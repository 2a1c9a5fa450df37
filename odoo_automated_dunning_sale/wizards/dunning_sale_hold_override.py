from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html


class DunningSaleHoldOverride(models.TransientModel):
    _name = "dunning.sale.hold.override"
    _description = "Confirm Despite Credit Hold"

    order_id = fields.Many2one("sale.order", string="Quotation", required=True, readonly=True)
    hold_message = fields.Text(related="order_id.dunning_hold_message", string="Credit Hold")
    reason = fields.Text(
        required=True,
        help="Why this customer gets goods on credit despite its overdue invoices; kept on the "
        "order and in the chatter of the order and of the customer.",
    )

    def action_confirm(self):
        """Record who overrode the hold, when and why, confirm the order, and say so in the
        chatter of the order and of the customer."""
        self.ensure_one()
        order = self.order_id
        order._check_override_allowed()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(
                self.env._(
                    "Give the reason to confirm %(order)s despite the credit hold.",
                    order=order.name,
                )
            )
        hold = order.dunning_hold_message
        order.write(
            {
                "dunning_override_user_id": self.env.user.id,
                "dunning_override_date": fields.Datetime.now(),
                "dunning_override_reason": reason,
            }
        )
        order.action_confirm()
        body = Markup("<p>%s</p>%s") % (
            self.env._(
                "%(user)s confirmed %(order)s despite the credit hold. Reason:",
                user=self.env.user.name,
                order=order.name,
            ),
            plaintext2html(reason),
        )
        if hold:
            body += Markup('<p class="text-muted">%s</p>') % hold
        order.message_post(body=body, subtype_xmlid="mail.mt_note")
        # The customer's chatter too, whoever may write on customers.
        order.partner_id.commercial_partner_id.sudo().message_post(
            body=body, subtype_xmlid="mail.mt_note", author_id=self.env.user.partner_id.id
        )
        return {"type": "ir.actions.act_window_close"}
