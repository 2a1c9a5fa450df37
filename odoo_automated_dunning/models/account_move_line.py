from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    # The open receivable items with what the collector's worklist sums, in invoice order:
    # it reads them without the table and merges them with the chased invoices
    # (account_move_dunning_chased_idx) in one pass (bench/README.md, worklist).
    _dunning_open_receivable_idx = models.Index(
        "(move_id) INCLUDE (company_id, partner_id, account_id, amount_residual, "
        "date_maturity, id) WHERE parent_state = 'posted' AND NOT reconciled "
        "AND amount_residual > 0"
    )
