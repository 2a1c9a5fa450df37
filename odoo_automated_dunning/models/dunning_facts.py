from collections import defaultdict
from datetime import datetime, time

import pytz

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, email_normalize, float_round, format_date, split_every

from .. import core
from .dunning_communication import CONTACT_STATES


class DunningFacts(models.AbstractModel):
    """Reads the ORM into the core's facts, set-wise, for every caller.

    The run, its preview, an invoice's next reminder date, payment plans, the portal and
    the wizards all ask here: a company and a date in, plain dataclasses out. Nothing here
    writes; the core decides on what it returns.
    """

    _name = "dunning.facts"
    _description = "Dunning Facts"

    # ------------------------------------------------- open overdue receivables

    @api.model
    def _open_lines_domain(self, company, partners=None, overdue_on=None):
        """A customer's open receivables: the open receivable items of posted customer
        invoices in ``company`` (None: in any company), of ``partners``' commercial entities,
        due before ``overdue_on`` (overdue on that day)."""
        domain = Domain(
            [
                ("parent_state", "=", "posted"),
                ("account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("move_id.move_type", "=", "out_invoice"),
                ("amount_residual", ">", 0),
            ]
        )
        if company is not None:
            domain &= Domain("company_id", "=", company.id)
        if partners is not None:
            domain &= Domain("partner_id", "in", partners.commercial_partner_id.ids)
        if overdue_on:
            domain &= Domain("date_maturity", "<", overdue_on)
        return domain

    @api.model
    def _open_invoices(self, partners, company, overdue_on=None):
        """The invoices of :meth:`_open_lines_domain`, oldest due first; every screen that
        lists a customer's open (overdue) invoices asks here."""
        return self.env["account.move"].search(
            Domain("line_ids", "any", self._open_lines_domain(company, partners, overdue_on)),
            order="invoice_date_due, id",
        )

    @api.model
    def _overdue_invoices(self, partners, companies=None):
        """The customers' open invoices overdue today, each company's today; in every company
        they owe to when ``companies`` is None (the portal)."""
        if companies is None:
            groups = self.env["account.move.line"]._read_group(
                self._open_lines_domain(None, partners), ["company_id"]
            )
            companies = self.env["res.company"].browse([c.id for (c,) in groups])
        invoices = self.env["account.move"]
        for company in companies:
            invoices |= self._open_invoices(partners, company, company._dunning_today())
        return invoices.sorted(lambda move: (move.invoice_date_due, move.id))

    @api.model
    def _overdue_partner_ids(self, company, day, after_id=0, partners=None):
        """Customers with an overdue open invoice on ``day``, past ``after_id``, in id order."""
        domain = self._open_lines_domain(company, partners, overdue_on=day)
        if after_id:
            # The column compared, not "partner_id.id": that joined every open item to its
            # customer (the run's largest query, twice as long). A many2one compared with 0
            # compares with NULL, hence no condition before the first batch.
            domain &= Domain("partner_id", ">", after_id)
        groups = self.env["account.move.line"]._read_group(domain, ["partner_id"])
        return sorted(partner.id for (partner,) in groups if partner)

    # ------------------------------------------------------------- run batches

    @api.model
    def _iter_plans(self, company, day, partner_ids, batch_size):
        """Yield (core plan, {customer id: recipient}) per batch of ``batch_size`` customers."""
        company = company.with_company(company)
        policies = self._policies(company)
        for batch in split_every(batch_size, partner_ids):
            yield self._plan(company, day, batch, policies)

    @api.model
    def _plan(self, company, day, partner_ids, policies=None):
        """The core's decisions for these customers on ``day``: one set of queries."""
        facts = self.with_company(company)
        if policies is None:
            policies = facts._policies(company)
        partners = facts.env["res.partner"].browse(partner_ids)
        recipients = facts._recipients(partners)
        invoices = facts._invoice_facts(company, day, Domain("partner_id", "in", partners.ids))
        debts = defaultdict(set)
        for invoice in invoices:
            debts[invoice.customer_id].add(invoice.id)
        customers = facts._customer_facts(company, day, partners, recipients, debts)
        policy_facts = facts._policy_facts(company, policies, [inv.id for inv in invoices])
        plan = core.plan_run(
            customers, invoices, policy_facts, day, precision=company.currency_id.rounding
        )
        return plan, recipients

    @api.model
    def _next_dates(self, company, day, moves):
        """{invoice id: date its next level becomes due}, by the same rules as the run."""
        facts = self.with_company(company)
        invoices = facts._invoice_facts(
            company, day, Domain("move_id", "in", moves.ids), overdue_only=False
        )
        partners = moves.commercial_partner_id.with_company(company)
        customers = {
            c.id: c
            for c in facts._customer_facts(company, day, partners, facts._recipients(partners))
        }
        policies = facts._policy_facts(
            company, facts._policies(company), [invoice.id for invoice in invoices]
        )
        return {
            invoice.id: core.next_reminder_date(invoice, customers[invoice.customer_id], policies)
            for invoice in invoices
        }

    # ---------------------------------------------------------------- invoices

    @api.model
    def _invoice_facts(self, company, day, lines_domain, overdue_only=True):
        """One query for the open items, one read of the invoices, one for product categories."""
        groups = self.env["account.move.line"]._read_group(
            self._open_lines_domain(company) & lines_domain,
            ["move_id"],
            [
                "date_maturity:min",
                "amount_residual:sum",
                "amount_residual_currency:sum",
                "no_followup:bool_or",
            ],
        )
        open_items = {
            move.id: (due, residual_company, residual, no_followup)
            for move, due, residual_company, residual, no_followup in groups
            if due and (due < day or not overdue_only)
        }
        moves = self.env["account.move"].browse(list(open_items))
        # The invoices' own columns straight from PostgreSQL: the ids come from the search
        # above, under the user's record rules; reading ten columns of a large run's
        # invoices through their records took a third of the decision's time.
        columns = [
            "commercial_partner_id",
            "currency_id",
            "journal_id",
            "invoice_payment_term_id",
            "amount_total_signed",
            "payment_state",
            "dunning_level_id",
            "dunning_last_date",
            "dunning_dispute",
        ]
        moves.flush_model(columns)
        rows = {
            row[0]: row[1:]
            for row in self.env.execute_query(
                SQL(
                    "SELECT id, %s FROM account_move WHERE id = ANY(%s)",
                    SQL(", ").join(SQL.identifier(name) for name in columns),
                    moves.ids,
                )
            )
        }
        promised_until, promise_broken = self._promise_facts(company, day, moves)
        in_plan = self.env["dunning.payment.plan"]._active_invoice_ids(moves)
        categories = self._product_categories(company, moves)
        # currency.round, with each currency's rounding read once.
        roundings = {
            currency.id: currency.rounding
            for currency in self.env["res.currency"].browse({row[1] for row in rows.values()})
        }
        facts = []
        for move_id in moves.ids:
            (
                customer_id,
                currency_id,
                journal_id,
                payment_term_id,
                amount_total_signed,
                payment_state,
                level_id,
                last_date,
                disputed,
            ) = rows[move_id]
            if payment_state not in ("not_paid", "partial"):
                continue
            due, residual_company, residual, no_followup = open_items[move_id]
            facts.append(
                core.Invoice(
                    id=move_id,
                    customer_id=customer_id,
                    due_date=due,
                    residual=float_round(residual, precision_rounding=roundings[currency_id]),
                    residual_company=residual_company,
                    currency_id=currency_id,
                    amount_total_company=abs(float(amount_total_signed or 0.0)),
                    journal_id=journal_id,
                    payment_term_id=payment_term_id or None,
                    product_category_ids=frozenset(categories[move_id]),
                    level_id=level_id or None,
                    last_date=last_date or None,
                    disputed=bool(disputed),
                    no_followup=no_followup,
                    promised_until=promised_until.get(move_id),
                    promise_broken=move_id in promise_broken,
                    in_plan=move_id in in_plan,
                )
            )
        return facts

    @api.model
    def _product_categories(self, company, moves):
        """{invoice id: its products' categories}, read only when a policy filters on them."""
        categories = defaultdict(set)
        if not self.env["dunning.policy"].search_count(
            [("company_id", "=", company.id), ("product_category_ids", "!=", False)], limit=1
        ):
            return categories
        product_groups = self.env["account.move.line"]._read_group(
            [
                ("move_id", "in", moves.ids),
                ("display_type", "=", "product"),
                ("product_id", "!=", False),
            ],
            ["move_id", "product_id"],
        )
        products = self.env["product.product"].browse({p.id for _m, p in product_groups})
        products.fetch(["categ_id"])
        for move, product in product_groups:
            categories[move.id].add(product.categ_id.id)
        return categories

    @api.model
    def _promise_facts(self, company, day, moves):
        """({invoice id: date dunning waits for}, {invoices of broken promises}), read-only.

        An open promise past its limit and not paid counts as broken here already, so a
        preview shows what the run will do; the run itself records the new states.
        """
        promises = self.env["dunning.promise"].search(
            [
                ("company_id", "=", company.id),
                ("move_ids", "in", moves.ids),
                ("state", "in", ("open", "broken")),
                ("escalated", "=", False),
            ]
        )
        promised_until, broken = {}, set()
        for promise in promises:
            paid = promise.currency_id.compare_amounts(promise.amount_paid, promise.amount) >= 0
            if promise.state == "open" and paid:
                continue
            if promise.state == "open" and promise.date_limit >= day:
                for move_id in promise.move_ids.ids:
                    promised_until[move_id] = max(
                        promise.date_limit, promised_until.get(move_id, promise.date_limit)
                    )
            else:
                broken.update(promise.move_ids.ids)
        return promised_until, broken

    # --------------------------------------------------------------- customers

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
        rules = {partner.id: company._dunning_cap_rules(partner) for partner in partners}
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

    # ---------------------------------------------------------------- policies

    @api.model
    def _policies(self, company):
        return self.env["dunning.policy"].search([("company_id", "=", company.id)])

    @api.model
    def _policy_facts(self, company, policies, invoice_ids):
        """Policies as core facts; a domain is evaluated once per batch on its invoices."""
        facts = []
        for policy in policies:
            domain_ids = None
            domain = policy._parsed_domain()
            if not domain.is_true():
                domain_ids = frozenset(
                    self.env["account.move"].search(Domain("id", "in", invoice_ids) & domain).ids
                )
            categories = (
                self.env["product.category"].search(
                    [("id", "child_of", policy.product_category_ids.ids)]
                )
                if policy.product_category_ids
                else self.env["product.category"]
            )
            facts.append(
                core.Policy(
                    id=policy.id,
                    name=policy.name,
                    sequence=policy.sequence,
                    levels=tuple(
                        core.Level(
                            id=level.id,
                            name=level.name,
                            delay=level.delay,
                            delay_unit=level.delay_unit,
                            tone=level.tone,
                            minimum_amount=level.minimum_amount,
                            minimum_gap_days=level.minimum_gap_days,
                            channels=level._channel_pairs(),
                        )
                        for level in policy.level_ids.sorted(lambda lv: (lv.sequence, lv.id))
                    ),
                    journal_ids=frozenset(policy.journal_ids.ids),
                    payment_term_ids=frozenset(policy.payment_term_ids.ids),
                    product_category_ids=frozenset(categories.ids),
                    partner_category_ids=frozenset(policy.partner_category_ids.ids),
                    partner_type=policy.partner_type,
                    minimum_amount=policy.minimum_amount,
                    minimum_risk_score=policy.minimum_risk_score,
                    domain_invoice_ids=domain_ids,
                )
            )
        return facts
