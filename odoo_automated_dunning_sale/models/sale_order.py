from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

OVERRIDE_GROUP = "odoo_automated_dunning_sale.group_credit_hold_override"
# Written only by the override wizard, for a member of the group.
OVERRIDE_FIELDS = ("dunning_override_user_id", "dunning_override_date", "dunning_override_reason")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # Not stored: the hold lifts by itself the moment its invoices no longer hold.
    dunning_hold_message = fields.Text(
        string="Credit Hold",
        compute="_compute_dunning_hold_message",
        help="Why this quotation cannot be confirmed: the customer's overdue invoices at a "
        "dunning level that holds sales.",
    )
    dunning_override_user_id = fields.Many2one(
        "res.users", string="Credit Hold Overridden By", readonly=True, copy=False
    )
    dunning_override_date = fields.Datetime(
        string="Credit Hold Overridden On", readonly=True, copy=False
    )
    dunning_override_reason = fields.Text(
        string="Credit Hold Override Reason", readonly=True, copy=False
    )

    @api.depends("partner_id", "company_id", "state", "amount_total", "amount_paid")
    @api.depends_context("lang")
    def _compute_dunning_hold_message(self):
        messages = self._dunning_hold_messages()
        for order in self:
            order.dunning_hold_message = messages.get(order.id, False)

    @api.model_create_multi
    def create(self, vals_list):
        if any(field in vals for vals in vals_list for field in OVERRIDE_FIELDS):
            self._check_override_allowed()
        return super().create(vals_list)

    def write(self, vals):
        if any(field in vals for field in OVERRIDE_FIELDS):
            self._check_override_allowed()
        return super().write(vals)

    def action_confirm(self):
        messages = self._dunning_hold_messages()
        for order in self:
            if order.id in messages:
                raise UserError(
                    self.env._(
                        "%(order)s cannot be confirmed.\n%(why)s",
                        order=order.name,
                        why=messages[order.id],
                    )
                )
        return super().action_confirm()

    def action_dunning_override_hold(self):
        """Open the wizard that confirms a held quotation with a reason (the group's only)."""
        self.ensure_one()
        self._check_override_allowed()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Confirm Despite Credit Hold"),
            "res_model": "dunning.sale.hold.override",
            "view_mode": "form",
            "target": "new",
            "context": {"default_order_id": self.id},
        }

    # ----------------------------------------------------------------- the hold

    def _check_override_allowed(self):
        if not self.env.su and not self.env.user.has_group(OVERRIDE_GROUP):
            raise AccessError(
                self.env._(
                    "Only members of the Credit Hold Override group can confirm a quotation "
                    "of a customer on credit hold. Ask one of them, or settle the customer's "
                    "overdue invoices first."
                )
            )

    def _dunning_held_orders(self):
        """The orders of ``self`` that the credit hold applies to: quotations not overridden
        and not paid in full online (an order paid up front gives no credit)."""
        return self.filtered(
            lambda order: (
                order.state in ("draft", "sent")
                and order.partner_id
                and not order.dunning_override_date
                and not order._dunning_paid_up_front()
            )
        )

    def _dunning_paid_up_front(self):
        self.ensure_one()
        return bool(self.amount_paid) and (
            self.currency_id.compare_amounts(self.amount_paid, self.amount_total) >= 0
        )

    def _dunning_hold_messages(self):
        """{order id: why it is held, in the user's language}, one set of queries per company."""
        orders = self._dunning_held_orders()
        by_company = defaultdict(self.browse)
        for order in orders:
            by_company[order.company_id] |= order
        messages = {}
        for company, company_orders in by_company.items():
            holds = self.env["res.partner"]._dunning_sales_holds(company_orders.partner_id, company)
            if not holds:
                continue
            moves = (
                self.env["account.move"]
                .sudo()
                .browse({invoice.id for found in holds.values() for invoice in found})
            )
            moves.fetch(["name"])
            for order in company_orders:
                customer = order.partner_id.commercial_partner_id
                if customer.id in holds:
                    messages[order.id] = self._dunning_hold_text(
                        customer, holds[customer.id], company.currency_id
                    )
        return messages

    def _dunning_hold_text(self, customer, invoices, company_currency):
        moves = self.env["account.move"].sudo()
        currencies = self.env["res.currency"].sudo()
        totals = defaultdict(float)
        listed = []
        for invoice in invoices:
            currency = currencies.browse(invoice.currency_id)
            totals[currency] += invoice.residual
            listed.append(
                self.env._(
                    "%(invoice)s (%(amount)s due)",
                    invoice=moves.browse(invoice.id).name,
                    amount=currency.format(invoice.residual),
                )
            )
        # The company's currency first, then the others by name.
        ordered = sorted(totals, key=lambda c: (c != company_currency, c.name))
        amount = " + ".join(currency.format(totals[currency]) for currency in ordered)
        return self.env._(
            "Credit hold: %(customer)s owes %(amount)s on overdue invoices that reached a "
            "dunning level holding sales: %(invoices)s.\n"
            "The hold lifts by itself once these invoices are paid, disputed, covered by an "
            "active payment plan or by a promise to pay. Until then, only a member of Credit "
            "Hold Override can confirm, with a reason.",
            customer=customer.name,
            amount=amount,
            invoices=", ".join(listed),
        )
