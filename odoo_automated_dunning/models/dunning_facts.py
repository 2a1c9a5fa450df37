from collections import defaultdict

from odoo import api, models
from odoo.fields import Domain
from odoo.tools import SQL, float_round, split_every

from .. import core


class DunningFacts(models.AbstractModel):
    """Reads the ORM into the core's facts, set-wise, for every caller.

    The run, its preview, an invoice's next reminder date, payment plans, the portal and
    the wizards all ask here: a company and a date in, plain dataclasses out. Nothing here
    writes; the core decides on what it returns. The customers' facts (recipients, balance,
    consent, reachable and capped channels) are in ``dunning_facts_customer.py``.
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
