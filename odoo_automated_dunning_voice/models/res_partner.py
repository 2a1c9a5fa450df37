from odoo import fields, models

from odoo.addons.odoo_automated_dunning.core import ConsentEntry, consent_state


class ResPartner(models.Model):
    _inherit = "res.partner"

    dunning_consent_voice = fields.Selection(
        [
            ("allowed", "Consent recorded"),
            ("none", "No consent recorded"),
            ("refused", "Refused"),
            ("objected", "Objected"),
        ],
        string="Automated Calls Consent",
        compute="_compute_dunning_consent_voice",
        groups="odoo_automated_dunning.group_dunning_user",
        help="Automated reminder calls need prior express consent: a consent entry for "
        "automated calls, or (where the legal preset counts it) the number given with the "
        "invoice.",
    )

    def _compute_dunning_consent_voice(self):
        consents = self._dunning_voice_consent()
        for partner in self:
            state, recorded = consents[partner.commercial_partner_id.id]
            partner.dunning_consent_voice = "none" if state == "allowed" and not recorded else state

    def _dunning_voice_consent(self):
        """{commercial partner id: (state, recorded)} for automated calls: the state of the
        ledger (an objection to processing counts) and whether an entry for automated calls
        exists at all. Unlike other channels, automated calls need that entry (or the number
        given for the debt, where the law counts it): no entry is no consent."""
        commercial = self.commercial_partner_id
        entries = {pid: [] for pid in commercial.ids}
        recorded = set()
        for entry in (
            self.env["dunning.consent"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "in", commercial.ids),
                    "|",
                    ("channel", "=", "voice"),
                    ("status", "=", "objected"),
                ],
                order="date, id",
            )
        ):
            partner_id = entry.commercial_partner_id.id
            entries[partner_id].append(ConsentEntry(entry.channel, entry.status, entry.date))
            if entry.channel == "voice":
                recorded.add(partner_id)
        return {
            pid: (consent_state(found, ["voice"])["voice"], pid in recorded)
            for pid, found in entries.items()
        }
