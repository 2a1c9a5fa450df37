from collections import defaultdict
from datetime import UTC, datetime, time

import pytz

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, format_datetime

from .. import core
from ..core import quota as quota_core
from .dunning_send import _alive, _key

# While its run is still working, a reminder email waits with this date (the mail queue leaves
# it alone); the run places all its emails at once when it is done, in one priority order
# across its batches (and across the parallel workers of the queue_job bridge).
HOLD = datetime(9999, 1, 1)


class DunningSendQuota(models.AbstractModel):
    """The company's email quota: when each reminder email leaves (core/quota.py decides).

    What counts against the quota: every email of the company in Odoo's mail queue (reminders,
    plan emails, SMS companion emails and any other app's mail whose record belongs to the
    company) while it waits or after it left, as long as Odoo keeps it. Mails Odoo deletes once
    sent (most notifications) no longer count once gone: leave the provider some headroom.
    """

    _name = "dunning.send.quota"
    _description = "Dunning Send: Email Quota"

    @api.model
    def _quota(self, company):
        return quota_core.Quota(
            per_hour=company.dunning_email_quota_hour,
            per_day=company.dunning_email_quota_day,
            tz=company.partner_id.tz or "UTC",
        )

    # ------------------------------------------------------------- placement

    @api.model
    def _apply(self, communications):
        """Just queued by dunning.send.email: place these emails within their company's quota.

        Emails of a run still working wait (``HOLD``) until the run is done (``_release``);
        the others (plan emails, a prepared run sent from the form) are placed at once.
        """
        for company, batch in communications.grouped("company_id").items():
            if not self._quota(company).limited:
                continue
            held = batch.filtered(lambda c: c.run_id.state == "running")
            held.mail_id.write({"scheduled_date": HOLD})
            if batch - held:
                self._place(company, batch - held)

    @api.model
    def _release(self, runs):
        """The runs are done: their held emails get their slots, all at once per run."""
        Communication = self.env["dunning.communication"].sudo()
        for run in runs:
            held = Communication.search(
                [
                    ("run_id", "=", run.id),
                    ("state", "=", "queued"),
                    ("mail_id.scheduled_date", "=", HOLD),
                ]
            )
            if held:
                self._place(run.company_id, held)

    @api.model
    def _place(self, company, communications):
        """Give each email a moment: the most money at risk first, into the free hours and days
        after what the company already sent or scheduled; never before its contact hours open."""
        now = fields.Datetime.now().replace(tzinfo=UTC)
        rules, messages = {}, []
        risks = self._risks(company, communications.partner_id)
        due_dates = self._due_dates(communications)
        for communication in communications:
            key, opening = communication._contact_rule()
            rules[key] = opening
            messages.append(
                quota_core.Message(
                    key=communication.id,
                    earliest=opening(now) if opening else now,
                    amount=communication.amount_company or communication.amount_total,
                    risk=risks.get(communication.partner_id.id),
                    due_date=due_dates.get(communication.id),
                    window=key,
                )
            )
        slots = quota_core.allocate(
            self._quota(company),
            messages,
            self._taken(company, communications.mail_id),
            opening=lambda key, moment: rules[key](moment) if rules.get(key) else moment,
        )
        earliest = {message.key: message.earliest for message in messages}
        # One write per distinct moment: an hour's worth of emails share one.
        groups = defaultdict(list)
        for key, moment in slots.items():
            groups[moment, moment > earliest[key]].append(key)
        for (moment, deferred), ids in groups.items():
            batch = communications.browse(ids)
            naive = moment.replace(tzinfo=None)
            batch.mail_id.write({"scheduled_date": naive})
            batch.write(
                {
                    "scheduled_at": naive if moment > now else False,
                    "quota_deferred": deferred,
                }
            )
        self._count_waiting(communications.run_id)
        return slots

    @api.model
    def _taken(self, company, exclude):
        """{hour: the company's emails sent or waiting in it}, from the start of its day on,
        in one query: a waiting mail counts in the hour it leaves (now if already due), a sent
        one in the hour it was due (or made)."""
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        local_midnight = tz.localize(datetime.combine(company._dunning_today(), time.min))
        since = local_midnight.astimezone(pytz.utc).replace(tzinfo=None)
        now = fields.Datetime.now()
        self.env["mail.mail"].flush_model(["state", "scheduled_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT date_trunc('hour', moment), count(*)
                  FROM (
                    SELECT CASE WHEN mail.state = 'sent'
                                THEN COALESCE(mail.scheduled_date, mail.create_date)
                                ELSE GREATEST(COALESCE(mail.scheduled_date, %(now)s), %(now)s)
                           END AS moment
                      FROM mail_mail mail
                      JOIN mail_message message ON message.id = mail.mail_message_id
                     WHERE message.record_company_id = %(company)s
                       AND mail.state IN ('outgoing', 'sent')
                       AND (mail.scheduled_date IS NULL OR mail.scheduled_date < %(hold)s)
                       AND mail.id != ALL(%(exclude)s)
                  ) mails
                 WHERE moment >= %(since)s
                 GROUP BY 1
                """,
                now=now,
                company=company.id,
                hold=HOLD,
                exclude=exclude.ids or [0],
                since=since,
            )
        )
        return {hour.replace(tzinfo=UTC): count for hour, count in self.env.cr.fetchall()}

    @api.model
    def _risks(self, company, partners):
        """{customer id: risk score} where the nightly job computed one."""
        rows = (
            self.env["dunning.partner.behaviour"]
            .sudo()
            .search_read(
                [("company_id", "=", company.id), ("partner_id", "in", partners.ids)],
                ["partner_id", "score"],
            )
        )
        return {row["partner_id"][0]: row["score"] for row in rows}

    @api.model
    def _due_dates(self, communications):
        """{reminder id: its oldest due date}: the older debt leaves first."""
        groups = self.env["dunning.communication.line"]._read_group(
            [("communication_id", "in", communications.ids)],
            ["communication_id"],
            ["date_due:min"],
        )
        dates = {communication.id: due for communication, due in groups}
        for communication in communications.filtered("plan_installment_id"):
            dates[communication.id] = communication.plan_installment_id.due_date
        return dates

    @api.model
    def _count_waiting(self, runs):
        """The runs' emails waiting for the quota, and when the last one leaves."""
        if not runs:
            return
        groups = self.env["dunning.communication"]._read_group(
            [("run_id", "in", runs.ids), ("quota_deferred", "=", True), ("state", "=", "queued")],
            ["run_id"],
            ["__count", "scheduled_at:max"],
        )
        waiting = {run: (count, last) for run, count, last in groups}
        for run in runs.sudo():
            count, last = waiting.get(run, (0, False))
            run.write({"deferred_count": count, "last_deferred_at": last})

    @api.model
    def _note(self, run):
        """'120 reminders wait for the email quota; the last leaves on ...' in the company's
        timezone, or False."""
        if not run.deferred_count:
            return False
        tz = run.company_id.partner_id.tz or "UTC"
        moment = format_datetime(self.env, run.last_deferred_at, tz=tz)
        if run.deferred_count == 1:
            return self.env._(
                "1 email waits for the company's email quota; it leaves on %(moment)s (%(tz)s).",
                moment=moment,
                tz=tz,
            )
        return self.env._(
            "%(count)s emails wait for the company's email quota; the last leaves on "
            "%(moment)s (%(tz)s).",
            count=run.deferred_count,
            moment=moment,
            tz=tz,
        )

    # -------------------------------------------------------------- withdrawal

    @api.model
    def _withdraw_settled(self, mails):
        """Before the mail queue sends ``mails``: the reminder emails among them whose debt was
        paid (even in part) or disputed since they were queued are withdrawn, never sent; the
        next run reminds what is still due, with today's amounts. Returns the mails withdrawn."""
        communications = (
            self.env["dunning.communication"]
            .sudo()
            .search([("mail_id", "in", mails.ids), ("state", "=", "queued")])
        )
        settled = self._settled(communications)
        if not settled:
            return mails.browse()
        withdrawn = settled.mail_id
        withdrawn.cancel()
        self.env["mail.notification"].sudo().search(
            [("mail_mail_id", "in", withdrawn.ids)]
        ).notification_status = "canceled"
        settled.write(
            {
                "state": "skipped",
                "skip_reason": core.SKIP_SETTLED,
                "error_message": self.env._(
                    "Not sent: an invoice it names was paid or disputed before it left."
                ),
            }
        )
        send = self.env["dunning.send"].sudo()
        alive = {_key(c) for c in send._reminders(settled) if _alive(c)}
        undelivered = settled.filtered(lambda c: _key(c) not in alive)
        send._drop_charges(undelivered)
        send._step_back(undelivered)
        self._count_waiting(settled.run_id)
        return withdrawn

    @api.model
    def _settled(self, communications):
        """The reminders that would now dun an amount no longer due: one of their invoices is
        paid (or less is left than they state), disputed or no longer posted; a plan email
        whose installment is paid."""
        lines = communications.line_ids
        if not communications:
            return communications
        groups = self.env["account.move.line"]._read_group(
            self.env["dunning.facts"]._open_lines_domain(None)
            & Domain("move_id", "in", lines.move_id.ids),
            ["move_id"],
            ["amount_residual_currency:sum"],
        )
        left = {move.id: residual for move, residual in groups}
        settled = communications.browse()
        for communication in communications:
            if communication.plan_installment_id.state == "paid":
                settled |= communication
            for line in communication.line_ids:
                move = line.move_id
                if (
                    move.state != "posted"
                    or move.payment_state not in ("not_paid", "partial")
                    or move.dunning_dispute
                    or move.currency_id.compare_amounts(
                        left.get(move.id, 0.0), line.amount_residual
                    )
                    < 0
                ):
                    settled |= communication
                    break
        return settled
