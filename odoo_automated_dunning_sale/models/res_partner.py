from collections import defaultdict

from odoo import api, models
from odoo.fields import Domain


def holds_sales(invoice, hold_level_ids, day):
    """Whether one overdue invoice (the main addon's ``core.Invoice`` fact) holds its customer's
    sales on ``day``: its current level holds sales, and dunning would still pursue it.

    Paid invoices are not among the facts at all; a disputed invoice, one an active payment
    plan covers, or one under a promise to pay whose limit has not passed is left alone by the
    run, and so by the hold. A broken promise holds again.
    """
    if invoice.level_id not in hold_level_ids:
        return False
    if invoice.disputed or invoice.in_plan:
        return False
    return not (invoice.promised_until and invoice.promised_until >= day)


class ResPartner(models.Model):
    _inherit = "res.partner"

    @api.model
    def _dunning_sales_holds(self, partners, company):
        """{commercial partner id: [its invoice facts that hold its sales]} in ``company``
        (only that company's invoices count), for many customers in one set of queries.

        Reads as the system: a salesperson sees the hold without access to dunning records.
        """
        facts = self.env["dunning.facts"].sudo().with_company(company)
        hold_levels = (
            self.env["dunning.level"]
            .sudo()
            .search([("company_id", "=", company.id), ("hold_sales", "=", True)])
        )
        customers = partners.sudo().commercial_partner_id
        if not hold_levels or not customers:
            return {}
        day = company._dunning_today()
        invoices = facts._invoice_facts(
            company,
            day,
            Domain("partner_id", "in", customers.ids)
            & Domain("move_id.dunning_level_id", "in", hold_levels.ids),
        )
        hold_level_ids = set(hold_levels.ids)
        holds = defaultdict(list)
        for invoice in invoices:
            if holds_sales(invoice, hold_level_ids, day):
                holds[invoice.customer_id].append(invoice)
        return dict(holds)
