from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from ..core import inputs
from ..models.dunning_consent import CHANNEL_ALIASES, CONSENT_CHANNELS
from .portal import _in_customer_lang

CHANNELS = [channel for channel, _label in CONSENT_CHANNELS]


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
