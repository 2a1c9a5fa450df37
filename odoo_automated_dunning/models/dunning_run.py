import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

from .. import core
from .dunning_communication import CONTACT_STATES

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
    # The run lock and the date checks: dunning_run_guard.py.

    # ------------------------------------------------------------------- fields

    name = fields.Char(required=True, readonly=True, default="/", copy=False)
    date = fields.Date(
        required=True,
        default=lambda self: self.env.company._dunning_today(),
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
    message_count = fields.Integer(
        string="Messages",
        compute="_compute_counts",
        store=True,
        help="Emails, letters, SMS and call tasks made: one per channel of each reminder.",
    )
    queued_count = fields.Integer(
        string="Messages Queued",
        compute="_compute_counts",
        store=True,
        help="Emails and SMS waiting in Odoo's queues for the mail server or SMS provider.",
    )
    sent_count = fields.Integer(
        string="Messages Sent",
        compute="_compute_counts",
        store=True,
        help="Emails and SMS the mail server or SMS provider accepted, letters rendered and "
        "call tasks planned: one per channel of each reminder.",
    )
    failed_count = fields.Integer(
        string="Messages Failed",
        compute="_compute_counts",
        store=True,
        help="Messages that could not be made or that the mail server or SMS provider refused.",
    )
    bounced_count = fields.Integer(
        string="Messages Bounced",
        compute="_compute_counts",
        store=True,
        help="Emails the mail server accepted whose bounce came back.",
    )
    skipped_count = fields.Integer(
        string="Customers Skipped",
        compute="_compute_counts",
        store=True,
        help="Customers due a reminder who got none, with the reason on each skipped reminder.",
    )
    # Not stored: the reasons read in the language of whoever looks, not of the run's user.
    skip_summary = fields.Char(string="Skipped by Reason", compute="_compute_skip_summary")
    letter_count = fields.Integer(string="Letters", compute="_compute_letter_counts")
    letter_unposted_count = fields.Integer(
        string="Letters Not Posted", compute="_compute_letter_counts"
    )
    # Set when the run's emails get their slots (dunning_send_quota.py).
    deferred_count = fields.Integer(
        string="Waiting for the Email Quota",
        readonly=True,
        help="Emails of this run that wait for the company's email quota: they leave in the "
        "next free hours, most money at risk first.",
    )
    last_deferred_at = fields.Datetime(
        string="Last One Leaves", readonly=True, help="When the last waiting email leaves."
    )
    quota_note = fields.Char(string="Email Quota", compute="_compute_quota_note")
    missing_rate_note = fields.Text(
        string="Interest Not Charged",
        compute="_compute_missing_rate_note",
        help="Reference rates nobody entered yet: reminders went out without that interest.",
    )

    # ----------------------------------------------------------------- computes

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

    @api.depends("deferred_count", "last_deferred_at")
    @api.depends_context("lang")
    def _compute_quota_note(self):
        for run in self:
            run.quota_note = self.env["dunning.send.quota"]._note(run)

    @api.depends("communication_ids.state", "communication_ids.skip_reason")
    def _compute_counts(self):
        groups = self.env["dunning.communication"]._read_group(
            [("run_id", "in", self.ids)], ["run_id", "state"], ["__count"]
        )
        reminded = dict(
            self.env["dunning.communication"]._read_group(
                [("run_id", "in", self.ids), ("state", "in", CONTACT_STATES)],
                ["run_id"],
                ["partner_id:count_distinct"],
            )
        )
        stats = defaultdict(lambda: defaultdict(int))
        for run, state, count in groups:
            stats[run][state] += count
        for run in self:
            run.reminded_count = reminded.get(run, 0)
            run.message_count = sum(
                stats[run][state] for state in ("queued", "sent", "failed", "bounced")
            )
            run.queued_count = stats[run]["queued"]
            run.sent_count = stats[run]["sent"]
            run.failed_count = stats[run]["failed"]
            run.bounced_count = stats[run]["bounced"]
            run.skipped_count = stats[run]["skipped"]

    @api.depends("communication_ids.state", "communication_ids.skip_reason")
    @api.depends_context("lang")
    def _compute_skip_summary(self):
        groups = self.env["dunning.communication"]._read_group(
            [("run_id", "in", self.ids), ("state", "=", "skipped")],
            ["run_id", "skip_reason"],
            ["__count"],
        )
        reason_labels = dict(
            self.env["dunning.communication"]
            ._fields["skip_reason"]
            ._description_selection(self.env)
        )
        reasons = defaultdict(dict)
        for run, reason, count in groups:
            reasons[run][reason_labels.get(reason, reason)] = count
        for run in self:
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

    # ------------------------------------------------------------------- create

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("dunning.run") or "/"
        return super().create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "done":
            # Done: its emails held for the email quota get their slots, in one order.
            self.env["dunning.send.quota"].sudo()._release(self)
        return result

    # ------------------------------------------------------------------ actions

    def action_preview(self):
        """Dry run: what the run would send and skip today, a page of customers at a time,
        without writing anything."""
        self.ensure_one()
        return self.env["dunning.run.preview"].create({"run_id": self.id})._show_page(0)

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
            run._check_not_ahead()
            if not run._try_lock():
                raise UserError(
                    self.env._(
                        "Another dunning run of %(company)s is working right now (started from "
                        "the menu or by the daily job); run %(run)s was not started. Start it "
                        "again once that run is done: the runs list shows its progress.",
                        company=run.company_id.name,
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
            candidates = run._candidate_partner_ids()
            run.customer_count = len(candidates)
            if len(candidates) > self._param("sync_customer_limit", SYNC_CUSTOMER_LIMIT):
                background |= run
            else:
                # The candidates just read: the book's largest query, not run twice.
                run._process(commit=False, candidates=candidates)
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
        letters.sudo().letter_posted_date = self.company_id._dunning_today()
        return True

    def action_send_prepared(self):
        """Send what a prepare-only run recorded, batch by batch."""
        for run in self:
            if not run._try_lock():
                raise UserError(
                    self.env._(
                        "Another dunning run of %(company)s is working right now; the "
                        "reminders prepared by %(run)s were not sent. Send them once that run "
                        "is done.",
                        company=run.company_id.name,
                        run=run.name,
                    )
                )
            # Reminders are system records: users read them, only the addon writes them.
            drafts = run.communication_ids.sudo().filtered(lambda c: c.state == "draft")
            for batch in split_every(run._param("batch_size", BATCH_SIZE), drafts.ids):
                self.env["dunning.send"].with_company(run.company_id)._deliver(drafts.browse(batch))
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
            today = company._dunning_today()
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
        for record in self.search([("state", "=", "running")], order="date, id"):
            if record.date > record.company_id._dunning_today():
                continue  # started for a day to come (through RPC): it waits for that day
            if not record._try_lock():
                record._wait_for_lock()
                continue
            if not record.with_company(record.company_id)._dispatch_batches():
                return  # out of time: the cron was re-triggered to continue

    # ------------------------------------------------------------------ batches

    @api.model
    def _param(self, name, default):
        return int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(f"odoo_automated_dunning.{name}", default)
        )

    def _candidate_partner_ids(self):
        """Customers with an overdue open invoice, past the resume cursor, in id order."""
        self.ensure_one()
        return self.env["dunning.facts"]._overdue_partner_ids(
            self.company_id,
            self.date,
            after_id=self.cursor_partner_id,
            partners=self.partner_ids or None,
        )

    def _iter_plans(self, partner_ids):
        """Yield (plan, {customer id: recipient}) for each batch of customers."""
        self.ensure_one()
        return self.env["dunning.facts"]._iter_plans(
            self.company_id, self.date, partner_ids, self._param("batch_size", BATCH_SIZE)
        )

    def _dispatch_batches(self):
        """Work through the run's batches; False when stopped to continue in a later call.

        The daily cron calls it for each running run. Here the batches run one after another
        in this process; a bridge module (odoo_automated_dunning_queue_job) hands them to
        parallel workers instead.
        """
        return self._process(commit=True)

    def _start(self):
        """Before the first batch: open promises settled (paid customers then drop out of
        the batches). Deliveries need no look-back: the mail and SMS hooks settle them."""
        self.ensure_one()
        if not self.customer_done_count:
            self.env["dunning.promise"].sudo()._update_states(self.company_id, self.date)

    def _process(self, commit, max_batches=None, candidates=None):
        """Work through the remaining customers; False if stopped to continue in a later call.

        ``commit`` commits each batch through the cron progress API and stops when the cron's
        time budget is spent; ``max_batches`` stops after that many batches; ``candidates``
        are the remaining customers when the caller has just read them.
        """
        self.ensure_one()
        if not self._try_lock():
            self._wait_for_lock()
            return False
        self._start()
        if candidates is None:
            candidates = self._candidate_partner_ids()
        if not self.customer_count:
            self.customer_count = self.customer_done_count + len(candidates)
        remaining = len(candidates)
        for batch in split_every(self._param("batch_size", BATCH_SIZE), candidates):
            self._process_batch(list(batch))
            remaining -= len(batch)
            # Each batch is one transaction: a crash loses at most the batch being written,
            # and nothing of it was sent since mails leave only once committed.
            time_left = float("inf")
            if commit:
                time_left = self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining)
            # Written and (in the cron) committed: drop the batch's records from the cache, so
            # memory stays flat however large the book.
            self.env.flush_all()
            self.env.invalidate_all()
            if max_batches is not None:
                max_batches -= 1
            if remaining and (time_left <= 0 or max_batches == 0):
                return False  # the cron calls again while progress shows work remaining
            if remaining and not self._try_lock():
                # The commit released the lock and another run of the company took it.
                self._wait_for_lock()
                return False
        self.write({"state": "done", "finished_at": fields.Datetime.now()})
        if commit:
            self.env["ir.cron"]._commit_progress(remaining=0)
        return True

    def _process_batch(self, partner_ids):
        """The one batch body, in process or as a parallel job: decide, record and send one
        batch of customers (in id order), then count it on the run.

        Safe to run twice and beside the run's other batches: the customers the run already
        did are skipped, and the counters are incremented in SQL.
        """
        self.ensure_one()
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
        return self._count_batch(len(todo), evaluated, excluded, max(partner_ids, default=0))

    def _count_batch(self, customers, invoices, excluded, last_partner_id):
        """Add a batch to the run's counters; return (customers done, customers). Counters as
        increments: parallel batches write the same row. The resume point only moves forward
        (batches in process run in id order)."""
        self.env.cr.execute(
            "UPDATE dunning_run SET customer_done_count = COALESCE(customer_done_count, 0) + %s, "
            "invoice_count = COALESCE(invoice_count, 0) + %s, "
            "excluded_count = COALESCE(excluded_count, 0) + %s, "
            "cursor_partner_id = GREATEST(COALESCE(cursor_partner_id, 0), %s) "
            "WHERE id = %s RETURNING customer_done_count, COALESCE(customer_count, 0)",
            (customers, invoices, excluded, last_partner_id, self.id),
        )
        done_count, total = self.env.cr.fetchone()
        self.invalidate_recordset()
        return done_count, total

    # ---------------------------------------------------------------- recording

    def _apply_plan(self, plan, recipients):
        """Record each decision as reminders, send them, and move the invoices to their level."""
        self.ensure_one()
        communications = (
            self.env["dunning.communication"].sudo()._create_from_plan(self, plan, recipients)
        )
        if not self.prepare_only:
            self.env["dunning.send"]._deliver(communications)
