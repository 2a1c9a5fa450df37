import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading

from aiosmtpd.controller import Controller

import odoo
from odoo.tests import BaseCase, freeze_time, tagged
from odoo.tests.common import get_db_name
from odoo.tools import config, mute_logger

from . import database_copy
from .common import DunningCommon

INTERRUPTED = "Sending was interrupted"


def _message_ids(messages):
    return [
        email.message_from_string(message, policy=email.policy.default)["Message-Id"]
        for message in messages
    ]


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningMailBatch(DunningCommon):
    """Reminder emails leave the mail queue in batches (mail_mail.py), with Odoo's outcomes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("odoo_automated_dunning.mail_send_batch", 2)
        cls.customers = cls.customer | cls.other_customer | cls._customer("Initech", "ap@ini.test")
        for customer in cls.customers:
            cls._invoice(customer, 100.0, "2025-06-01")

    def _queue(self):
        run = self._run("2025-06-20")
        self.assertEqual(len(run.communication_ids), 3)
        return run.communication_ids.sorted("mail_id")

    def test_reminders_and_other_mails_leave_each_once_with_their_outcomes(self):
        reminders = self._queue()
        # A mail that is not a reminder goes through Odoo's own loop, in the same queue.
        other = self.env["mail.mail"].create(
            {"subject": "Hello", "body_html": "<p>Hi</p>", "email_to": "someone@else.test"}
        )
        with self._smtp_server() as smtp:
            self._send_mail_queue()

        self.assertEqual(len(smtp.messages), 4)
        expected = [*reminders.mail_id.mapped("message_id"), other.message_id]
        self.assertCountEqual(_message_ids(smtp.messages), expected)
        self.assertEqual(set(reminders.mapped("state")), {"sent"})
        self.assertEqual(set((reminders.mail_id | other).mapped("state")), {"sent"})
        self.assertFalse(any(reminders.mail_id.mapped("dunning_send_step")))
        notifications = self.env["mail.notification"].search(
            [("mail_mail_id", "in", reminders.mail_id.ids)]
        )
        self.assertEqual(notifications.mapped("notification_status"), ["sent"] * 3)
        self.assertEqual(notifications.res_partner_id, self.customers)

    def test_a_refused_reminder_fails_with_the_servers_reason_in_a_batch(self):
        reminders = self._queue()
        with self._smtp_server("550 5.1.1 mailbox unknown") as smtp:
            self._send_mail_queue()
        self.assertFalse(smtp.messages)
        self.assertEqual(set(reminders.mail_id.mapped("state")), {"exception"})
        self.assertEqual(set(reminders.mapped("state")), {"failed"})
        self.assertIn("mailbox unknown", reminders[0].error_message)
        notifications = self.env["mail.notification"].search(
            [("mail_mail_id", "in", reminders.mail_id.ids)]
        )
        self.assertEqual(set(notifications.mapped("notification_status")), {"exception"})

    def _interrupted(self, steps, since_restart=False):
        """The marks a batch leaves when its process dies: ``steps`` per reminder."""
        reminders = self._queue()
        mails = reminders.mail_id.sorted("id")
        for mail, step in zip(mails, steps, strict=True):
            values = {"dunning_send_step": step, "dunning_send_batch": mails[0].id}
            if step == "sent":
                values["state"] = "sent"
            mail.write(values)
        if since_restart:
            # The batch began before PostgreSQL's last start.
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE mail_mail SET write_date = '2000-01-01' WHERE id = ANY(%s)", (mails.ids,)
            )
        return reminders.sorted(lambda r: r.mail_id.id)

    @mute_logger("odoo.addons.odoo_automated_dunning.models.mail_mail")
    def test_an_interrupted_batch_is_settled_and_never_sends_twice(self):
        accepted, in_flight, waiting = self._interrupted(["sent", "sending", "pending"])
        with self._smtp_server() as smtp:
            self._send_mail_queue()

        self.assertEqual(_message_ids(smtp.messages), [waiting.mail_id.message_id])
        self.assertEqual((accepted.state, accepted.mail_id.state), ("sent", "sent"))
        self.assertEqual(in_flight.mail_id.state, "exception")
        self.assertIn(INTERRUPTED, in_flight.mail_id.failure_reason)
        self.assertEqual(in_flight.state, "failed")
        self.assertEqual((waiting.state, waiting.mail_id.state), ("sent", "sent"))
        mails = (accepted | in_flight | waiting).mail_id
        self.assertFalse(any(mails.mapped("dunning_send_step")))

    @mute_logger("odoo.addons.odoo_automated_dunning.models.mail_mail")
    def test_after_a_database_restart_a_waiting_mail_of_the_batch_is_not_sent_either(self):
        accepted, in_flight, waiting = self._interrupted(
            ["sent", "sending", "pending"], since_restart=True
        )
        with self._smtp_server() as smtp:
            self._send_mail_queue()
        self.assertFalse(smtp.messages, "its 'sending' step may have been lost")
        self.assertEqual(accepted.state, "sent")
        self.assertEqual((in_flight.state, waiting.state), ("failed", "failed"))
        self.assertIn(INTERRUPTED, waiting.mail_id.failure_reason)


# ---------------------------------------------------------------------- a process killed

SETUP = """
from datetime import date, timedelta
env = env(context=dict(env.context, tracking_disable=True))
company = env.company
company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0, "email": "ar@co.test"})
env.ref("odoo_automated_dunning.dunning_policy_standard").write(
    {"active": True, "company_id": company.id})
