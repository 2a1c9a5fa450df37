from odoo import fields, models
from odoo.exceptions import UserError


class DunningWaiveWizard(models.TransientModel):
    _name = "dunning.waive.wizard"
    _description = "Waive Dunning Charges"

    move_ids = fields.Many2many(
        "account.move", string="Fee Invoices and Interest Notes", required=True
    )
    reason = fields.Text(required=True, help="Why the charges are waived; kept on record.")

    def action_confirm(self):
        """Credit posted charge documents in full (reconciled credit note), cancel drafts."""
        self.ensure_one()
        if not self.env.user.has_group("odoo_automated_dunning.group_dunning_manager"):
            raise UserError(self.env._("Only Dunning managers can waive charges."))
        not_charges = self.move_ids.filtered(lambda m: not m.dunning_charge_ids)
        if not_charges:
            raise UserError(
                self.env._(
                    "%(names)s are not dunning fee invoices or interest notes: only those can be "
                    "waived here. Use a credit note for other invoices.",
                    names=", ".join(not_charges.mapped("display_name")),
                )
            )
        already = self.move_ids.filtered(
            lambda m: m.state == "cancel" or m.payment_state == "reversed"
        )
        if already:
            raise UserError(
                self.env._(
                    "%(names)s are already cancelled or credited.",
                    names=", ".join(already.mapped("display_name")),
                )
            )
        posted = self.move_ids.filtered(lambda m: m.state == "posted")
        if posted:
            credit_notes = posted._reverse_moves(
                [{"ref": self.env._("Waived: %(reason)s", reason=self.reason)} for _move in posted],
                cancel=True,
            )
            for move, credit_note in zip(posted, credit_notes, strict=True):
                move.message_post(
                    body=self.env._(
                        "Charges waived by %(user)s and credited by %(credit)s: %(reason)s",
                        user=self.env.user.name,
                        credit=credit_note.name,
                        reason=self.reason,
                    )
                )
        (self.move_ids - posted).button_cancel()
        self.move_ids.dunning_charge_ids.write(
            {
                "state": "waived",
                "waiver_reason": self.reason,
                "waived_by_id": self.env.user.id,
                "waived_date": self.env.company._dunning_today(),
            }
        )
        return {"type": "ir.actions.act_window_close"}
