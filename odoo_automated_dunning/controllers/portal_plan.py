from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from ..core import FREQUENCIES, inputs
from .portal import MESSAGES, DunningPortal, _in_customer_lang


class DunningPortalPlan(DunningPortal):
    """Payment plans on the portal: a plan's page, its acceptance and installments, and a
    customer's request for one."""

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
