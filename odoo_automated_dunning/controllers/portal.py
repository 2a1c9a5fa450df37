from werkzeug.exceptions import BadRequest, NotFound

from odoo import http
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.http import request

from odoo.addons.account_payment.controllers.portal import PortalAccount

from ..core import inputs

# The notes the payments and plan pages know how to say; anything else shows none.
MESSAGES = {
    "disputed",
    "accepted",
    "active",
    "requested",
    "name_and_consent",
    "not_proposed",
    "mixed_currencies",
    "nothing_to_pay",
    "not_yours",
    "unreadable",
    "dispute_needs_message",
    "dispute_again",
}


def _in_customer_lang(partner):
    """A redirect to this page in ``partner``'s language, for a visitor who came by a link in
    a reminder and has not chosen a language; None when the page may render as it is.

    Odoo's frontend routing takes the language from the URL prefix (/fr/...), then the
    ``frontend_lang`` cookie, then the user's own; an anonymous visitor has none of them and
    would read the site's default language. Sending the visitor to the prefixed URL is how
    Odoo itself moves a visitor to a language: the prefix sets the cookie, so Odoo's own
    pages opened from ours (the invoice) follow; a visitor who picks another language in the
    footer keeps it (cookie, or prefix).
    """
    lang = partner.lang
    if (
        not lang
        or lang == request.lang.code
        or request.httprequest.method not in ("GET", "HEAD")
        or request.cookies.get("frontend_lang")
        # Without a cookie, a language other than the default one came from the URL's prefix
        # (or a logged-in visitor's preferences): the visitor's choice.
        or request.lang != request.env["ir.http"]._get_default_lang()
    ):
        return None
    frontend = request.env["res.lang"]._get_frontend()
    if lang not in frontend:
        return None  # a language the database does not speak
    return request.redirect_query(
        f"/{frontend[lang].url_code}{request.httprequest.path}", request.httprequest.args
    )


