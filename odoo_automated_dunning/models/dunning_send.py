from collections import defaultdict

from markupsafe import Markup

from odoo import api, models

from .. import core
from ..core import charges

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

        Documents and messages are made with the reminders' own rights (system records
        written by the addon); the invoices' levels with the caller's.
        """
        sender = self.with_env(communications.env)
        sender._charge(communications.filtered(lambda c: c.state == "draft"))
        sender._send(communications.filtered(lambda c: c.state == "draft"))
        sender._settle_charges(communications)
        self._escalate(communications)

    @api.model
    def _send(self, communications):
        """Send each draft on its channel; each channel works set-wise on its batch."""
        for channel, batch in communications.grouped("channel").items():
            self.env[f"dunning.send.{channel}"].with_env(batch.env)._send(batch)

    @api.model
    def _escalate(self, communications):
        """Invoices of the reminders sent move to the level sent; the broken promises they
        answer are escalated."""
        sent = communications.filtered(lambda c: c.state == "sent")
        by_level = defaultdict(set)
        for line in sent.line_ids.filtered("escalated"):
            by_level[line.level_id.id, line.communication_id.date].add(line.move_id.id)
        for (level_id, day), move_ids in by_level.items():
            self.env["account.move"].browse(list(move_ids))._dunning_set_level(level_id, day)
        escalated_moves = set().union(*by_level.values()) if by_level else set()
        self.env["dunning.promise"].search(
            [
                ("company_id", "in", communications.company_id.ids),
                ("partner_id", "in", communications.partner_id.ids),
                ("state", "=", "broken"),
                ("escalated", "=", False),
            ]
        ).filtered(lambda p: escalated_moves & set(p.move_ids.ids)).escalated = True

    # ----------------------------------------------------------------- charges

    @api.model
    def _charge(self, communications):
        """Bill the fees, compensation and interest of the levels reached, as draft documents.

        A reminder sent on several channels bills once, with its first channel.
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
            try:
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
            except charges.MissingRateError as error:
                communication.write({"state": "failed", "error_message": str(error)})
                continue
            charge_model._create_documents(vals)

    @api.model
    def _settle_charges(self, communications):
        """Post the charges of sent reminders (if the policy says so); drop those of failed ones."""
        for communication in communications.filtered("charge_ids"):
            documents = communication.charge_ids.charge_move_id
            if communication.state == "failed":
                communication.charge_ids.unlink()
                documents.unlink()
            elif communication.state == "sent" and communication.policy_id.post_charges:
                documents.action_post()

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
            sent |= drafts.filtered(lambda c: c.state == "sent")
        return sent

    # --------------------------------------------------------------- deliveries

    @api.model
    def _check_deliveries(self, company):
        """Reminders the mail server or the SMS provider refused: mark them failed.

        When no other channel of the same reminder reached the customer, its invoices go back
        to their previous level, so the next run sends them again. When another channel did,
        the level stands and the refused message is queued once more, as it was.
        """
        Communication = self.env["dunning.communication"]
        failed = Communication.search(
            [
                ("company_id", "=", company.id),
                ("state", "=", "sent"),
                "|",
                "|",
                ("mail_id.state", "=", "exception"),
                ("mail_message_id.notification_ids.notification_status", "=", "bounce"),
                ("sms_id.state", "=", "error"),
            ]
        )
        if not failed:
            return failed
        reached = Communication.search(
            [
                ("run_id", "in", failed.run_id.ids),
                ("partner_id", "in", failed.partner_id.ids),
                ("state", "=", "sent"),
                ("id", "not in", failed.ids),
            ]
        )
        reached_keys = {(c.run_id.id, c.partner_id.id) for c in reached}
        sms_failures = dict(
            self.env["sms.sms"]._fields["failure_type"]._description_selection(self.env)
        )
        for communication in failed:
            bounce = communication.mail_message_id.notification_ids.filtered(
                lambda n: n.notification_status == "bounce"
            )[:1]
            if bounce:
                reason = self.env._("bounced: %(reason)s", reason=bounce.failure_reason or "")
            elif communication.mail_id.state == "exception":
                reason = communication.mail_id.failure_reason or communication.mail_id.failure_type
            else:
                failure = communication.sms_id.failure_type
                reason = sms_failures.get(failure, failure) or self.env._("unknown error")
            message = self.env._("Delivery failed: %(reason)s", reason=reason)
            # A bounced address will bounce again: no point queuing the same mail once more.
            if (
                not bounce
                and (communication.run_id.id, communication.partner_id.id) in reached_keys
            ):
                if not communication.retry_count:
                    self._requeue(communication)
                    communication.write(
                        {
                            "retry_count": communication.retry_count + 1,
                            "error_message": self.env._(
                                "%(message)s. Queued once more.", message=message
                            ),
                        }
                    )
                else:
                    communication.write({"state": "failed", "error_message": message})
                continue
            communication.write({"state": "failed", "error_message": message})
            for line in communication.line_ids.filtered("escalated"):
                move = line.move_id
                # Only if no later reminder moved the invoice on since.
                if (
                    move.dunning_level_id == line.level_id
                    and move.dunning_last_date == communication.date
                ):
                    move._dunning_set_level(
                        line.previous_level_id.id or None, line.previous_date or None
                    )
        return failed

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
