from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

# An invoice whose receivable dunning chases: paid, in payment or reversed means nothing left
# open (the worklist's rule since it exists).
NOT_CHASED_PAYMENT_STATES = ("paid", "in_payment", "reversed")


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    dunning_chased = fields.Boolean(
        compute="_compute_dunning_chased",
        store=True,
        help="The item's invoice is one dunning chases: a customer invoice, not paid, in "
        "payment or reversed, not disputed. Kept on the item so that the collector's "
        "worklist sums the open items from one index, without reading their invoices.",
    )

    # The open receivable items of chased invoices, by customer, with what the worklist sums:
    # it reads them from this index alone, in customer order (bench/README.md, worklist).
    _dunning_worklist_idx = models.Index(
        "(partner_id, company_id) INCLUDE (account_id, amount_residual, date_maturity, id, "
        "move_id) WHERE dunning_chased AND parent_state = 'posted' AND NOT reconciled "
        "AND amount_residual > 0"
    )
    # The open receivable items with what the collector's worklist summed, in invoice order
    # (merged with account_move_dunning_chased_idx); kept for the other readers of open items.
    _dunning_open_receivable_idx = models.Index(
        "(move_id) INCLUDE (company_id, partner_id, account_id, amount_residual, "
        "date_maturity, id) WHERE parent_state = 'posted' AND NOT reconciled "
        "AND amount_residual > 0"
    )

    def _auto_init(self):
        # Installed on a large book: one UPDATE from the invoices instead of the ORM's
        # computation of every journal item; the compute keeps it from then on.
        if not column_exists(self.env.cr, "account_move_line", "dunning_chased"):
            create_column(self.env.cr, "account_move_line", "dunning_chased", "boolean")
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move_line line SET dunning_chased = TRUE"
                    "  FROM account_move move WHERE move.id = line.move_id AND %s",
                    self._dunning_chased_sql(),
                )
            )
        return super()._auto_init()

    def _dunning_chased_sql(self):
        """SQL: the invoice ``move`` is chased, as the compute says (for the install)."""
        # Installed with the addon, the invoices' dispute column may not exist yet: nothing
        # is disputed then.
        disputed = (
            SQL("COALESCE(move.dunning_dispute, FALSE)")
            if column_exists(self.env.cr, "account_move", "dunning_dispute")
            else SQL("FALSE")
        )
        return SQL(
            "(move.move_type = 'out_invoice' AND move.payment_state NOT IN %s AND NOT %s)",
            NOT_CHASED_PAYMENT_STATES,
            disputed,
        )

    @api.depends("move_id.move_type", "move_id.payment_state", "move_id.dunning_dispute")
    def _compute_dunning_chased(self):
        for line in self:
            move = line.move_id
            line.dunning_chased = (
                move.move_type == "out_invoice"
                and move.payment_state not in NOT_CHASED_PAYMENT_STATES
                and not move.dunning_dispute
            )
