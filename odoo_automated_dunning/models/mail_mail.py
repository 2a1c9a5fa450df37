import logging
import smtplib

import psycopg2

from odoo import fields, models, tools
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# The class of the PostgreSQL advisory locks a batch of reminder emails holds while it is sent
# ("DUNN"); the lock's object is the batch's token (the smallest mail id in it).
SEND_LOCK = 0x44554E4E
SEND_STEPS = [
    ("pending", "Waiting in its batch"),
    ("sending", "Handed to the mail server"),
    ("sent", "Accepted by the mail server"),
    ("failed", "Refused by the mail server"),
]


class MailMail(models.Model):
    """Reminder emails leave Odoo's queue in batches.

    Odoo's queue sends each mail in a transaction of its own (16 queries, a durable commit,
    the message rebuilt from an empty cache). Reminder emails are sent here in batches
    (``odoo_automated_dunning.mail_send_batch`` mails, 0 for Odoo's own loop): one
    transaction reads the batch, builds its messages and marks it ``pending``, committed;
    then each mail is handed to the mail server, and its step (``sending`` before, ``sent``
    or ``failed`` after) is written by a second connection in a commit that does not wait for
    the disk; one transaction then records the batch's fate as Odoo does (mail states,
    notifications, ``_postprocess_sent_message`` and every override of it).

    A batch holds an advisory lock while it runs. A batch whose lock is gone with marks left
    was interrupted (the process died); the next send settles it before sending anything:
    ``pending`` mails never left and are queued again, ``sent`` and ``failed`` ones are
    recorded, and the one ``sending`` may have been accepted: it is recorded as failed and
    never sent again. If PostgreSQL itself restarted since the batch began, commits that did
    not wait for the disk may be lost, so its ``pending`` mails count as ``sending``.
    Other mails, and any send that must raise, go through Odoo's own ``_send`` untouched.
    """

    _inherit = "mail.mail"

    dunning_send_step = fields.Selection(
        SEND_STEPS,
        string="Reminder Batch Step",
        copy=False,
        index="btree_not_null",
        help="Where this reminder email is while a batch sends it; one a crash left behind is "
        "settled at the next send.",
    )
    dunning_send_batch = fields.Integer(string="Reminder Batch", copy=False)

    def send(self, auto_commit=False, raise_exception=False, post_send_callback=None):
        """A reminder email whose invoices were paid or disputed while it waited (for the
        contact hours or the email quota) is withdrawn here, never sent."""
        withdrawn = self.env["dunning.send.quota"].sudo()._withdraw_settled(self)
        return super(MailMail, self - withdrawn).send(
            auto_commit=auto_commit,
            raise_exception=raise_exception,
            post_send_callback=post_send_callback,
        )

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        """The mail server's answer settles the reminders these mails carry, at once: sent when
        it accepted the mail, failed with its reason when it refused it (as Odoo's own
        notifications learn a mail's fate here)."""
        communications = (
            self.env["dunning.communication"].sudo().search([("mail_id", "in", self.ids)])
        )
        if communications:
            accepted = communications.filtered(lambda c: c.mail_id.state == "sent")
            self.env["dunning.send"].sudo()._accepted(accepted)
            self.env["dunning.send"].sudo()._refused(
                {
                    communication: communication.mail_id.failure_reason
                    or failure_reason
                    or communication.mail_id.failure_type
                    for communication in communications - accepted
                    if communication.mail_id.state == "exception"
                }
            )
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )

    def _send(
        self,
        auto_commit=False,
        raise_exception=False,
        smtp_session=None,
        alias_domain_id=False,
        mail_server=False,
        post_send_callback=None,
    ):
        """Reminder emails in batches (see the class); the others through Odoo's ``_send``."""
        size = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("odoo_automated_dunning.mail_send_batch", 100)
        )
        ours = self.browse()
        if (
            size > 0
            and smtp_session
            and not raise_exception
            and not self.env["ir.mail_server"]._disable_send()
        ):
            self._dunning_settle_interrupted(auto_commit)
            ours = self._dunning_reminder_mails()
        if mail_server and ours and not ours._filter_mail_mail_servers(mail_server):
            ours = self.browse()  # Odoo's own loop refuses them
        if ours:
            for batch_ids in tools.split_every(size, ours.ids):
                self.browse(batch_ids)._dunning_send_batch(
                    auto_commit, smtp_session, alias_domain_id, mail_server, post_send_callback
                )
        return super(MailMail, self - ours)._send(
            auto_commit=auto_commit,
            raise_exception=raise_exception,
            smtp_session=smtp_session,
            alias_domain_id=alias_domain_id,
            mail_server=mail_server,
            post_send_callback=post_send_callback,
        )

    # ------------------------------------------------------------------ a batch

    def _dunning_reminder_mails(self):
        """The mails among these that carry a reminder, outgoing and in no batch."""
        reminders = self.env["dunning.communication"].sudo().search([("mail_id", "in", self.ids)])
        return (reminders.mail_id & self).filtered(
            lambda m: m.state == "outgoing" and not m.dunning_send_step
        )

    def _dunning_send_batch(
        self, auto_commit, smtp_session, alias_domain_id, mail_server, post_send_callback
    ):
        cr = self.env.cr
        self.flush_recordset()
        # Rows another sender holds are left to it.
        cr.execute(
            SQL(
                "SELECT id FROM mail_mail WHERE id IN %s AND state = 'outgoing' "
                "AND dunning_send_step IS NULL ORDER BY id FOR NO KEY UPDATE SKIP LOCKED",
                tuple(self.ids),
            )
        )
        mails = self.browse([row[0] for row in cr.fetchall()])
        if not mails:
            return
        token = mails.ids[0]
        # Commits only with auto_commit, where Odoo's own _send commits each mail (its cron).
        # The steps are written by a second connection, committed mail by mail without
        # waiting for the disk; it holds the batch's lock (PostgreSQL drops it with the
        # connection if this process dies). Without auto_commit (a caller's transaction, as
        # in tests), everything stays in that transaction.
        journal = self.env.registry.cursor() if auto_commit else None
        try:
            if journal:
                journal.execute(SQL("SELECT pg_advisory_lock(%s, %s)", SEND_LOCK, token))
                journal.commit()  # the lock stays (session); its snapshot must not
            mails.write({"dunning_send_step": "pending", "dunning_send_batch": token})
            prepared = mails._dunning_prepare(alias_domain_id, mail_server)
            mails.flush_recordset()
            if auto_commit:
                cr.commit()  # pylint: disable=invalid-commit
            results = mails._dunning_hand_over(prepared, smtp_session, journal)
            if auto_commit:
                # A fresh snapshot, that sees what the journal committed.
                cr.commit()  # pylint: disable=invalid-commit
            mails.invalidate_recordset()
            self._dunning_record(results)
            if auto_commit:
                if post_send_callback:
                    post_send_callback(mails.ids)
                cr.commit()  # pylint: disable=invalid-commit
        except Exception:
            if not auto_commit:
                raise
            # What was handed over is in the journal: settled as after a crash.
            cr.rollback()
            self._dunning_close_journal(journal)
            journal = None
            self._dunning_settle_interrupted(auto_commit)
            raise
        finally:
            self._dunning_close_journal(journal)

    @staticmethod
    def _dunning_close_journal(journal):
        """Release the batch's lock and give the connection back."""
        if journal is None or journal.closed:
            return
        try:
            journal.rollback()
            journal.execute(SQL("SELECT pg_advisory_unlock_all()"))
            journal.commit()
        finally:
            journal.close()

    def _dunning_prepare(self, alias_domain_id, mail_server):
        """{mail id: [(the mail server model in its context, the MIME message, its values)]
        or the exception that stopped building it}, as Odoo's ``_send`` builds them, for the
        whole batch from one cache (the company's bounce address computed once)."""
        IrMailServer = self.env["ir.mail_server"]
        with_unfollow = self.filtered(lambda m: m.body_html and "/mail/unfollow" in m.body_html)
        doc_to_followers = self.env["mail.followers"]._get_mail_doc_to_followers(with_unfollow.ids)
        alias_domain = self.env["mail.alias.domain"].sudo().browse(alias_domain_id)
        # What _prepare_outgoing_list reads, for the whole batch at once.
        self.mapped("recipient_ids.email")
        self.mapped("attachment_ids.name")
        prepared = {}
        for mail in self:
            try:
                emails_from = tools.mail.email_split_and_format_normalize(mail.email_from)
                email_from = emails_from[0] if emails_from else mail.email_from
                outgoing = []
                for email in mail._prepare_outgoing_list(
                    mail_server=mail_server or mail.mail_server_id,
                    doc_to_followers=doc_to_followers,
                ):
                    context = {"send_validated_to": email.pop("email_to_normalized", [])}
                    if alias_domain:
                        context["domain_notifications_email"] = alias_domain.default_from_email
                        context["domain_bounce_address"] = (
                            email["headers"].get("Return-Path") or alias_domain.bounce_email
                        )
                    server = IrMailServer.with_context(**context)
                    message = server._build_email__(
                        email_from=email_from,
                        email_to=email["email_to"],
                        subject=email["subject"],
                        body=email["body"],
                        body_alternative=email["body_alternative"],
                        email_cc=email["email_cc"],
                        reply_to=email["reply_to"],
                        attachments=email["attachments"],
                        message_id=email["message_id"],
                        references=email["references"],
                        object_id=email["object_id"],
                        subtype="html",
                        subtype_alternative="plain",
                        headers=email["headers"],
                    )
                    outgoing.append((server, message, email))
                prepared[mail.id] = outgoing
            except (MemoryError, psycopg2.Error):
                raise
            except Exception as error:  # noqa: BLE001 - recorded on the mail, as Odoo does
                prepared[mail.id] = error
        return prepared

    def _dunning_hand_over(self, prepared, smtp_session, journal):
        """Each mail to the mail server; its step in the journal before and after.
        {mail id: (message id or None, [partners accepted], [addresses accepted],
        failure type, failure reason)}."""
        IrMailServer = self.env["ir.mail_server"]
        results = {}
        done = None
        for mail in self:
            self._dunning_journal(journal, done and results[done], done, mail.id)
            done = mail.id
            outgoing = prepared[mail.id]
            if isinstance(outgoing, Exception):
                results[mail.id] = (None, [], [], *self._dunning_failure(outgoing))
                continue
            sent_id, pids, emails, failure_type, failure_reason = None, [], [], None, None
            try:
                for server, message, email in outgoing:
                    try:
                        sent_id = server.send_email(
                            message,
                            mail_server_id=mail.mail_server_id.id,
                            smtp_session=smtp_session,
                        )
                    except AssertionError as error:
                        if str(error) != IrMailServer.NO_VALID_RECIPIENT:
                            raise
                        # An invalid recipient does not stop the others (Odoo's rule).
                        failure_type = (
                            "mail_email_missing"
                            if not email.get("email_to") and failure_type != "mail_email_invalid"
                            else "mail_email_invalid"
                        )
                        failure_reason = tools.exception_to_unicode(error)
                        continue
                    if email.get("partner_id"):
                        pids.append(email["partner_id"])
                    else:
                        emails.extend(email["email_to"] or [])
                if not sent_id and not failure_type:
                    failure_type, failure_reason = (
                        "unknown",
                        self.env._(
                            "Error without exception. Probably due to sending an email without "
                            "computed recipients."
                        ),
                    )
            except (MemoryError, psycopg2.Error, smtplib.SMTPServerDisconnected):
                raise  # the batch stops; the mail being sent stays 'sending' (settled after)
            except Exception as error:  # noqa: BLE001 - recorded on the mail, as Odoo does
                _logger.info("Failed sending mail %s: %s", mail.id, error)
                failure_type, failure_reason = self._dunning_failure(error)
                sent_id = None
            results[mail.id] = (sent_id, pids, emails, failure_type, failure_reason)
        self._dunning_journal(journal, done and results[done], done, None)
        return results

    def _dunning_failure(self, error):
        """(failure type, failure reason) of an exception, as Odoo's ``_send`` names them."""
        IrMailServer = self.env["ir.mail_server"]
        failure_type, failure_reason = "unknown", None
        if isinstance(error, AssertionError):
            code = error.args[0]
            failure_reason = str(error.args[1]) if len(error.args) > 1 else code
            if code == IrMailServer.NO_VALID_FROM:
                failure_type = "mail_from_invalid"
            elif code in (IrMailServer.NO_FOUND_FROM, IrMailServer.NO_FOUND_SMTP_FROM):
                failure_type = "mail_from_missing"
        if "OutboundSpamException" in str(error):
            failure_type = "mail_spam"
        return failure_type, failure_reason or tools.exception_to_unicode(error)

    def _dunning_journal(self, journal, result, done_id, next_id):
        """One round trip: the result of the mail just handed over, and the next one marked
        'sending' before it is. With a journal connection, committed without waiting for the
        disk (a crash of PostgreSQL itself is caught by its start time, see the class)."""
        queries = []
        if done_id:
            sent_id, _pids, _emails, failure_type, failure_reason = result
            queries.append(
                SQL(
                    "UPDATE mail_mail SET state = %s, failure_type = %s, failure_reason = %s, "
                    "dunning_send_step = %s WHERE id = %s",
                    "sent" if sent_id else "exception",
                    failure_type,
                    failure_reason,
                    "sent" if sent_id else "failed",
                    done_id,
                )
            )
        if next_id:
            queries.append(
                SQL("UPDATE mail_mail SET dunning_send_step = 'sending' WHERE id = %s", next_id)
            )
        if not queries:
            return
        if journal is None:
            self.env.cr.execute(SQL(";").join(queries))
            return
        journal.execute(SQL(";").join([SQL("SET LOCAL synchronous_commit TO OFF"), *queries]))
        journal.commit()

    def _dunning_record(self, results):
        """The batch's fate as Odoo's ``_send`` records it, set-wise: the mails' states, their
        notifications and every ``_postprocess_sent_message`` (ours settles the reminders)."""
        clean = [mail_id for mail_id, result in results.items() if result[0] and not result[3]]
        accepted = self.browse(clean)
        if accepted:
            accepted.write(
                {
                    "state": "sent",
                    "failure_type": False,
                    "failure_reason": False,
                    "dunning_send_step": False,
                    "dunning_send_batch": 0,
                }
            )
            accepted._postprocess_sent_message(
                success_pids=[pid for mail_id in clean for pid in results[mail_id][1]],
                success_emails=[email for mail_id in clean for email in results[mail_id][2]],
            )
        for mail_id, (sent_id, pids, emails, failure_type, reason) in results.items():
            if mail_id in clean:
                continue
            mail = self.browse(mail_id)
            mail.write(
                {
                    "state": "sent" if sent_id else "exception",
                    "failure_type": failure_type,
                    "failure_reason": reason,
                    "dunning_send_step": False,
                    "dunning_send_batch": 0,
                }
            )
            mail._postprocess_sent_message(
                success_pids=pids,
                success_emails=emails,
                failure_reason=reason,
                failure_type=failure_type,
            )

    # ------------------------------------------------------------------ after a crash

    def _dunning_settle_interrupted(self, auto_commit=False):
        """Batches left with marks by a process that died (their lock is gone): see the
        class. Committed with ``auto_commit``."""
        cr = self.env.cr
        self.flush_model(["dunning_send_step", "dunning_send_batch"])
        cr.execute(
            """
            SELECT dunning_send_batch,
                   bool_or(pg_postmaster_start_time() > write_date AT TIME ZONE 'UTC')
              FROM mail_mail
             WHERE dunning_send_step IS NOT NULL
             GROUP BY dunning_send_batch
            """
        )
        for token, restarted in cr.fetchall():
            # Held until this transaction ends; taken only if the batch's sender is gone.
            cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, %s)", SEND_LOCK, token))
            if not cr.fetchone()[0]:
                continue  # its sender is alive
            try:
                with cr.savepoint():
                    self._dunning_settle_batch(token, restarted)
            except Exception:
                # Left marked for the next pass; the rest of the queue still leaves.
                _logger.exception("Mail batch %s could not be settled", token)
            if auto_commit:
                cr.commit()  # pylint: disable=invalid-commit

    def _dunning_settle_batch(self, token, restarted):
        mails = self.sudo().search(
            [("dunning_send_batch", "=", token), ("dunning_send_step", "!=", False)]
        )
        unsure_steps = ("sending", "pending") if restarted else ("sending",)
        unsure = mails.filtered(lambda m: m.dunning_send_step in unsure_steps)
        never_left = mails.filtered(lambda m: m.dunning_send_step == "pending") - unsure
        never_left.write({"dunning_send_step": False, "dunning_send_batch": 0})
        _logger.warning(
            "Mail batch %s was interrupted: %s mail(s) queued again, %s perhaps accepted "
            "(recorded as failed, not sent again)",
            token,
            len(never_left),
            len(unsure),
        )
        reason = self.env._(
            "Sending was interrupted while the mail server had this mail: it may have been "
            "delivered. It is not sent again automatically; check with the recipient before "
            "retrying."
        )
        results = {
            mail.id: (mail.message_id, list(mail.recipient_ids), [], None, None)
            if mail.dunning_send_step == "sent"
            else (None, [], [], mail.failure_type or "unknown", mail.failure_reason)
            for mail in mails - never_left - unsure
        }
        results.update({mail.id: (None, [], [], "unknown", reason) for mail in unsure})
        mails._dunning_record(results)
