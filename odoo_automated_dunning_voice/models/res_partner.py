from odoo import models

from odoo.addons.odoo_automated_dunning.core import ConsentEntry, consent_state


class ResPartner(models.Model):
    _inherit = "res.partner"

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
