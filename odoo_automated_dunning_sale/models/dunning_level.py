from odoo import fields, models


class DunningLevel(models.Model):
    _inherit = "dunning.level"

    hold_sales = fields.Boolean(
        string="Hold Sales Orders",
        help="While a customer has an overdue invoice at this level, its quotations cannot be "
        "confirmed (a member of Credit Hold Override can, with a reason). The hold lifts by "
        "itself once the invoice is paid, disputed, covered by an active payment plan or by a "
        "promise to pay not yet broken.",
    )
