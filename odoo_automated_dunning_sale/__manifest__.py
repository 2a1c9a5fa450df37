{
    "name": "Automated Dunning: Sales Hold",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "summary": "Hold the sales orders of customers whose overdue invoices reached a dunning "
    "level that holds sales, with a recorded override for a credit hold group",
    "author": "odoo_automated_dunning developers",
    "license": "LGPL-3",
    "depends": ["odoo_automated_dunning", "sale"],
    "data": [
        "security/dunning_sale_security.xml",
        "security/ir.model.access.csv",
        "views/dunning_level_views.xml",
        "views/sale_order_views.xml",
        "wizards/dunning_sale_hold_override_views.xml",
    ],
    "installable": True,
    "auto_install": True,
    "application": False,
}
