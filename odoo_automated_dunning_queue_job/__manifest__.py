{
    "name": "Automated Dunning - Queue Job",
    "version": "19.0.1.1.0",
    "category": "Accounting/Accounting",
    "summary": "Dunning runs in parallel batches on OCA's queue_job workers",
    "author": "odoo_automated_dunning developers",
    "license": "LGPL-3",
    "depends": ["odoo_automated_dunning", "queue_job"],
    "data": [],
    "installable": True,
    "auto_install": True,
}
