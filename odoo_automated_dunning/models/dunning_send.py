from collections import defaultdict

from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import UserError, ValidationError

from .. import core
from .dunning_communication import CONTACT_STATES, UNDELIVERED_STATES


def _alive(communication):
    """Queued or sent: the message may still reach, or reached, the customer."""
    return communication.state in CONTACT_STATES


def _key(communication):
    """A reminder: the messages of one run to one customer, one per channel. A message
    without a run (a plan's) is a reminder on its own."""
    if not communication.run_id:
        return ("message", communication.id)
    return (communication.run_id.id, communication.partner_id.id)


# A plan writes by email only, never as a fallback.
PLAN_CHANNELS = (("email", False),)


class DunningSend(models.AbstractModel):
    """Charges, sends and settles recorded reminders, as account.move.send does for invoices.

    The run records its decisions as draft reminders and hands them here. Each channel
    sends through its own service, ``dunning.send.<channel>`` (dunning_send_email.py,
    _letter, _sms, _call), whose ``_send`` works set-wise on the batch it is given.
    """

    _name = "dunning.send"
    _description = "Dunning Send"

    # ------------------------------------------------------------- entry point

    @api.model
    def _deliver(self, communications):
        """Charge and send the drafts, then move the invoices of those sent to their level.

        Emails and SMS leave with Odoo's queues after the commit; their reminders are queued
        until the mail server or the SMS provider answers (``_accepted``, ``_refused``).
        Documents and messages are made with the reminders' own rights (system records
        written by the addon); the invoices' levels with the caller's.
        """
        sender = self.with_env(communications.env)
        sender._charge(communications.filtered(lambda c: c.state == "draft"))
        sender._send(communications.filtered(lambda c: c.state == "draft"))
        sender._settle(communications)
        self._escalate(communications)

    @api.model
    def _send(self, communications):
        """Send each draft on its channel; each channel works set-wise on its batch."""
        for channel, batch in communications.grouped("channel").items():
            self.env[f"dunning.send.{channel}"].with_env(batch.env)._send(batch)

    @api.model
    def _escalate(self, communications):
        """Invoices of the reminders sent or queued move to the level sent; the broken
        promises they answer are escalated."""
        sent = communications.filtered(lambda c: c.state in CONTACT_STATES)
        by_level = defaultdict(set)
        for line in sent.line_ids.filtered("escalated"):
            by_level[line.level_id.id, line.communication_id.date].add(line.move_id.id)
        for (level_id, day), move_ids in by_level.items():
            self.env["account.move"].browse(list(move_ids))._dunning_set_level(
                level_id, day, flush=False
            )
        escalated_moves = set().union(*by_level.values()) if by_level else set()
        # One UPDATE per invoice for its level, date and the portal token its pay link got.
        self.env["account.move"].browse(escalated_moves).flush_recordset(
            ["dunning_level_id", "dunning_last_date"]
        )
        self.env["dunning.promise"].search(
            [
                ("company_id", "in", communications.company_id.ids),
                ("partner_id", "in", communications.partner_id.ids),
                ("state", "=", "broken"),
                ("escalated", "=", False),
            ]
        ).filtered(lambda p: escalated_moves & set(p.move_ids.ids)).escalated = True

    @api.model
    def _settle(self, communications):
        """After sending a batch: bill the reminders one of whose messages already reached
        the customer (a letter rendered, a call planned); drop the charges of those whose
        every message failed."""
        self._bill(communications.filtered(lambda c: c.state == "sent"))
        failed = communications.filtered(lambda c: c.state in UNDELIVERED_STATES)
        alive = {_key(c) for c in self._reminders(failed) if _alive(c)}
        self._drop_charges(failed.filtered(lambda c: _key(c) not in alive))

    # ----------------------------------------------------------------- charges

    @api.model
    def _charge(self, communications):
        """Record the fees, compensation and interest of the levels reached, as the reminder
        states them; they are billed once one of its messages reaches the customer (``_bill``).

        A reminder sent on several channels charges once, with its first channel.
        """
        charge_model = self.env["dunning.charge"]
        points = None  # the reference rates, read once for the batch when interest is due
        for communication in communications.filtered("primary"):
            # Fee invoices and interest notes are dunned like any debt but bear no charges
            # themselves: no interest on interest.
            reached = communication.line_ids.filtered(
                lambda line: line.escalated and not line.move_id.dunning_charge_ids
            )
            fee_level = (
                communication.level_id if communication.level_id in reached.level_id else None
            )
            compensation = reached.filtered(lambda line: line.level_id.charge_compensation).move_id
            interest = reached.filtered(lambda line: line.level_id.charge_interest).move_id
            if not ((fee_level and fee_level.fee_amount) or compensation or interest):
                continue
            if interest and points is None:
                points = self.env["dunning.reference.rate"]._points()
            # A missing reference rate never fails the reminder: _prepare records that
            # interest as not charged, with the reason, and asks a manager for the rate.
            vals = charge_model._prepare(
                communication.policy_id,
                communication.partner_id,
                communication.date,
                fee_level=fee_level,
                compensation_invoices=compensation,
                interest_invoices=interest,
                communication=communication,
                points=points,
            )
            charge_model._record(vals, pending=True)

    @api.model
    def _bill(self, communications):
        """Bill the pending charges of the reminders these messages belong to (they reached
        the customer), and post them if the policy says so: once per reminder, whichever of
        its channels got through first."""
        pending = (
            self._reminders(communications)
            .charge_ids.filtered(lambda c: c.state == "pending")
            .sudo()
        )
        for policy, charges_ in pending.grouped(lambda c: c.communication_id.policy_id).items():
            try:
                # Called from the mail and SMS queues too: a document that cannot be made
                # (a locked period, a missing account) must not fail the message that left.
                with self.env.cr.savepoint():
                    documents = charges_.with_company(charges_.company_id[:1])._bill()
                    if policy.post_charges:
                        documents.action_post()
            except (UserError, ValidationError) as error:
                charges_.communication_id.write(
                    {
                        "error_message": self.env._(
                            "Sent, but its charges could not be billed: %(error)s",
                            error=error,
                        )
                    }
                )

    @api.model
    def _drop_charges(self, communications):
        """The charges of reminders that reached no one are never billed."""
        self._reminders(communications).charge_ids.filtered(
            lambda c: c.state == "pending"
        ).sudo().state = "cancelled"

    # ------------------------------------------------------------ payment plans

    @api.model
    def _send_plan_emails(self, plans, event, installments=None):
        """Email the plans' customers about ``event`` (of ``installments``) through the same
        checks as every reminder: consent, objection, pauses, disputes, blacklist, frequency
        caps and contact hours.

        Returns the communications that went out (held-back ones are kept as skipped).
        """
        # Reminders are system records: users read them, only the addon writes them.
        Communication = self.env["dunning.communication"].sudo()
        sent = Communication
        Facts = self.env["dunning.facts"]
        for company, company_plans in plans.grouped("company_id").items():
            today = company._dunning_today()
            partners = company_plans.partner_id
            recipients = Facts._recipients(partners)
            debts = {plan.partner_id.id: set(plan.invoice_ids.ids) for plan in company_plans}
            customers = {
                c.id: c for c in Facts._customer_facts(company, today, partners, recipients, debts)
            }
            vals_list = []
            for plan in company_plans:
                targets = (
                    installments.filtered(lambda i, plan=plan: i.plan_id == plan)
                    if installments
                    else [None]
                )
                reason = core.hold_reason(
                    customers[plan.partner_id.id],
                    today,
                    PLAN_CHANNELS,
                    disputed=any(plan.invoice_ids.mapped("dunning_dispute")),
                    check_balance=False,
                )
                for installment in targets:
                    vals_list.append(
                        {
                            "company_id": company.id,
                            "date": today,
                            "partner_id": plan.partner_id.id,
                            "recipient_id": recipients[plan.partner_id.id].id,
                            "policy_id": plan.policy_id.id,
                            "channel": "email",
                            "plan_id": plan.id,
                            "plan_installment_id": installment.id if installment else False,
                            "plan_event": event,
                            "mail_template_id": plan._template(event).id,
                            "currency_id": plan.currency_id.id,
                            "amount_total": installment.amount_residual
                            if installment
                            else plan.amount_residual,
                            "state": "skipped" if reason else "draft",
                            "skip_reason": reason,
                            "decision_note": "; ".join(customers[plan.partner_id.id].held_notes)
                            or False,
                        }
                    )
            communications = Communication.create(vals_list)
            drafts = communications.filtered(lambda c: c.state == "draft")
            self._send(drafts)
            sent |= drafts.filtered(lambda c: c.state in CONTACT_STATES)
        return sent

    # --------------------------------------------------------------- deliveries

    @api.model
    def _reminders(self, communications):
        """These messages and the other channels of the same reminders (one run, one
        customer), read in one query."""
        with_run = communications.filtered("run_id")
        siblings = communications.search(
            [
                ("run_id", "in", with_run.run_id.ids),
                ("partner_id", "in", with_run.partner_id.ids),
                ("state", "!=", "skipped"),
            ]
        )
        keys = {(c.run_id.id, c.partner_id.id) for c in with_run}
        return communications | siblings.filtered(lambda c: (c.run_id.id, c.partner_id.id) in keys)

    @api.model
    def _accepted(self, communications):
        """The mail server or the SMS provider accepted these messages: they are sent, and
        the charges of their reminders billed."""
        communications = communications.filtered(lambda c: c.state == "queued")
        if communications:
            communications.write({"state": "sent"})
            self._bill(communications)

    @api.model
    def _refused(self, reasons, bounced=False):
        """{message: the provider's reason}: it failed (or bounced), at once.

        While another channel of the same reminder is queued or sent, a refused message is
        queued once more, once (a bounced address would bounce again). A reminder whose every
        message failed bills nothing and its invoices go back to their previous level, so the
        next run sends it again; a second reminder of the same level that reaches no one
        keeps the level, so none is sent a third time.
        """
        if not reasons:
            return
        communications = self.env["dunning.communication"].union(*reasons)
        communications = communications.filtered(lambda c: c.state in CONTACT_STATES)
        if not communications:
            return
        siblings = defaultdict(communications.browse)
        for communication in self._reminders(communications):
            siblings[_key(communication)] |= communication
        undelivered = communications.browse()
        for communication in communications:
            reason = reasons[communication] or self.env._("unknown error")
            message = (
                self.env._("Bounced: %(reason)s", reason=reason)
                if bounced
                else self.env._("Delivery failed: %(reason)s", reason=reason)
            )
            others = siblings[_key(communication)] - communication
            if others.filtered(_alive) and not bounced and not communication.retry_count:
                self._requeue(communication)
                communication.write(
                    {
                        "state": "queued",
                        "retry_count": communication.retry_count + 1,
                        "error_message": self.env._(
                            "%(message)s. Queued once more.", message=message
                        ),
                    }
                )
                continue
            communication.write(
                {"state": "bounced" if bounced else "failed", "error_message": message}
            )
            if not others.filtered(_alive):
                undelivered |= communication
        self._drop_charges(undelivered)
        self._step_back(undelivered)

    @api.model
    def _step_back(self, communications):
        """Invoices of reminders that reached no one go back to their previous level (unless
        a later reminder moved them on since), so the next run reminds them again; not when
        a reminder of that level already reached no one before."""
        lines = communications.line_ids.filtered("escalated")
        if not lines:
            return
        earlier = self.env["dunning.communication.line"].search(
            [
                ("move_id", "in", lines.move_id.ids),
                ("level_id", "in", lines.level_id.ids),
                ("escalated", "=", True),
                ("communication_id.state", "in", UNDELIVERED_STATES),
                ("communication_id.run_id", "not in", communications.run_id.ids),
            ]
        )
        tried = {(line.move_id.id, line.level_id.id) for line in earlier}
        # One query per previous level and date, as _escalate moves them on; a move the
        # reminder's other channels name too steps back once.
        by_previous, seen = defaultdict(list), set()
        for line in lines:
            move = line.move_id
            if move.id in seen or (move.id, line.level_id.id) in tried:
                continue
            if (
                move.dunning_level_id == line.level_id
                and move.dunning_last_date == line.communication_id.date
            ):
                seen.add(move.id)
                by_previous[line.previous_level_id.id or None, line.previous_date or None].append(
                    move.id
                )
        for (level_id, day), move_ids in by_previous.items():
            self.env["account.move"].browse(move_ids)._dunning_set_level(level_id, day)

    @api.model
    def _requeue(self, communications):
        """Queue the same message again, as it was rendered."""
        for communication in communications:
            if communication.mail_id:
                communication.mail_id.write({"state": "outgoing", "failure_reason": False})
            elif communication.sms_id:
                communication.sms_id.write({"state": "outgoing", "failure_type": False})

    # ----------------------------------------------------------------- chatter

    @api.model
    def _log_on_customer(self, communications):
        """A short note per reminder in the customer's chatter (emails are there already).

        One note per reminder, not one per customer: each note then lives and is forgotten
        with its own reminder under the retention period. Notes are logged in rounds of one
        reminder per customer, as Odoo's batch log takes one body per record.
        """
        rounds = []
        for batch in communications.grouped("partner_id").values():
            for rank, communication in enumerate(batch):
                if rank == len(rounds):
                    rounds.append(communications.browse())
                rounds[rank] |= communication
        for batch in rounds:
            messages = batch.partner_id._message_log_batch(
                bodies={
                    communication.partner_id.id: Markup("<p>%s</p>%s")
                    % (
                        self.env._(
                            "%(channel)s sent (%(level)s) to %(address)s, total %(total)s:",
                            channel=core.CHANNEL_LABELS[communication.channel],
                            level=communication.level_id.name,
                            address=communication.recipient_address or "",
                            total=communication.total_display,
                        ),
                        communication._invoice_summary(),
                    )
                    for communication in batch
                }
            )
            message_of = {message.res_id: message.id for message in messages}
            for communication in batch:
                communication.log_message_id = message_of[communication.partner_id.id]
