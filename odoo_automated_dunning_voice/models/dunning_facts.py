from dataclasses import replace

from odoo import api, models

VOICE = "voice"


class DunningFacts(models.AbstractModel):
    _inherit = "dunning.facts"

    @api.model
    def _customer_facts(self, company, day, partners, recipients, debts=None):
        """Automated calls reach a customer only with prior express consent for the number
        called (TCPA): a recorded consent to automated calls, or, where the company's legal
        preset counts it, the number the customer had when one of the invoices was posted.
        A refusal or objection stops them; the frequency rules hold them like any call."""
        facts = super()._customer_facts(company, day, partners, recipients, debts)
        partners = partners.with_company(company)
        consents = partners._dunning_voice_consent()
        moves = self.env["account.move"].browse(
            sorted({move_id for found in (debts or {}).values() for move_id in found})
        )
        debt_numbers = {}
        for move in moves:
            if move.dunning_voice_number:
                debt_numbers.setdefault(move.commercial_partner_id.id, set()).add(
                    move.dunning_voice_number
                )
        by_id = {partner.id: partner for partner in partners}
        result = []
        for fact in facts:
            partner = by_id[fact.id]
            state, recorded = consents[partner.id]
            number = self._voice_number(partner, recipients[partner.id])
            notes = list(fact.held_notes)
            refused = set(fact.refused)
            reachable = set(fact.reachable_channels) - {VOICE}
            if state in ("refused", "objected"):
                refused.add(VOICE)
            elif not number:
                pass
            elif not (
                recorded
                or (
                    company.dunning_voice_number_consent
                    and number in debt_numbers.get(partner.id, ())
                )
            ):
                notes.append(
                    self.env._(
                        "voice: no prior express consent to automated calls to %(number)s",
                        number=number,
                    )
                )
            elif VOICE not in fact.capped:
                reachable.add(VOICE)
            result.append(
                replace(
                    fact,
                    reachable=frozenset(reachable),
                    refused=frozenset(refused),
                    held_notes=tuple(notes),
                )
            )
        return result

    @api.model
    def _voice_number(self, partner, recipient):
        """The number an automated call goes to, as dunning.communication picks it."""
        for contact in (recipient, partner):
            if contact.phone_sanitized and not contact.phone_blacklisted:
                return contact.phone_sanitized
        return False