immediate = env.ref("account.account_payment_term_immediate")
partners = env["res.partner"].create(
    [{"name": f"Batch customer {i}", "email": f"ap{i}@batch.test"} for i in range(%(count)s)])
moves = env["account.move"].create([{
    "move_type": "out_invoice", "partner_id": partner.id,
    "invoice_date": date.today() - timedelta(days=20), "invoice_payment_term_id": immediate.id,
    "invoice_line_ids": [(0, 0, {"name": "Consulting", "quantity": 1, "price_unit": 100.0})],
} for partner in partners])
moves.action_post()
run = env["dunning.run"].create({"date": date.today(), "company_id": company.id,
                                 "partner_ids": [(6, 0, partners.ids)]})
run.action_run()
env["ir.config_parameter"].set_param("odoo_automated_dunning.mail_send_batch", %(batch)s)
env["ir.mail_server"].search([]).write({"active": False})
env["ir.mail_server"].create({"name": "sink", "smtp_host": "127.0.0.1",
                              "smtp_port": %(port)s, "smtp_encryption": "none"})
env.cr.commit()
"""
SEND = """
env["mail.mail"].process_email_queue()
env.cr.commit()
"""


class StallingSink:
    """An SMTP server that keeps every message; the ``stall_at``-th one it receives is kept
    but not answered until ``release`` is set (the mail server has it, the sender waits)."""

    def __init__(self, stall_at):
        self.stall_at = stall_at
        self.messages = []
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        self.messages.append(envelope.content.decode(errors="replace"))
        if len(self.messages) == self.stall_at:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 OK"


@tagged("post_install", "-at_install")
class TestDunningMailBatchKilled(BaseCase):
    """The mail queue killed (SIGKILL) while the mail server has a reminder of a batch: after
    a restart every reminder has left exactly once, none twice, none lost."""

    COUNT = 10
    BATCH = 4  # batches of 4, 4, 2; the 6th mail is in flight when the process dies

    def setUp(self):
        super().setUp()
        self.source = get_db_name()
        self.copy = f"{self.source}_mailkill"
        self.tmp = tempfile.mkdtemp(prefix="dunning_mailkill_")
        self.runner_paused = None
        self.addCleanup(self._clean_up)
        self._copy_database()

    def _copy_database(self):
        """A committed copy of this database (its installed modules) for the shell; this
        process's connections to it closed first, queue_job's runner thread's too where it
        runs (started again afterwards)."""
        self.runner_paused = database_copy.pause_job_runner()
        if not database_copy.copy_database(self.source, self.copy):
            self.skipTest(f"database {self.source} stays in use: not copied")

    def _clean_up(self):
        database_copy.drop_database(self.copy)
        subprocess.run(["rm", "-rf", self.tmp], check=False)  # noqa: S607
        database_copy.resume_job_runner(self.runner_paused)

    def _shell(self, script):
        """``odoo shell`` on the copy, running ``script``; the process (not waited for)."""
        addons = config["addons_path"]
        addons = ",".join(addons) if isinstance(addons, list) else addons
        args = [f"--addons-path={addons}", f"--database={self.copy}", "--no-http"]
        args += [f"--data-dir={os.path.join(self.tmp, 'data')}", "--log-level=warn"]
        for option, flag in (
            ("db_host", "--db_host"),
            ("db_port", "--db_port"),
            ("db_user", "--db_user"),
            ("db_password", "--db_password"),
        ):
            if config.get(option):
                args.append(f"{flag}={config[option]}")
        environ = dict(os.environ)
        source_dir = os.path.dirname(odoo.__path__[0])
        environ["PYTHONPATH"] = os.pathsep.join([source_dir, environ.get("PYTHONPATH", "")])
        log = open(os.path.join(self.tmp, "shell.log"), "a")  # noqa: SIM115
        self.addCleanup(log.close)
        process = subprocess.Popen(  # noqa: S603 - our own Odoo, our own arguments
            [sys.executable, "-c", "import odoo.cli; odoo.cli.main()", "shell", *args],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=log,
            env=environ,
            start_new_session=True,
            text=True,
        )
        process.stdin.write(script)
        process.stdin.close()
        return process

    def _wait(self, process, seconds=300):
        try:
            process.wait(seconds)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            self.fail(f"odoo shell did not finish: {self._log_tail()}")
        self.assertEqual(process.returncode, 0, self._log_tail())

    def _log_tail(self):
        with open(os.path.join(self.tmp, "shell.log"), encoding="utf-8") as log:
            return log.read()[-3000:]

    def _rows(self, query):
        connection = database_copy.connect(self.copy)
        try:
            with connection.cursor() as cr:
                cr.execute(query)
                return cr.fetchall()
        finally:
            connection.close()

    def test_a_killed_batch_resumes_without_sending_twice_or_losing_a_mail(self):
        sink = StallingSink(stall_at=6)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        self.addCleanup(controller.stop)
        setup = SETUP % {"count": self.COUNT, "batch": self.BATCH, "port": port}
        self._wait(self._shell(setup))
        self.assertEqual(
            self._rows("SELECT count(*) FROM mail_mail WHERE state = 'outgoing'"),
            [(self.COUNT,)],
        )

        sender = self._shell(SEND)
        self.assertTrue(sink.stalled.wait(240), f"the 6th mail never came: {self._log_tail()}")
        os.killpg(sender.pid, signal.SIGKILL)
        sender.wait(30)
        sink.release.set()
        (marks,) = self._rows(
            "SELECT count(*) FILTER (WHERE dunning_send_step = 'sending'), "
            "count(*) FILTER (WHERE dunning_send_step = 'pending'), "
            "count(*) FILTER (WHERE state = 'sent') FROM mail_mail"
        )
        self.assertEqual(marks, (1, 2, 5), "killed with the 6th mail at the server")

        self._wait(self._shell(SEND))  # the next pass of the mail queue

        received = _message_ids(sink.messages)
        self.assertEqual(len(received), self.COUNT, "every mail left")
        self.assertEqual(len(set(received)), self.COUNT, "none twice")
        rows = self._rows(
            "SELECT message.message_id, mail.state, mail.failure_reason, mail.dunning_send_step, "
            "communication.state, notification.notification_status "
            "FROM mail_mail mail "
            "JOIN mail_message message ON message.id = mail.mail_message_id "
            "JOIN dunning_communication communication ON communication.mail_id = mail.id "
            "JOIN mail_notification notification ON notification.mail_mail_id = mail.id "
            "ORDER BY mail.id"
        )
        self.assertEqual(sorted(row[0] for row in rows), sorted(received))
        self.assertEqual([row[3] for row in rows], [None] * self.COUNT, "no mark left")
        # The 6th message the server received is the mail that was in flight.
        (in_flight,) = [row for row in rows if row[0] == received[5]]
        self.assertEqual(in_flight[1], "exception")
        self.assertIn(INTERRUPTED, in_flight[2])
        self.assertEqual(in_flight[4:], ("failed", "exception"))
        others = [row for row in rows if row is not in_flight]
        self.assertEqual({(row[1], row[4], row[5]) for row in others}, {("sent", "sent", "sent")})
