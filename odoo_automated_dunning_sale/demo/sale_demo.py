"""The demo's held quotation (scripts/demo), run inside Odoo after the demo's runs.

The standard policy's second level holds sales; a quotation for a customer with an invoice at
that level then shows the credit hold banner and cannot be confirmed, except by a member of
Credit Hold Override (the demo's admin is one). Not loaded by the addon's manifest.
"""

from odoo import Command

# Northwind's undisputed invoice reaches the second level in today's run (in GBP).
PREFERRED = "Northwind Traders"


def run(env):
    """Make the standard policy's second level hold sales and quote a held customer."""
    company = env.company
    policy = env.ref("odoo_automated_dunning.dunning_policy_standard")
    policy.level_ids.sorted("sequence")[1:2].hold_sales = True
    env.ref("base.user_admin").group_ids = [
        Command.link(env.ref("odoo_automated_dunning_sale.group_credit_hold_override").id)
    ]
    debtors = env["res.partner"].browse(
        env["dunning.facts"]._overdue_partner_ids(company, company._dunning_today())
    )
    holds = env["res.partner"]._dunning_sales_holds(debtors, company)
    if not holds:
        return env["sale.order"]
    held = env["res.partner"].browse(list(holds)).sorted(lambda p: (p.name != PREFERRED, p.id))
    chair = env["product.product"].create(
        {"name": "Ergonomic office chair", "list_price": 240.0, "sale_ok": True, "type": "consu"}
    )
    return env["sale.order"].create(
        {
            "partner_id": held[0].id,
            "order_line": [Command.create({"product_id": chair.id, "product_uom_qty": 12})],
        }
    )


def summary(env):
    """[(what, where)] for the demo's summary."""
    lines = []
    for order in env["sale.order"].search([("state", "in", ("draft", "sent"))], order="id"):
        if order.dunning_hold_message:
            lines.append(
                (
                    f"Quotation {order.name} for {order.partner_id.name} is on credit hold "
                    "(Confirm refuses; admin can Confirm Despite Credit Hold with a reason)",
                    "Sales > Orders > Quotations",
                )
            )
    return lines
