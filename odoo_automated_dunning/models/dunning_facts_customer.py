from collections import defaultdict
from datetime import datetime, time

import pytz

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import email_normalize, format_date

from .. import core
from .dunning_communication import CONTACT_STATES


class DunningFacts(models.AbstractModel):
    """The customers' side of the facts: who receives a customer's reminders, its balance,
    consent, the channels that reach it and those its caps hold back."""

    _inherit = "dunning.facts"

    @api.model
    def _recipients(self, partners):
        """Who receives a customer's reminders: its receivables (dunning) contact with an
        email, else its invoice contact with an email, else the customer itself."""
        contacts = self.env["res.partner"].search(
            [
                ("parent_id", "in", partners.ids),
                ("type", "in", ("dunning", "invoice")),
                ("email", "!=", False),
            ],
            order="id",
        )
        by_type = {"dunning": {}, "invoice": {}}
        for contact in contacts:
            by_type[contact.type].setdefault(contact.parent_id.id, contact)
        return {
            partner.id: by_type["dunning"].get(partner.id)
            or by_type["invoice"].get(partner.id)
            or partner
            for partner in partners
        }

    @api.model
    def _customer_facts(self, company, day, partners, recipients, debts=None):
        """Customers with their net balance and their recipient's blacklist state, set-wise.

        ``debts`` are the invoices each customer would be reminded of (frequency rules per debt).
        """
        partners = partners.with_company(company)
        partners.fetch(
            [
                "dunning_policy_id",
                "category_id",
                "is_company",
                "dunning_pause_until",
                "dunning_pause_reason",
                "email",
                "email_normalized",
                "phone",
                "phone_sanitized",
                "street",
                "city",
                "country_id",
            ]
        )
        # Every open receivable item, payments and credit notes included: the net balance.
        balances = dict(
            self.env["account.move.line"]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", partners.ids),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                ],
                ["partner_id"],
                ["amount_residual:sum"],
            )
        )
        scores = {
            record.partner_id.id: record.score
            for record in self.env["dunning.partner.behaviour"].search(
                [("company_id", "=", company.id), ("partner_id", "in", partners.ids)]
            )
        }
        emails = {pid: self._normalized_email(r) for pid, r in recipients.items()}
        consents = partners._dunning_consent_states()
        capped, held_notes = self._capped_channels(company, day, partners, debts)
        blacklisted = set(
            self.env["mail.blacklist"]
            .sudo()
            .search([("email", "in", [e for e in emails.values() if e])])
            .mapped("email")
        )
        facts = []
        for partner in partners:
            refused = self._refused_channels(consents[partner.id])
            reachable = self._reachable(
                partner, recipients[partner.id], emails[partner.id] not in blacklisted
            )
            facts.append(
                core.Customer(
                    id=partner.id,
                    policy_id=partner.dunning_policy_id.id or None,
                    category_ids=frozenset(partner.category_id.ids),
                    is_company=partner.is_company,
                    net_balance=balances.get(partner, 0.0),
                    pause_until=partner.dunning_pause_until or None,
                    email=emails[partner.id] or None,
                    blacklisted=emails[partner.id] in blacklisted,
                    risk_score=scores.get(partner.id, 0.0),
                    reachable=reachable - refused - capped[partner.id],
                    capped=capped[partner.id],
                    held_notes=held_notes[partner.id] + self._pause_notes(partner, day),
                    refused=refused,
                    objected=all(state == core.OBJECTED for state in consents[partner.id].values()),
                )
            )
        return facts

    @api.model
    def _normalized_email(self, partner):
        """The partner's address as ``email_normalize`` gives it (False unless exactly one).

        With a single "@" in the field, that is the ``email_normalized`` Odoo stores for the
        partner (its first address); parsing every customer's address again was a tenth of a
        large run's time. Otherwise the field is parsed, strictly.
        """
        email = partner.email or ""
        if email.count("@") == 1:
            return partner.email_normalized or False
        return email_normalize(email)

    @api.model
    def _pause_notes(self, partner, day):
        """Why a customer paused because it replied is paused: said on its held reminders."""
        until = partner.dunning_pause_until
        if partner.dunning_pause_reason != "reply" or not until or until < day:
            return ()
        return (
            self.env._(
                "The customer replied to a reminder: reminders paused until %(date)s.",
                date=format_date(self.env, until),
            ),
        )

    @api.model
    def _refused_channels(self, consent):
        """Channels the customer refused or objected to, from its consent states."""
        return frozenset(
            channel for channel, state in consent.items() if state in (core.REFUSED, core.OBJECTED)
        )

    @api.model
    def _reachable(self, partner, recipient, email_ok):
        """The channels that can reach the customer: an address, a number, no opt-out."""
        channels = set()
        if email_ok and recipient.email:
            channels.add("email")
        if any(p.phone_sanitized and not p.phone_blacklisted for p in (recipient, partner)):
            channels.add("sms")
        if recipient.phone or partner.phone:
            channels.add("call")
        if recipient._dunning_has_address() or partner._dunning_has_address():
            channels.add("letter")
        return frozenset(channels)

    @api.model
    def _capped_channels(self, company, day, partners, debts=None):
        """({customer id: channels held back}, {customer id: the rules that hold them}).

        The company's cap and its frequency rules (per channel, per debt, quiet days after a
        conversation) against the reminders sent before, read in one query. ``debts`` are the
        invoices each customer would be reminded of, for the rules that count per debt.
        """
        capped, notes = defaultdict(frozenset), defaultdict(tuple)
        rules = company._dunning_cap_rules(partners)
        horizon = max(
            (max(rule.days, rule.quiet_days) for found in rules.values() for rule in found),
            default=0,
        )
        if not horizon:
            return capped, notes
        since = fields.Date.subtract(day, days=horizon)
        history = defaultdict(list)
        # A call task of an earlier date may have become a conversation since.
        recent = Domain("date", ">", since) | Domain("call_date", ">", since)
        sent = self.env["dunning.communication"].search(
            Domain(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", partners.ids),
                    # A queued message is contact already.
                    ("state", "in", CONTACT_STATES),
                    ("date", "<=", day),
                ]
            )
            & recent
        )
        sent.fetch(["partner_id", "channel", "date", "call_outcome", "call_date"])
        moves_of = defaultdict(set)
        for line in sent.line_ids:
            moves_of[line.communication_id.id].add(line.move_id.id)
        for communication in sent:
            conversation = (
                communication.channel in core.CALL_CHANNELS
                and communication.call_outcome in core.CONVERSATION_OUTCOMES
            )
            when = communication.call_date if conversation and communication.call_date else None
            history[communication.partner_id.id].append(
                core.Contact(
                    communication.channel,
                    when.replace(tzinfo=pytz.utc)
                    if when
                    else datetime.combine(communication.date, time(), tzinfo=pytz.utc),
                    frozenset(moves_of[communication.id])
                    | frozenset(communication.plan_id.invoice_ids.ids),
                    conversation,
                )
            )
        now = datetime.combine(day, time(23, 59), tzinfo=pytz.utc)
        for partner in partners:
            held, why = set(), []
            for channel in core.ALL_CHANNELS:
                rule = core.held_by(
                    rules[partner.id],
                    history[partner.id],
                    now,
                    channel,
                    (debts or {}).get(partner.id, ()),
                )
                if rule:
                    held.add(channel)
                    why.append(f"{channel}: {rule.name}")
            capped[partner.id], notes[partner.id] = frozenset(held), tuple(why)
        return capped, notes
