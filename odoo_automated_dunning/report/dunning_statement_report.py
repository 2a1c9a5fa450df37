from collections import defaultdict

from odoo import api, fields, models

from ..core import BUCKETS, OpenItem, build_statement


class ReportDunningStatement(models.AbstractModel):
    _name = "report.odoo_automated_dunning.report_dunning_statement"
    _description = "Customer Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids)
        company = self.env.company
        as_of = self.env.context.get("dunning_statement_date") or company._dunning_today()
        as_of = fields.Date.to_date(as_of)
        return {
            "doc_ids": docids,
            "doc_model": "res.partner",
            "docs": partners,
            "company": company,
            "as_of": as_of,
            "statements": self._statements(partners, company, as_of),
            # In the order of the template's column headers, which are translated there.
            "bucket_keys": BUCKETS,
        }

    @api.model
    def _statements(self, partners, company, as_of):
        """{partner id: [CurrencyStatement]} from one read of the open receivable items."""
        commercial = partners.commercial_partner_id
        lines = self.env["account.move.line"].search(
            [
                ("company_id", "=", company.id),
                ("partner_id", "child_of", commercial.ids),
                ("account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("date", "<=", as_of),
            ]
        )
        lines.fetch(
            [
                "move_id",
                "move_name",
                "date",
                "date_maturity",
                "currency_id",
                "amount_currency",
                "amount_residual_currency",
                "partner_id",
            ]
        )
        items = defaultdict(list)
        for line in lines:
            if line.currency_id.is_zero(line.amount_residual_currency):
                continue
            items[line.partner_id.commercial_partner_id.id].append(
                OpenItem(
                    id=line.id,
                    document=line.move_name or line.move_id.display_name,
                    date=line.date,
                    due_date=line.date_maturity or line.date,
                    currency=line.currency_id.name,
                    original=line.amount_currency,
                    open_amount=line.amount_residual_currency,
                )
            )
        return {
            partner.id: build_statement(items[partner.commercial_partner_id.id], as_of)
            for partner in partners
        }
