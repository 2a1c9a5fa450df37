import logging
from collections import defaultdict
from datetime import datetime, time

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain
from odoo.tools import email_normalize, split_every

from .. import core
from .dunning_consent import CHANNEL_OF_CONSENT

_logger = logging.getLogger(__name__)

# Customers decided, written and committed together; one set of queries per batch.
# Settable with the system parameter odoo_automated_dunning.batch_size.
BATCH_SIZE = 500
# A run started from the menu for more customers than this goes to the background cron.
# Settable with the system parameter odoo_automated_dunning.sync_customer_limit.
SYNC_CUSTOMER_LIMIT = 300


class DunningRun(models.Model):
    _name = "dunning.run"
    _description = "Dunning Run"
    _order = "date desc, id desc"

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    date = fields.Date(
        required=True,
        default=lambda self: self._today(self.env.company),
        help="The day the run decides for; an earlier date replays that day.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("done", "Done")],
        default="draft",
        required=True,
        readonly=True,
        index=True,
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Only These Customers",
        help="A manual run for a few customers (empty: every customer with overdue invoices). "
        "It applies the same policies and contact rules as the daily run.",
    )
    jobs_enqueued = fields.Boolean(
        readonly=True,
        copy=False,
        help="Its batches were handed to OCA's queue_job, to run in parallel.",
    )
    prepare_only = fields.Boolean(
        help="Decide and record the reminders without sending them, to review them first; "
        "Send Prepared sends them (as OCA's credit control generates lines, then mails them).",
    )
    user_id = fields.Many2one("res.users", string="Started by", readonly=True)
    started_at = fields.Datetime(readonly=True)
    finished_at = fields.Datetime(readonly=True)
    communication_ids = fields.One2many("dunning.communication", "run_id", readonly=True)
    invoice_count = fields.Integer(string="Invoices Evaluated", readonly=True)
    excluded_count = fields.Integer(
        string="Invoices Excluded",
        readonly=True,
        help="Overdue invoices left out: disputed, excluded from follow-up or under no policy.",
    )
    customer_count = fields.Integer(string="Customers to Evaluate", readonly=True)
    customer_done_count = fields.Integer(string="Customers Evaluated", readonly=True)
    # Resume point: customers are processed in id order and this is committed with each batch.
    cursor_partner_id = fields.Integer(readonly=True, copy=False)
    progress = fields.Float(compute="_compute_progress")
    # A customer reminded by email and SMS is one customer and two messages.
    reminded_count = fields.Integer(
        string="Customers Reminded",
        compute="_compute_counts",
        store=True,
        help="Customers who received at least one message from this run.",
    )
    sent_count = fields.Integer(
        string="Messages Sent",
        compute="_compute_counts",
        store=True,
        help="Emails, letters, SMS and call tasks: one per channel of each reminder.",
    )
    failed_count = fields.Integer(string="Messages Failed", compute="_compute_counts", store=True)
    skipped_count = fields.Integer(
        string="Customers Skipped",
        compute="_compute_counts",
        store=True,
        help="Customers due a reminder who got none, with the reason on each skipped reminder.",
    )
    skip_summary = fields.Char(string="Skipped by Reason", compute="_compute_counts", store=True)
    letter_count = fields.Integer(string="Letters", compute="_compute_letter_counts")
    letter_unposted_count = fields.Integer(
        string="Letters Not Posted", compute="_compute_letter_counts"
    )
    missing_rate_note = fields.Text(
        string="Interest Not Charged",
        compute="_compute_missing_rate_note",
        help="Reference rates nobody entered yet: reminders went out without that interest.",
    )

    @api.depends("customer_count", "customer_done_count", "state")
    def _compute_progress(self):
        for run in self:
            if run.state == "done":
                run.progress = 100.0
            else:
                total = run.customer_count
                run.progress = 100.0 * run.customer_done_count / total if total else 0.0

    def _compute_missing_rate_note(self):
        groups = self.env["dunning.charge"]._read_group(
            [("communication_id.run_id", "in", self.ids), ("missing_rate_reference", "!=", False)],
            ["communication_id", "reason"],
        )
        notes = {}
        for communication, reason in groups:
            notes.setdefault(communication.run_id, set()).add(reason)
        for run in self:
            run.missing_rate_note = "\n".join(sorted(notes.get(run, ()))) or False

    @api.depends("communication_ids.state", "communication_ids.skip_reason")
    def _compute_counts(self):
        groups = self.env["dunning.communication"]._read_group(
            [("run_id", "in", self.ids)], ["run_id", "state", "skip_reason"], ["__count"]
        )
        reason_labels = dict(
            self.env["dunning.communication"]
            ._fields["skip_reason"]
            ._description_selection(self.env)
        )
        reminded = dict(
            self.env["dunning.communication"]._read_group(
                [("run_id", "in", self.ids), ("state", "=", "sent")],
                ["run_id"],
                ["partner_id:count_distinct"],
            )
        )
        stats = defaultdict(lambda: defaultdict(int))
        reasons = defaultdict(dict)
        for run, state, reason, count in groups:
            stats[run][state] += count
            if state == "skipped":
                reasons[run][reason_labels.get(reason, reason)] = count
        for run in self:
            run.reminded_count = reminded.get(run, 0)
            run.sent_count = stats[run]["sent"]
            run.failed_count = stats[run]["failed"]
            run.skipped_count = stats[run]["skipped"]
            run.skip_summary = ", ".join(
                f"{label}: {count}" for label, count in sorted(reasons[run].items())
            )

    @api.depends("communication_ids.letter_posted_date", "communication_ids.state")
    def _compute_letter_counts(self):
        groups = self.env["dunning.communication"]._read_group(
            [("run_id", "in", self.ids), ("channel", "=", "letter"), ("state", "=", "sent")],
            ["run_id", "letter_posted_date:day"],
            ["__count"],
        )
        totals, unposted = defaultdict(int), defaultdict(int)
        for run, posted, count in groups:
            totals[run.id] += count
            if not posted:
                unposted[run.id] += count
        for run in self:
            run.letter_count = totals[run.id]
            run.letter_unposted_count = unposted[run.id]

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("dunning.run") or "/"
        return super().create(vals_list)

    # ------------------------------------------------------------------ actions

    def action_preview(self):
        """Dry run: what the run would send and skip today, without writing anything."""
        self.ensure_one()
        run = self.with_company(self.company_id)
        wizard = self.env["dunning.run.preview"].create({"run_id": self.id})
        lines = []
        for plan, customers in run._iter_plans(run._candidate_partner_ids()):
            lines += wizard._lines_from_plan(plan, customers)
        wizard.line_ids = [Command.create(vals) for vals in lines]
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Preview of %(run)s", run=self.name),
            "res_model": "dunning.run.preview",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_run(self):
        """Run now; a large run is handed to the background cron, which commits per batch."""
        for run in self:
            if run.state == "done":
                raise UserError(
                    self.env._(
                        "Run %(run)s is already done. Create a new run to dun again; it will not "
                        "send anything twice.",
                        run=run.name,
                    )
                )
        background = self.browse()
        for run in self:
            run.write(
                {
                    "state": "running",
                    "user_id": self.env.user.id,
                    "started_at": fields.Datetime.now(),
                }
            )
            candidates = run.with_company(run.company_id)._candidate_partner_ids()
            run.customer_count = len(candidates)
            if len(candidates) > self._param("sync_customer_limit", SYNC_CUSTOMER_LIMIT):
                background |= run
            else:
                run._process(commit=False)
        if background:
            self.env.ref("odoo_automated_dunning.ir_cron_dunning_run")._trigger()
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._(
                        "%(count)s run(s) continue in the background; their progress shows on the run.",
                        count=len(background),
                    ),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return True

    def _letters(self):
        return self.communication_ids.filtered(
            lambda c: c.channel == "letter" and c.state == "sent"
        ).sorted(lambda c: (c.partner_id.name or "", c.id))

    def action_print_letters(self):
        """All the run's letters as one PDF, in customer order, from the kept copies."""
        self.ensure_one()
        letters = self._letters()
        if not letters:
            raise UserError(self.env._("Run %(run)s produced no letter.", run=self.name))
        return self.env.ref("odoo_automated_dunning.dunning_letter_report").report_action(letters)

    def action_mark_letters_posted(self):
        self.ensure_one()
        letters = self._letters().filtered(lambda c: not c.letter_posted_date)
        letters.sudo().letter_posted_date = fields.Date.context_today(self)
        return True

    def action_send_prepared(self):
        """Send what a prepare-only run recorded, batch by batch."""
        for run in self:
            # Reminders are system records: users read them, only the addon writes them.
            drafts = run.communication_ids.sudo().filtered(lambda c: c.state == "draft")
            for batch in split_every(run._param("batch_size", BATCH_SIZE), drafts.ids):
                run.with_company(run.company_id)._deliver(drafts.browse(batch))
        return True

    def action_view_communications(self):
        self.ensure_one()
        return self.env["dunning.communication"]._action_open([("run_id", "=", self.id)])

    # --------------------------------------------------------------------- cron

    @api.model
    def _cron_run_dunning(self):
        """Daily: start today's run for every company with a policy, then work through runs."""
        companies = self.env["dunning.policy"].search([]).company_id
        for company in companies:
            today = self._today(company)
            if not self.search_count(
                [
                    ("company_id", "=", company.id),
                    ("date", "=", today),
                    ("partner_ids", "=", False),  # a manual run for a few customers is not it
                ],
                limit=1,
            ):
                self.create({"company_id": company.id, "date": today}).write(
                    {"state": "running", "started_at": fields.Datetime.now()}
                )
        jobs = self._queue_job_ready()
        for record in self.search([("state", "=", "running")], order="date, id"):
            run = record.with_company(record.company_id)
            if jobs:
                if not run.jobs_enqueued:
                    run._enqueue_batches()
                continue
            if not run._process(commit=True):
                return  # out of time: the cron was re-triggered to continue

    # --------------------------------------------------------------- processing

    @api.model
    def _param(self, name, default):
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(f"odoo_automated_dunning.{name}", default)
        )

    @api.model
    def _today(self, company):
        """Today in the company's timezone (its partner's), whatever the server's is."""
        tz = pytz.timezone(company.partner_id.tz or self.env.user.tz or "UTC")
        return datetime.now(pytz.utc).astimezone(tz).date()

    def _open_lines_domain(self):
        """Open receivable items of customer invoices in the run's company."""
        self.ensure_one()
        return Domain(
            [
                ("company_id", "=", self.company_id.id),
                ("parent_state", "=", "posted"),
                ("account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("move_id.move_type", "=", "out_invoice"),
                ("amount_residual", ">", 0),
            ]
        )

    def _candidate_partner_ids(self):
        """Customers with an overdue open invoice, past the resume cursor, in id order."""
        self.ensure_one()
        domain = self._open_lines_domain() & Domain(
            [("date_maturity", "<", self.date), ("partner_id.id", ">", self.cursor_partner_id)]
        )
        if self.partner_ids:
            domain &= Domain("partner_id", "in", self.partner_ids.commercial_partner_id.ids)
        groups = self.env["account.move.line"]._read_group(domain, ["partner_id"])
        return sorted(partner.id for (partner,) in groups if partner)

    def _process(self, commit, max_batches=None):
        """Work through the remaining customers; False if stopped to continue in a later call.

        ``commit`` commits each batch through the cron progress API and stops when the cron's
        time budget is spent; ``max_batches`` stops after that many batches.
        """
        self.ensure_one()
        if not self.customer_done_count:
            self.env["dunning.communication"].sudo()._check_deliveries(self.company_id)
            # Paid customers drop out of the batches: settle every open promise first.
            self.env["dunning.promise"].sudo()._update_states(self.company_id, self.date)
        candidates = self._candidate_partner_ids()
        if not self.customer_count:
            self.customer_count = self.customer_done_count + len(candidates)
        remaining = len(candidates)
        for plan, recipients in self._iter_plans(candidates):
            self._apply_plan(plan, recipients)
            customers = list(recipients)
            remaining -= len(customers)
            self.write(
                {
                    "cursor_partner_id": max(customers),
                    "customer_done_count": self.customer_done_count + len(customers),
                    "invoice_count": self.invoice_count + plan.evaluated,
                    "excluded_count": self.excluded_count
                    + sum(
                        count
                        for reason, count in plan.excluded.items()
                        if reason != core.EXCLUDED_NOT_OVERDUE
                    ),
                }
            )
            # Each batch is one transaction: a crash loses at most the batch being written,
            # and nothing of it was sent since mails leave only once committed.
            time_left = float("inf")
            if commit:
                time_left = self.env["ir.cron"]._commit_progress(
                    len(customers), remaining=remaining
                )
            # Written and (in the cron) committed: drop the batch's records from the cache, so
            # memory stays flat however large the book.
            self.env.flush_all()
            self.env.invalidate_all()
            if max_batches is not None:
                max_batches -= 1
            if remaining and (time_left <= 0 or max_batches == 0):
                return False  # the cron calls again while progress shows work remaining
        self.write({"state": "done", "finished_at": fields.Datetime.now()})
        if commit:
            self.env["ir.cron"]._commit_progress(remaining=0)
        return True

    # ------------------------------------------------- parallel batches (OCA queue_job)

    @api.model
    def _queue_job_ready(self):
        """True when OCA's queue_job is installed: batches then run as parallel jobs, unless
        the system parameter odoo_automated_dunning.use_queue_job is 0."""
        return (
            "queue_job" in self.env["ir.module.module"]._installed()
            and hasattr(self, "with_delay")
            and self._param("use_queue_job", 1) != 0
        )

    def _enqueue_batches(self):
        """One job per batch of customers, for any Odoo worker or server running queue_job."""
        self.ensure_one()
        if not self.customer_done_count:
            self.env["dunning.communication"].sudo()._check_deliveries(self.company_id)
            self.env["dunning.promise"].sudo()._update_states(self.company_id, self.date)
        candidates = self._candidate_partner_ids()
        self.write({"customer_count": self.customer_done_count + len(candidates)})
        for batch in split_every(self._param("batch_size", BATCH_SIZE), candidates):
            self.with_delay(
                description=self.env._("Dunning %(run)s: customers %(first)s to %(last)s")
                % {"run": self.name, "first": batch[0], "last": batch[-1]},
                identity_key=f"dunning.run-{self.id}-{batch[0]}-{batch[-1]}",
            )._process_batch(list(batch))
        self.jobs_enqueued = True
        if not candidates:
            self.write({"state": "done", "finished_at": fields.Datetime.now()})

    def _process_batch(self, partner_ids):
        """A job: decide, record and send one batch; safe to run twice, in parallel with
        the run's other batches."""
        self.ensure_one()
        # A job run again (its worker died after committing) skips what it already did.
        done = set(
            self.env["dunning.communication"]
            .search([("run_id", "=", self.id), ("partner_id", "in", partner_ids)])
            .partner_id.ids
        )
        todo = [partner_id for partner_id in partner_ids if partner_id not in done]
        evaluated = excluded = 0
        for plan, recipients in self._iter_plans(todo):
            self._apply_plan(plan, recipients)
            evaluated += plan.evaluated
            excluded += sum(
                count
                for reason, count in plan.excluded.items()
                if reason != core.EXCLUDED_NOT_OVERDUE
            )
        self.env.flush_all()
        # Counters as increments: the run's other batches write the same row concurrently.
        self.env.cr.execute(
            "UPDATE dunning_run SET customer_done_count = COALESCE(customer_done_count, 0) + %s, "
            "invoice_count = COALESCE(invoice_count, 0) + %s, "
            "excluded_count = COALESCE(excluded_count, 0) + %s "
            "WHERE id = %s RETURNING customer_done_count, COALESCE(customer_count, 0)",
            (len(todo), evaluated, excluded, self.id),
        )
        done_count, total = self.env.cr.fetchone()
        self.invalidate_recordset(["customer_done_count", "invoice_count", "excluded_count"])
        if done_count >= total:
            self.write({"state": "done", "finished_at": fields.Datetime.now()})
        return done_count

    def _iter_plans(self, partner_ids):
        """Yield (plan, {customer id: recipient}) for each batch of customers."""
        self.ensure_one()
        policies = self.env["dunning.policy"].search([("company_id", "=", self.company_id.id)])
        precision = self.company_id.currency_id.rounding
        for batch in split_every(self._param("batch_size", BATCH_SIZE), partner_ids):
            partners = self.env["res.partner"].browse(batch).with_company(self.company_id)
            recipients = self._recipients(partners)
            invoices = self._invoice_facts(Domain("partner_id", "in", batch))
            debts = defaultdict(set)
            for invoice in invoices:
                debts[invoice.customer_id].add(invoice.id)
            customers = self._customer_facts(partners, recipients, debts)
            policy_facts = self._policy_facts(policies, [inv.id for inv in invoices])
            plan = core.plan_run(customers, invoices, policy_facts, self.date, precision=precision)
            yield plan, recipients

    def _invoice_facts(self, lines_domain, overdue_only=True):
        """One query for the open items, one read of the invoices, one for product categories."""
        lines_domain = self._open_lines_domain() & lines_domain
        groups = self.env["account.move.line"]._read_group(
            lines_domain,
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
            if due and (due < self.date or not overdue_only)
        }
        moves = self.env["account.move"].browse(list(open_items))
        moves.fetch(
            [
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
        )
        promised_until, promise_broken = self._promise_facts(moves)
        in_plan = self.env["dunning.payment.plan"]._active_invoice_ids(moves)
        categories = defaultdict(set)
        if self.env["dunning.policy"].search_count(
            [("company_id", "=", self.company_id.id), ("product_category_ids", "!=", False)],
            limit=1,
        ):
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
        facts = []
        for move in moves:
            if move.payment_state not in ("not_paid", "partial"):
                continue
            due, residual_company, residual, no_followup = open_items[move.id]
            facts.append(
                core.Invoice(
                    id=move.id,
                    customer_id=move.commercial_partner_id.id,
                    due_date=due,
                    residual=move.currency_id.round(residual),
                    residual_company=residual_company,
                    currency_id=move.currency_id.id,
                    amount_total_company=abs(move.amount_total_signed),
                    journal_id=move.journal_id.id,
                    payment_term_id=move.invoice_payment_term_id.id or None,
                    product_category_ids=frozenset(categories[move.id]),
                    level_id=move.dunning_level_id.id or None,
                    last_date=move.dunning_last_date or None,
                    disputed=move.dunning_dispute,
                    no_followup=no_followup,
                    promised_until=promised_until.get(move.id),
                    promise_broken=move.id in promise_broken,
                    in_plan=move.id in in_plan,
                )
            )
        return facts

    def _promise_facts(self, moves):
        """({invoice id: date dunning waits for}, {invoices of broken promises}), read-only.

        An open promise past its limit and not paid counts as broken here already, so a
        preview shows what the run will do; the run itself records the new states.
        """
        promises = self.env["dunning.promise"].search(
            [
                ("company_id", "=", self.company_id.id),
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
            if promise.state == "open" and promise.date_limit >= self.date:
                for move_id in promise.move_ids.ids:
                    promised_until[move_id] = max(
                        promise.date_limit, promised_until.get(move_id, promise.date_limit)
                    )
            else:
                broken.update(promise.move_ids.ids)
        return promised_until, broken

    def _customer_facts(self, partners, recipients, debts=None):
        """Customers with their net balance and their recipient's blacklist state, set-wise."""
        partners.fetch(
            [
                "dunning_policy_id",
                "category_id",
                "is_company",
                "dunning_pause_until",
                "email",
                "phone",
                "phone_sanitized",
                "street",
                "city",
                "country_id",
            ]
        )
        balances = dict(
            self.env["account.move.line"]._read_group(
                [
                    ("company_id", "=", self.company_id.id),
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
                [("company_id", "=", self.company_id.id), ("partner_id", "in", partners.ids)]
            )
        }
        emails = {
            pid: email_normalize(recipient.email or "") for pid, recipient in recipients.items()
        }
        consents = partners._dunning_consent_states()
        capped, held_notes = self._capped_channels(partners, debts)
        blacklisted = set(
            self.env["mail.blacklist"]
            .sudo()
            .search([("email", "in", [e for e in emails.values() if e])])
            .mapped("email")
        )
        return [
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
                reachable=self._reachable(
                    partner, recipients[partner.id], emails[partner.id] not in blacklisted
                )
                - self._refused_channels(consents[partner.id])
                - capped[partner.id],
                capped=capped[partner.id],
                held_notes=held_notes[partner.id],
                refused=self._refused_channels(consents[partner.id]),
                objected=all(state == core.OBJECTED for state in consents[partner.id].values()),
            )
            for partner in partners
        ]

    @api.model
    def _refused_channels(self, consent):
        """Dunning channels the customer refused or objected to, from its consent states."""
        return frozenset(
            CHANNEL_OF_CONSENT[channel]
            for channel, state in consent.items()
            if state in (core.REFUSED, core.OBJECTED)
        )

    def _capped_channels(self, partners, debts=None):
        """({customer id: channels held back}, {customer id: the rules that hold them}).

        The company's cap and its frequency rules (per channel, per debt, quiet days after a
        conversation) against the reminders sent before, read in one query. ``debts`` are the
        invoices each customer would be reminded of, for the rules that count per debt.
        """
        company = self.company_id
        capped, notes = defaultdict(frozenset), defaultdict(tuple)
        rules = {partner.id: company._dunning_cap_rules(partner) for partner in partners}
        horizon = max(
            (max(rule.days, rule.quiet_days) for found in rules.values() for rule in found),
            default=0,
        )
        if not horizon:
            return capped, notes
        since = fields.Date.subtract(self.date, days=horizon)
        history = defaultdict(list)
        # A call task of an earlier date may have become a conversation since.
        recent = Domain("date", ">", since) | Domain("call_date", ">", since)
        sent = self.env["dunning.communication"].search(
            Domain(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", partners.ids),
                    ("state", "=", "sent"),
                    ("date", "<=", self.date),
                ]
            )
            & recent
        )
        sent.fetch(["partner_id", "channel", "date", "call_outcome", "call_date"])
        moves_of = defaultdict(set)
        for line in sent.line_ids:
            moves_of[line.communication_id.id].add(line.move_id.id)
        for communication in sent:
            conversation = communication.channel == "call" and communication.call_outcome in (
                "reached",
                "promise",
                "dispute",
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
        now = datetime.combine(self.date, time(23, 59), tzinfo=pytz.utc)
        for partner in partners:
            held, why = set(), []
            for channel in core.CHANNELS:
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
    def _recipients(self, partners):
        """The invoice contact with an email when there is one, else the customer itself."""
        contacts = self.env["res.partner"].search(
            [("parent_id", "in", partners.ids), ("type", "=", "invoice"), ("email", "!=", False)],
            order="id",
        )
        recipients = {}
        for contact in contacts:
            recipients.setdefault(contact.parent_id.id, contact)
        return {partner.id: recipients.get(partner.id, partner) for partner in partners}

    def _next_dates(self, moves):
        """{invoice id: date its next level becomes due}, by the same rules as the run."""
        self.ensure_one()
        invoices = self._invoice_facts(Domain("move_id", "in", moves.ids), overdue_only=False)
        partners = moves.commercial_partner_id.with_company(self.company_id)
        customers = {c.id: c for c in self._customer_facts(partners, self._recipients(partners))}
        policies = self._policy_facts(
            self.env["dunning.policy"].search([("company_id", "=", self.company_id.id)]),
            [invoice.id for invoice in invoices],
        )
        return {
            invoice.id: core.next_reminder_date(invoice, customers[invoice.customer_id], policies)
            for invoice in invoices
        }

    def _policy_facts(self, policies, invoice_ids):
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

    def _apply_plan(self, plan, recipients):
        """Record each decision, send it on its channels, and move the invoices to their level."""
        self.ensure_one()
        vals_list = []
        for decision in plan.decisions:
            if decision.action == "send":
                vals_list += [
                    self._communication_vals(decision, recipients, channel, primary=not rank)
                    for rank, channel in enumerate(decision.channels)
                ]
            else:
                channels = decision.level.channels if decision.level else (("email", False),)
                vals_list.append(self._communication_vals(decision, recipients, channels[0][0]))
        # The lines in one flat create rather than nested in each reminder: one batch of
        # INSERTs for the whole batch of customers (a third of a large run's time otherwise).
        lines_of = [vals.pop("line_ids") for vals in vals_list]
        communications = self.env["dunning.communication"].sudo().create(vals_list)
        self.env["dunning.communication.line"].sudo().create(
            [
                {**line, "communication_id": communication.id, "company_id": self.company_id.id}
                for communication, lines in zip(communications, lines_of, strict=True)
                for line in lines
            ]
        )
        if not self.prepare_only:
            self._deliver(communications)

    def _deliver(self, communications):
        """Charge and send the drafts, then move the invoices of those sent to their level."""
        communications.filtered(lambda c: c.state == "draft")._charge()
        communications.filtered(lambda c: c.state == "draft")._send()
        communications._settle_charges()
        sent = communications.filtered(lambda c: c.state == "sent")
        by_level = defaultdict(set)
        for line in sent.line_ids.filtered("escalated"):
            by_level[line.level_id.id].add(line.move_id.id)
        for level_id, move_ids in by_level.items():
            self.env["account.move"].browse(list(move_ids))._dunning_set_level(level_id, self.date)
        escalated_moves = set().union(*by_level.values()) if by_level else set()
        self.env["dunning.promise"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("partner_id", "in", communications.partner_id.ids),
                ("state", "=", "broken"),
                ("escalated", "=", False),
            ]
        ).filtered(lambda p: escalated_moves & set(p.move_ids.ids)).escalated = True

    def _communication_vals(self, decision, recipients, channel, primary=True):
        lines = decision.lines
        currencies = {line.invoice.currency_id for line in lines}
        if len(currencies) == 1:
            currency_id = currencies.pop()
            total = sum(line.invoice.residual for line in lines)
        else:  # several currencies: the total is given in company currency
            currency_id = self.company_id.currency_id.id
            total = sum(line.invoice.residual_company for line in lines)
        return {
            "run_id": self.id,
            "company_id": self.company_id.id,
            "date": self.date,
            "partner_id": decision.customer.id,
            "recipient_id": recipients[decision.customer.id].id,
            "policy_id": decision.policy_id,
            "level_id": decision.level.id if decision.level else False,
            "tone": decision.level.tone if decision.level else False,
            "channel": channel,
            "primary": primary,
            "state": "draft" if decision.action == "send" else "skipped",
            "skip_reason": decision.skip_reason,
            "decision_note": "; ".join(decision.customer.held_notes) or False,
            "currency_id": currency_id,
            "amount_total": total,
            "amount_company": sum(line.invoice.residual_company for line in lines),
            # Created apart, in one batch: see _apply_plan.
            "line_ids": [
                {
                    "move_id": line.invoice.id,
                    "level_id": line.level.id if line.level else False,
                    "previous_level_id": line.previous_level.id if line.previous_level else False,
                    "previous_date": line.invoice.last_date or False,
                    "escalated": line.escalated,
                    "date_due": line.invoice.due_date,
                    "days_overdue": line.days_overdue,
                    "currency_id": line.invoice.currency_id,
                    "amount_residual": line.invoice.residual,
                }
                for line in lines
            ],
        }