class DunningPortal(PortalAccount):
    """The customer's payments page: overdue invoices, plans, payment and disputes.

    Reached logged in, or without a login from the link in a reminder, which carries the
    customer's portal token (as Odoo's invoice links carry theirs). Every route resolves the
    customer first and only ever reads that commercial entity's documents. Here: who is
    asking, the payments page and paying; plans in ``portal_plan.py``, disputes in
    ``portal_dispute.py`` (subclasses: Odoo merges them into this one controller).
    """

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "dunning_due_count" in counters:
            user = request.env.user
            values["dunning_due_count"] = (
                len(self._dunning_overdue(user.partner_id.commercial_partner_id))
                if not user._is_public()
                else 0
            )
        return values

    # Who is asking --------------------------------------------------------------------------

    def _dunning_customer(self, partner_id=None, access_token=None):
        """(customer, token query) for a valid link or the logged-in user, None for a visitor
        who must log in; a link with a wrong, malformed or missing part is not found."""
        if partner_id is not None or access_token is not None:
            partner_id = inputs.parse_id(partner_id)
            partner = partner_id and request.env["res.partner"].sudo().browse(partner_id).exists()
            if partner and inputs.token_matches(partner._dunning_portal_token(), access_token):
                partner = partner.commercial_partner_id
                return partner, f"partner_id={partner.id}&access_token={access_token}"
            raise NotFound()  # a wrong link: no hint whether the customer exists
        user = request.env.user
        if user._is_public() or not user._is_portal() and not user._is_internal():
            return None
        return user.partner_id.commercial_partner_id.sudo(), ""

    @staticmethod
    def _dunning_query(partner):
        """The query that opens the payments page of ``partner`` without a login."""
        return f"partner_id={partner.id}&access_token={partner._dunning_portal_token()}"

    def _dunning_overdue(self, partner):
        """The customer's open overdue invoices, oldest due first (sudo: filtered on it)."""
        return request.env["dunning.facts"].sudo()._overdue_invoices(partner)

    def _dunning_plans(self, partner):
        return (
            request.env["dunning.payment.plan"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("state", "in", ("draft", "proposed", "active", "defaulted")),
                ]
            )
        )

    def _dunning_login(self):
        # Quoted: the page's own query (invoice_ids=1&invoice_ids=2) survives the login.
        return request.redirect_query("/web/login", {"redirect": request.httprequest.full_path})

    @staticmethod
    def _dunning_back(query, message, path="/my/dunning"):
        """Back to the payments page with one of its notes."""
        return request.redirect(f"{path}?{query}{'&' if query else ''}message={message}")

    # Pages ----------------------------------------------------------------------------------

    @http.route("/my/dunning", type="http", auth="public", website=True, sitemap=False)
    def dunning_home(self, partner_id=None, access_token=None, message=None, dispute=None, **_kw):
        found = self._dunning_customer(partner_id, access_token)
        if not found:
            return self._dunning_login()
        partner, query = found
        redirect = query and _in_customer_lang(partner)
        if redirect:
            return redirect
        invoices = self._dunning_overdue(partner)
        invoices._dunning_ensure_access_tokens()
        totals = {}
        for invoice in invoices:
            totals[invoice.currency_id] = (
                totals.get(invoice.currency_id, 0.0) + invoice.amount_residual
            )
        return request.render(
            "odoo_automated_dunning.dunning_portal_page",
            {
                "page_name": "dunning",
                "partner": partner,
                "invoices": invoices,
                "totals": totals,
                "plans": self._dunning_plans(partner),
                "query": query,
                "message": message if message in MESSAGES else None,
                # The invoice whose dispute form opens (after a login that lost the form).
                "open_dispute": inputs.parse_id(dispute),
                "today": (invoices.company_id[:1] or request.env.company)._dunning_today(),
            },
        )

    def _dunning_payment_values(self, partner, query, currency, amount, target, reference):
        """The values of Odoo's payment form for ``amount``, paid through our own route."""
        company = request.env.company
        values = self._get_common_page_view_values(
            invoices_data={
                "partner": partner,
                "company": company,
                "total_amount": amount,
                "currency": currency,
                "amount_residual": amount,
                "payment_reference": reference,
                "landing_route": f"/my/dunning?{query}" if query else "/my/dunning",
                "transaction_route": f"/my/dunning/transaction/{partner.id}/{target}",
            },
            access_token=partner._dunning_portal_token(),
        )
        values.update(
            {
                "page_name": "dunning_pay",
                "amount": amount,
                "payment": {"amount": amount, "reference": reference, "currency": currency},
                "query": query,
            }
        )
        return values

    @http.route("/my/dunning/pay", type="http", auth="public", website=True, sitemap=False)
    def dunning_pay(self, partner_id=None, access_token=None, **_kw):
        """Pay the invoices ticked on the payments page (all overdue ones when none is)."""
        found = self._dunning_customer(partner_id, access_token)
        if not found:
            return self._dunning_login()
        partner, query = found
        wanted = inputs.parse_ids(request.httprequest.args.getlist("invoice_ids"))
        if wanted is None:
            return self._dunning_back(query, "unreadable")
        overdue = self._dunning_overdue(partner)
        invoices = overdue.filtered(lambda m: m.id in wanted) if wanted else overdue
        invoices = invoices.filtered(lambda m: not m.dunning_dispute)
        if not invoices or len(invoices.currency_id) > 1:
            return self._dunning_back(query, "mixed_currencies" if invoices else "nothing_to_pay")
        currency = invoices.currency_id
        amount = currency.round(sum(invoices.mapped("amount_residual")))
        target = "i" + "_".join(str(i) for i in invoices.ids)
        values = self._dunning_payment_values(
            partner, query, currency, amount, target, ", ".join(invoices.mapped("name"))
        )
        values["pay_invoices"] = invoices
        return request.render("odoo_automated_dunning.dunning_portal_pay_page", values)

    @http.route(
        "/my/dunning/transaction/<dunning_id:partner_id>/<string:target>",
        type="jsonrpc",
        auth="public",
    )
    def dunning_transaction(self, partner_id, target, access_token=None, **kwargs):
        """Create the transaction for invoices or a plan's next installment, for an amount
        computed here: the amount the browser sends is never trusted."""
        paid = inputs.parse_payment_target(target)
        if not paid:
            raise NotFound()
        found = self._dunning_customer(partner_id, access_token)
        if not found:
            raise ValidationError(request.env._("The access token is invalid."))
        partner, _query = found
        # account_payment's form script adds the page's payment reference to every call.
        self._validate_transaction_kwargs(kwargs, additional_allowed_keys={"payment_reference"})
        kind, paid_ids = paid
        if kind == "plan":
            plan = request.env["dunning.payment.plan"].sudo().browse(paid_ids).exists()
            if not plan or plan.partner_id != partner or plan.state != "active":
                raise ValidationError(request.env._("This plan cannot be paid here."))
            installment = plan.next_installment_id
            invoices = plan.invoice_ids.filtered(
                lambda m: m.payment_state in ("not_paid", "partial")
            )
            amount, currency = installment.amount_residual, plan.currency_id
        else:
            invoices = self._dunning_overdue(partner).filtered(
                lambda m: m.id in paid_ids and not m.dunning_dispute
            )
            if not invoices or len(invoices) != len(paid_ids) or len(invoices.currency_id) != 1:
                raise ValidationError(request.env._("These invoices cannot be paid here."))
            amount, currency = sum(invoices.mapped("amount_residual")), invoices.currency_id
        if currency.is_zero(amount):
            raise ValidationError(request.env._("Nothing is left to pay."))
        self._dunning_check_payment_kwargs(kwargs)
        kwargs.pop("payment_reference", None)
        user = request.env.user
        payer = user.partner_id if not user._is_public() else partner
        kwargs.update(
            {
                "amount": currency.round(amount),
                "currency_id": currency.id,
                "partner_id": payer.id,
                "reference_prefix": None,
            }
        )
        tx_sudo = self._create_transaction(
            custom_create_values={"invoice_ids": [Command.set(invoices.ids)]}, **kwargs
        )
        return tx_sudo._get_processing_values()

    @staticmethod
    def _dunning_check_payment_kwargs(kwargs):
        """The payment form's values have the types Odoo's payment code expects: a hostile
        call gets a 400 rather than a server error deep in the payment module."""
        ids_ok = all(
            kwargs.get(key) is None or inputs.parse_id(kwargs[key])
            for key in ("payment_method_id", "token_id")
        )
        landing = kwargs.get("landing_route")
        if (
            not inputs.parse_id(kwargs.get("provider_id"))
            or not ids_ok
            or kwargs.get("flow") not in ("redirect", "direct", "token")
            or not isinstance(kwargs.get("tokenization_requested", False), bool)
            or kwargs.get("is_validation")
            or not isinstance(landing, str)
            or not landing.startswith("/")
            or landing.startswith("//")
            or inputs.parse_text(landing) is None
            or inputs.parse_text(kwargs.get("payment_reference")) is None
        ):
            raise BadRequest()
