from odoo.http import request

from odoo.addons.odoo_automated_dunning.controllers.preferences import DunningPreferences


class DunningVoicePreferences(DunningPreferences):
    """Automated calls on the customer's preferences page, beside the other channels.

    They need prior express consent: no entry for automated calls is no consent, so the page
    shows "Not this way" until the customer allows them. A change is a ledger entry like the
    others (source Portal, evidence: the page, the visitor's address and the number then on
    file), with the legal basis Consent.
    """

    def _preference_states(self, partner):
        states = super()._preference_states(partner)
        state, recorded = partner._dunning_voice_consent()[partner.commercial_partner_id.id]
        states["voice"] = "allowed" if state == "allowed" and recorded else "refused"
        return states

    def _preference_record(self, partner, wanted, evidence):
        wanted = dict(wanted)
        voice = wanted.pop("voice", None)
        super()._preference_record(partner, wanted, evidence)
        if voice not in ("allowed", "refused"):
            return
        customer = partner.commercial_partner_id
        state, recorded = customer._dunning_voice_consent()[customer.id]
        # No change, no entry (as for the other channels). Without any entry the ledger says
        # "allowed" (the number given for the debt may count as consent): a refusal on the
        # page is then recorded, which withdraws that too.
        if (state == "allowed" and recorded) if voice == "allowed" else state != "allowed":
            return
        request.env["dunning.consent"].sudo().create(
            {
                "partner_id": customer.id,
                "channel": "voice",
                "status": voice,
                "legal_basis": "consent",
                "source": "portal",
                "evidence": f"{evidence}; number on file: {customer.phone or '-'}",
            }
        )
