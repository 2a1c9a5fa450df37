from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from ..models.dunning_consent import CONSENT_CHANNELS

CHANNELS = [channel for channel, _label in CONSENT_CHANNELS]


class DunningPreferences(http.Controller):
    """Contact preferences a customer sets without logging in, from the link in each reminder."""

    def _customer(self, partner_id, token):
        partner = request.env["res.partner"].sudo().browse(partner_id).exists()
        if not partner or not partner._dunning_preferences_token_ok(token):
            raise NotFound()
        return partner

    @http.route(
        "/dunning/preferences/<int:partner_id>/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,  # a frontend page: Odoo's portal layout and languages
        sitemap=False,
    )
    def preferences(self, partner_id, token, **post):
        partner = self._customer(partner_id, token)
        saved = False
        if request.httprequest.method == "POST":
            wanted = {
                channel: "allowed" if post.get(channel) == "allowed" else "refused"
                for channel in CHANNELS
            }
            if post.get("object"):
                wanted = dict.fromkeys(CHANNELS, "objected")
            partner._dunning_record_consent(
                wanted, source="portal", evidence=self._evidence("preferences page")
            )
            saved = True
        states = dict(partner._dunning_consent_states()[partner.commercial_partner_id.id])
        optout = post.get("optout") if not saved else None
        if optout in states:
            states[optout] = "refused"  # proposed, saved when the customer confirms
        return request.render(
            "odoo_automated_dunning.dunning_preferences_page",
            {
                "partner": partner.commercial_partner_id,
                "states": states,
                # The channel names in the visitor's language.
                "channels": request.env["dunning.consent"]
                ._fields["channel"]
                ._description_selection(request.env),
                "saved": saved,
                "optout": optout in CHANNELS,
                "action": f"/dunning/preferences/{partner_id}/{token}",
            },
        )

    @http.route(
        "/dunning/optout/<int:partner_id>/<string:token>/<string:channel>",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def optout(self, partner_id, token, channel, **_kw):
        """The opt-out link opens the preferences with that channel turned off, to confirm:
        mail scanners that follow every link must not opt customers out."""
        self._customer(partner_id, token)
        if channel not in CHANNELS:
            raise NotFound()
        return request.redirect(f"/dunning/preferences/{partner_id}/{token}?optout={channel}")

    @staticmethod
    def _evidence(where):
        return f"{where}, from {request.httprequest.remote_addr}"
