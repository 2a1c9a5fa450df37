import uuid
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..core.predict import SOURCES as PREDICTION_SOURCES

# Days a collector has to resolve a dispute (its To-Do's deadline): no setting, a credit
# controller's usual week.
DISPUTE_FOLLOW_UP_DAYS = 7


class AccountMove(models.Model):
    _inherit = "account.move"

    dunning_level_id = fields.Many2one(
        "dunning.level",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The last dunning level sent for this invoice.",
    )
    dunning_last_date = fields.Date(string="Last Reminder", readonly=True, copy=False)
    dunning_next_date = fields.Date(
        string="Next Reminder",
        compute="_compute_dunning_next_date",
        help="When the next level becomes due under the invoice's policy, if it stays unpaid.",
        groups="odoo_automated_dunning.group_dunning_user",
    )
    dunning_line_ids = fields.One2many(
        "dunning.communication.line",
        "move_id",
        string="Reminder Lines",
        readonly=True,
        groups="odoo_automated_dunning.group_dunning_user",
    )
    dunning_communication_ids = fields.Many2many(
        "dunning.communication",
        string="Reminders",
        compute="_compute_dunning_communication_ids",
        groups="odoo_automated_dunning.group_dunning_user",
    )
    dunning_communication_count = fields.Integer(
        compute="_compute_dunning_communication_ids",
        groups="odoo_automated_dunning.group_dunning_user",
    )
    dunning_dispute = fields.Boolean(
        string="Disputed",
        copy=False,
        tracking=True,
        help="A disputed invoice is never dunned until the dispute is resolved.",
    )
    dunning_dispute_reason = fields.Text(string="Dispute Reason", copy=False, tracking=True)
    dunning_dispute_status = fields.Selection(
        [("open", "Under Review"), ("resolved", "Resolved")],
        string="Dispute Status",
        copy=False,
        readonly=True,
        help="What the customer sees of its dispute in the portal.",
    )
    dunning_plan_ids = fields.Many2many(
        "dunning.payment.plan",
        "dunning_payment_plan_move_rel",
        "move_id",
        "plan_id",
        string="Payment Plans",
        readonly=True,
        copy=False,
        groups="odoo_automated_dunning.group_dunning_user",
    )
    dunning_charge_ids = fields.One2many(
        "dunning.charge",
        "charge_move_id",
        string="Dunning Charges",
        readonly=True,
        groups="odoo_automated_dunning.group_dunning_user",
    )
    # Written by the nightly behaviour job (dunning.partner.behaviour._compute_predictions);
    # the compute only clears them once the invoice is paid or cancelled.
    dunning_predicted_date = fields.Date(
        string="Predicted Payment",
        compute="_compute_dunning_predicted_date",
        store=True,
        readonly=True,
        copy=False,
        index=True,
        help="When the customer is expected to pay what is still due: from its own payment "
        "habits (recent payments count more), the company's for a new customer, or an open "
        "promise or payment plan. Recomputed every night.",
    )
    dunning_predicted_source = fields.Selection(
        PREDICTION_SOURCES,
        string="Predicted From",
        compute="_compute_dunning_predicted_date",
        store=True,
        readonly=True,
        copy=False,
    )

    # Open customer invoices by company and predicted date: the forecast and the worklist.
    _dunning_open_predicted_idx = models.Index(
        "(company_id, dunning_predicted_date) WHERE move_type = 'out_invoice' "
        "AND state = 'posted' AND payment_state IN ('not_paid', 'partial')"
    )
    # The same by customer: the worklist's earliest predicted payment of each customer, one
    # index probe per customer instead of a scan of every invoice (bench/README.md).
    _dunning_partner_predicted_idx = models.Index(
        "(commercial_partner_id, company_id, dunning_predicted_date) "
        "WHERE move_type = 'out_invoice' AND state = 'posted' "
        "AND payment_state IN ('not_paid', 'partial')"
    )
    # The customer invoices the worklist chases (posted, something left to pay, undisputed),
    # in id order for its merge with the open receivable items
    # (account_move_line_dunning_open_receivable_idx).
    _dunning_chased_idx = models.Index(
        "(id) WHERE move_type = 'out_invoice' AND state = 'posted' "
        "AND payment_state NOT IN ('paid', 'in_payment', 'reversed') "
        "AND NOT COALESCE(dunning_dispute, FALSE)"
    )

    @api.depends("state", "payment_state")
    def _compute_dunning_predicted_date(self):
        """Cleared once nothing is due; otherwise what the nightly job last wrote stays."""
        stored = {}
        ids = [move.id for move in self if move.id]
        if ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id, dunning_predicted_date, dunning_predicted_source"
                    "  FROM account_move WHERE id = ANY(%s)",
                    ids,
                )
            )
            stored = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        for move in self:
            still_due = move.state == "posted" and move.payment_state in ("not_paid", "partial")
            when, source = stored.get(move.id, (False, False)) if still_due else (False, False)
            move.dunning_predicted_date = when
            move.dunning_predicted_source = source

    @api.depends(
        "dunning_level_id",
        "dunning_last_date",
        "dunning_dispute",
        "amount_residual",
        "invoice_date_due",
        "commercial_partner_id.dunning_policy_id",
    )
    @api.depends_context("company")
    def _compute_dunning_next_date(self):
        self.dunning_next_date = False
        invoices = self.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "posted"
                and m.payment_state in ("not_paid", "partial")
                and m.id
            )
        )
        for company, moves in invoices.grouped("company_id").items():
            next_dates = self.env["dunning.facts"]._next_dates(
                company, company._dunning_today(), moves
            )
            for move in moves:
                move.dunning_next_date = next_dates.get(move.id, False)

    @api.depends("dunning_line_ids")
    def _compute_dunning_communication_ids(self):
        for move in self:
            communications = move.dunning_line_ids.communication_id
            move.dunning_communication_ids = communications
            move.dunning_communication_count = len(communications)

    def action_dunning_dispute(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dispute Invoices"),
            "res_model": "dunning.dispute.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    def action_dunning_resolve_dispute(self):
        if not self.env.user.has_group("odoo_automated_dunning.group_dunning_user"):
            raise UserError(self.env._("Only Dunning users can resolve disputes."))
        disputed = self.filtered("dunning_dispute")
        disputed.write({"dunning_dispute": False, "dunning_dispute_status": "resolved"})
        for move in disputed:
            move.message_post(body=self.env._("Dispute resolved: dunning resumes."))
        return True

    def _dunning_open_dispute(self, reason, source, author=None):
        """Mark the invoices disputed, out of dunning: a note on each saying why, from where
        (``source``) and by whom (``author``, a partner: the current user's by default), and a
        To-Do for its collector to resolve it within DISPUTE_FOLLOW_UP_DAYS. Every way of
        disputing (back office, customer portal, call, reply) comes here."""
        self.write(
            {
                "dunning_dispute": True,
                "dunning_dispute_reason": reason,
                "dunning_dispute_status": "open",
            }
        )
        author = author or self.env.user.partner_id
        # The customer's words as text, each line escaped: no markup, no link, no remote image
        # survives (plaintext2html would make its addresses clickable links).
        reason_html = Markup("<p>%s</p>") % Markup("<br/>").join(reason.splitlines())
        todo = self.env.ref("mail.mail_activity_data_todo")
        for move in self:
            company = move.company_id
            partner = move.commercial_partner_id.with_company(company)
            policy = self.env["dunning.payment.plan"]._policy_for(partner, company)
            collector = partner._dunning_collector(policy)
            move.message_post(
                body=Markup("<p>%s</p>%s")
                % (
                    self.env._(
                        "Disputed by %(who)s (%(origin)s). Reason:",
                        who=author.display_name,
                        origin=source,
                    ),
                    reason_html,
                ),
                author_id=author.id,
                subtype_xmlid="mail.mt_note",
            )
            # Stored on the task: written in the collector's language.
            summary = move.with_context(lang=collector.lang).env._("Resolve the customer's dispute")
            if move.activity_ids.filtered(
                lambda a, user=collector, summary=summary: (
                    a.activity_type_id == todo and a.user_id == user and a.summary == summary
                )
            ):
                continue  # disputed again: the open task stands, the note above says why
            move.with_context(mail_activity_quick_update=True).activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=company._dunning_today() + timedelta(days=DISPUTE_FOLLOW_UP_DAYS),
                user_id=collector.id,
                summary=summary,
                note=reason_html,
            )

    def _invoice_paid_hook(self):
        # Odoo's hook once a reconciliation pays invoices: a reply saying "paid" is handled.
        result = super()._invoice_paid_hook()
        self.env["dunning.reply"]._close_paid(self.filtered(lambda m: m.move_type == "out_invoice"))
        return result

    def action_dunning_waive(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Waive Charges"),
            "res_model": "dunning.waive.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }

    def _dunning_action_list(self):
        """These invoices in a list (a reminder's, a plan's)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Invoices"),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", self.ids)],
        }

    def action_view_dunning_communications(self):
        self.ensure_one()
        return self.env["dunning.communication"]._action_open(
            [("id", "in", self.dunning_communication_ids.ids)]
        )

    def _dunning_payment_schedule(self):
        """{invoice id: (amount due, [(payment date, amount paid)])} in the invoice's currency.

        Read in one query from the reconciliations of the receivable lines, so late-payment
        interest can run up to each payment date.
        """
        lines = self.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        partials = self.env["account.partial.reconcile"].search(
            [("debit_move_id", "in", lines.ids)], order="max_date, id"
        )
        schedule = {move.id: (move.amount_total, []) for move in self}
        for partial in partials:
            move = partial.debit_move_id.move_id
            schedule[move.id][1].append((partial.max_date, partial.debit_amount_currency))
        return schedule

    def _dunning_paid_late(self):
        """Paid (in full) after the due date."""
        self.ensure_one()
        schedule = self._dunning_payment_schedule()[self.id][1]
        return bool(schedule) and max(day for day, _amount in schedule) > self.invoice_date_due

    def _dunning_ensure_access_tokens(self):
        """Give the invoices their portal tokens before pay links are rendered.

        The portal writes a missing token through account.move.write, one invoice at a time,
        which was half the cost of a run; the token is the same kind of random UUID, put in
        the cache and written with the invoices' next flush: when a reminder moves them to
        its level (``_dunning_set_level``), in the same UPDATE, so each row is written once.
        """
        missing = self.filtered(lambda move: not move.access_token)
        if not missing:
            return
        missing.modified(["access_token"], before=True)
        field = self._fields["access_token"]
        for move in missing:
            field.write(move, str(uuid.uuid4()))
        missing.modified(["access_token"])

    def _dunning_set_level(self, level_id, day, flush=True):
        """Record the level sent on ``day`` for the whole batch, in one UPDATE per thousand
        invoices (with their pending portal tokens); ``flush=False`` leaves it to the caller,
        which sets several levels and flushes once.

        account.move.write re-synchronises every invoice's lines (a fifth of a run's time)
        for two fields nothing in accounting depends on; the caller checked access already.
        The fields are written as write() writes them after its own business (cache, dirty
        values, then ``modified`` for what depends on them); the flush sets write_uid and
        write_date.
        """
        self.check_access("write")
        fnames = ["dunning_level_id", "dunning_last_date"]
        self.modified(fnames, before=True)
        for fname, value in zip(fnames, (level_id, day), strict=True):
            self._fields[fname].write(self, value)
        self.modified(fnames)
        if flush:
            self.flush_recordset(fnames)
