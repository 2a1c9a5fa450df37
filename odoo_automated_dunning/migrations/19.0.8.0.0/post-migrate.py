"""A reminder line's company and currency are read through its reminder and its invoice now:
their columns, which Odoo leaves in place, go with their foreign keys and index."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """ALTER TABLE dunning_communication_line
               DROP COLUMN IF EXISTS company_id,
               DROP COLUMN IF EXISTS currency_id"""
    )
