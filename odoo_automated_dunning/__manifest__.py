{
    "name": "Automated Dunning",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "summary": "Dunning policies and levels that chase overdue invoices by email, every day",
    "author": "odoo_automated_dunning developers",
    "license": "LGPL-3",
    "depends": ["account", "mail", "portal"],
    "data": [],
    "installable": True,
    "application": False,
}
