from odoo import http
from odoo.http import request

from ..core import inputs
from .portal import DunningPortal


class DunningPortalDispute(DunningPortal):
    """A customer disputes one of its overdue invoices from the payments page."""

    @http.route(
        "/my/dunning/dispute/<dunning_id:invoice_id>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def dunning_dispute(
        self, invoice_id, partner_id=None, access_token=None, reason=None, message=None, **_kw
    ):
        found = self._dunning_customer(partner_id, access_token)
        if not found:
            return self._dunning_login()
        partner, query = found
        if request.httprequest.method != "POST":
            return self._dunning_dispute_again(partner, query, invoice_id)
        message = inputs.parse_text(message)
        if message is None:
            return self._dunning_back(query, "unreadable")
        if not message:
            return self._dunning_back(query, "dispute_needs_message")
        invoice = self._dunning_overdue(partner).filtered(lambda m: m.id == invoice_id)
        if not invoice:
            return self._dunning_back(query, "not_yours")
        reasons = dict(DISPUTE_REASONS)
        text = f"{reasons.get(reason, reasons['other'])}: {message}"
        if not invoice.dunning_dispute:
            user = request.env.user
            invoice._dunning_open_dispute(
                text,
                source=request.env._("customer portal"),
                author=partner if user._is_public() else user.partner_id,
            )
        return self._dunning_back(query, "disputed")

    def _dunning_dispute_again(self, partner, query, invoice_id):
        """A GET of the dispute URL: a customer whose session expired sent the form, logged in,
        and Odoo's login came back here with GET. Nothing was recorded: back to the payments
        page with that invoice's dispute form open, for the customer's own invoices only."""
        invoice = self._dunning_overdue(partner).filtered(
            lambda m: m.id == invoice_id and not m.dunning_dispute
        )
        if not invoice:
            return self._dunning_back(query, "not_yours")
        return request.redirect(
            f"/my/dunning?{query}{'&' if query else ''}message=dispute_again"
            f"&dispute={invoice.id}#dispute_{invoice.id}"
        )


DISPUTE_REASONS = [
    ("not_received", "Goods or services not received"),
    ("wrong_amount", "Wrong amount"),
    ("quality", "Quality problem"),
    ("already_paid", "Already paid"),
    ("other", "Other"),
]
