from werkzeug.exceptions import BadRequest, NotFound

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.fields import Command
from odoo.http import request

from odoo.addons.account_payment.controllers.portal import PortalAccount

from ..core import FREQUENCIES, inputs
from ..models.dunning_consent import CHANNEL_ALIASES, CONSENT_CHANNELS

CHANNELS = [channel for channel, _label in CONSENT_CHANNELS]
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


class DunningPreferences(http.Controller):
    """Contact preferences a customer sets without logging in, from the link in each reminder."""

    def _customer(self, partner_id, token):
        partner = request.env["res.partner"].sudo().browse(partner_id).exists()
        if not partner or not inputs.token_matches(partner._dunning_preferences_token(), token):
            raise NotFound()
        return partner

    @http.route(
        "/dunning/preferences/<dunning_id:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,  # a frontend page: Odoo's portal layout and languages
        sitemap=False,
    )
    def preferences(self, partner_id, token, **post):
        partner = self._customer(partner_id, token)
        redirect = _in_customer_lang(partner)
        if redirect:
            return redirect
        post = {CHANNEL_ALIASES.get(key, key): value for key, value in post.items()}
        saved = unreadable = False
        states = self._preference_states(partner)
        if request.httprequest.method == "POST":
            if post.get("object"):
                wanted = dict.fromkeys(CHANNELS, "objected")
            else:
                # The form always sends every channel of this addon: anything else was not made
                # by it. A bridge's channels are taken when sent (a page rendered before the
                # bridge was installed has none of them).
                wanted = {channel: post.get(channel) for channel in CHANNELS}
                wanted.update(
                    {
                        channel: post[channel]
                        for channel in states.keys() - CHANNELS
                        if channel in post
                    }
                )
                unreadable = not set(wanted.values()) <= {"allowed", "refused"}
            if not unreadable:
                self._preference_record(partner, wanted, self._evidence("preferences page"))
                saved = True
                states = self._preference_states(partner)
        optout = post.get("optout") if not saved else None
        if optout in states:
            states[optout] = "refused"  # proposed, saved when the customer confirms
        return request.render(
            "odoo_automated_dunning.dunning_preferences_page",
            {
                "partner": partner.commercial_partner_id,
                "states": states,
                # The channel names in the visitor's language, for the channels offered.
                "channels": [
                    (channel, label)
                    for channel, label in request.env["dunning.consent"]
                    ._fields["channel"]
                    ._description_selection(request.env)
                    if channel in states
                ],
                "saved": saved,
                "unreadable": unreadable,
                "optout": optout in CHANNELS,
                "action": f"/dunning/preferences/{partner_id}/{token}",
            },
        )

    def _preference_states(self, partner):
        """{channel: state} of the channels the page offers: this addon's; a bridge that adds
        a channel to the ledger (automated calls) adds it here with the state it shows."""
        return dict(partner._dunning_consent_states()[partner.commercial_partner_id.id])

    def _preference_record(self, partner, wanted, evidence):
        """Record the customer's choices {channel: state}; a bridge records its own channels
        (with their own legal basis) and passes the others on."""
        partner._dunning_record_consent(wanted, source="portal", evidence=evidence)

    @http.route(
        "/dunning/optout/<dunning_id:partner_id>/<string:token>/<string:channel>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def optout(self, partner_id, token, channel, **_kw):
        """The opt-out link opens the preferences with that channel turned off, to confirm:
        mail scanners that follow every link must not opt customers out."""
        partner = self._customer(partner_id, token)
        channel = CHANNEL_ALIASES.get(channel, channel)
        if channel not in CHANNELS:
            raise NotFound()
        return _in_customer_lang(partner) or request.redirect(
            request.env["ir.http"]._url_for(
                f"/dunning/preferences/{partner_id}/{token}?optout={channel}"
            )
        )

    @staticmethod
    def _evidence(where):
        return f"{where}, from {request.httprequest.remote_addr}"


class DunningPortal(PortalAccount):
    """The customer's payments page: overdue invoices, plans, payment and disputes.

    Reached logged in, or without a login from the link in a reminder, which carries the
    customer's portal token (as Odoo's invoice links carry theirs). Every route resolves the
    customer first and only ever reads that commercial entity's documents.
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

    # Plans ----------------------------------------------------------------------------------

    def _dunning_plan(self, plan_id, access_token):
        if access_token is not None and not inputs.parse_token(access_token):
            return None
        try:
            return self._document_check_access("dunning.payment.plan", plan_id, access_token)
        except (AccessError, MissingError):
            return None

    @http.route(
        "/my/dunning/plan/<dunning_id:plan_id>",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
    )
    def dunning_plan(self, plan_id, access_token=None, message=None, **_kw):
        plan = self._dunning_plan(plan_id, access_token)
        if not plan:
            return request.redirect("/my")
        redirect = access_token and _in_customer_lang(plan.partner_id)
        if redirect:
            return redirect
        return request.render(
            "odoo_automated_dunning.dunning_portal_plan_page",
            {
                "page_name": "dunning_plan",
                "plan": plan,
                "token": access_token or "",
                # The breadcrumb back to the payments page, for a visitor without a login.
                "query": self._dunning_query(plan.partner_id) if access_token else "",
                "message": message if message in MESSAGES else None,
                "today": plan.company_id._dunning_today(),
            },
        )

    @http.route(
        "/my/dunning/plan/<dunning_id:plan_id>/accept",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def dunning_plan_accept(self, plan_id, access_token=None, name=None, consent=None, **_kw):
        plan = self._dunning_plan(plan_id, access_token)
        if not plan:
            return request.redirect("/my")
        url = f"/my/dunning/plan/{plan.id}?access_token={access_token or ''}"
        name = inputs.parse_text(name, inputs.MAX_NAME_LENGTH)
        if name is None:
            return request.redirect(f"{url}&message=unreadable")
        if not consent or not name:
            return request.redirect(f"{url}&message=name_and_consent")
        try:
            plan.action_accept_portal(name, request.httprequest.remote_addr)
        except UserError:
            return request.redirect(f"{url}&message=not_proposed")
        return request.redirect(f"{url}&message=accepted")

    @http.route(
        "/my/dunning/plan/<dunning_id:plan_id>/pay",
        type="http",
        auth="public",
        website=True,
        sitemap=False,
    )
    def dunning_plan_pay(self, plan_id, access_token=None, **_kw):
        plan = self._dunning_plan(plan_id, access_token)
        if not plan or plan.state != "active" or not plan.next_installment_id:
            return request.redirect("/my")
        partner = plan.partner_id
        query = self._dunning_query(partner)
        installment = plan.next_installment_id
        values = self._dunning_payment_values(
            partner,
            query,
            plan.currency_id,
            installment.amount_residual,
            f"plan{plan.id}",
            f"{plan.name} ({installment.due_date})",
        )
        values["plan"] = plan
        return request.render("odoo_automated_dunning.dunning_portal_pay_page", values)

    @http.route(
        "/my/dunning/plan/request",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def dunning_plan_request(self, partner_id=None, access_token=None, **post):
        found = self._dunning_customer(partner_id, access_token)
        if not found:
            return self._dunning_login()
        partner, query = found
        redirect = query and _in_customer_lang(partner)
        if redirect:
            return redirect
        planned = (
            self._dunning_plans(partner)
            .filtered(lambda p: p.state in ("draft", "proposed", "active"))
            .invoice_ids
        )
        invoices = self._dunning_overdue(partner).filtered(
            lambda m: m not in planned and not m.dunning_dispute
        )
        error = None
        if request.httprequest.method == "POST":
            # Refused here, before anything is read or written: a request the form cannot
            # make (20,000 installments, a NUL byte in the name) costs nothing.
            wanted = inputs.parse_ids(request.httprequest.form.getlist("invoice_ids"))
            count = inputs.parse_count(
                post.get("installment_count"), inputs.PORTAL_MAX_INSTALLMENTS
            )
            frequency = post.get("frequency") or "monthly"
            name = inputs.parse_text(post.get("name"), inputs.MAX_NAME_LENGTH)
            if wanted is None or name is None or frequency not in FREQUENCIES:
                error = request.env._(
                    "Part of the request could not be read; fill in the form again."
                )
            elif count is None:
                error = request.env._(
                    "Choose between 1 and %(max)s installments.",
                    max=inputs.PORTAL_MAX_INSTALLMENTS,
                )
        if request.httprequest.method == "POST" and not error:
            chosen = invoices.filtered(lambda m: m.id in wanted)
            try:
                plan = (
                    request.env["dunning.payment.plan"]
                    .sudo()
                    .with_company(chosen.company_id[:1] or request.env.company)
                    ._portal_request(
                        chosen, count, frequency, name, request.httprequest.remote_addr
                    )
                )
            except (UserError, ValidationError) as exc:
                error = str(exc)
            else:
                message = "active" if plan.state == "active" else "requested"
                return request.redirect(f"{plan.get_portal_url()}&message={message}")
        return request.render(
            "odoo_automated_dunning.dunning_portal_request_page",
            {
                "page_name": "dunning_request",
                "partner": partner,
                "invoices": invoices,
                "query": query,
                "error": error,
                "frequencies": request.env["dunning.payment.plan"]
                ._fields["frequency"]
                ._description_selection(request.env),
            },
        )

    # Disputes -------------------------------------------------------------------------------

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
            invoice._dunning_open_dispute(text, source=request.env._("customer portal"))
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
