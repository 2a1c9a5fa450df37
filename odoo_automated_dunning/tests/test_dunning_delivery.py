import email
import email.policy
from datetime import date

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon

REFUSAL = "550 5.1.1 <billing@acme.example.com>: Recipient address rejected: mailbox unknown"


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningDelivery(DunningCommon):
    """A reminder's state follows its message at the mail server and the SMS provider, at
    once; its fees are billed only once a message was accepted."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy.rule_set_id = cls.env.ref("odoo_automated_dunning.rule_set_eu")
        cls.level1.write(
            {
                "fee_amount": 5.0,
                "sms_template_id": cls.env.ref(
                    "odoo_automated_dunning.sms_template_dunning_friendly"
                ).id,
            }
        )

    def _channels(self, *channels):
        self.level1.channel_ids = [Command.clear()] + [
            Command.create({"channel": channel, "sequence": rank})
            for rank, channel in enumerate(channels)
        ]

    def _charge_documents(self, partner):
        return self.env["account.move"].search(
            [("partner_id", "=", partner.id), ("dunning_charge_ids", "!=", False)]
        )

    # ------------------------------------------------------------------- email

    def test_a_mail_the_smtp_server_refuses_fails_its_reminder_at_once_and_bills_nothing(self):
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        run = self._run("2025-06-20")
        reminder = run.communication_ids
        self.assertEqual(reminder.state, "queued")
        self.assertEqual((run.queued_count, run.sent_count), (1, 0))
        self.assertEqual(invoice.dunning_level_id, self.level1)
        self.assertEqual(reminder.charge_ids.mapped("state"), ["pending"])
        self.assertFalse(self._charge_documents(self.customer), "nothing billed while queued")

        with self._smtp_server(REFUSAL) as smtp:
            self._send_mail_queue()

        self.assertFalse(smtp.messages)
        self.assertEqual(reminder.state, "failed")
        self.assertIn("mailbox unknown", reminder.error_message)
        self.assertEqual((run.failed_count, run.queued_count), (1, 0))
        self.assertFalse(invoice.dunning_level_id, "back to its previous level")
        self.assertFalse(self._charge_documents(self.customer), "no fee for a reminder unsent")
        self.assertEqual(reminder.charge_ids.mapped("state"), ["cancelled"])

        # The next run sends it again, once; a second refusal is the last.
        retry = self._run("2025-06-21").communication_ids
        self.assertEqual(retry.state, "queued")
        with self._smtp_server(REFUSAL):
            self._send_mail_queue()
        self.assertEqual(retry.state, "failed")
        self.assertEqual(invoice.dunning_level_id, self.level1, "tried twice: the level stays")
        self.assertFalse(self._run("2025-06-22").communication_ids, "never a third time")
        self.assertFalse(self._charge_documents(self.customer))

    def test_a_mail_the_smtp_server_accepts_sends_its_reminder_and_bills_its_fee(self):
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        run = self._run("2025-06-20")
        reminder = run.communication_ids

        with self._smtp_server() as smtp:
            self._send_mail_queue()

        self.assertEqual(len(smtp.messages), 1)
        # The body as the customer reads it (the mail layout's text is base64-encoded).
        message = email.message_from_string(smtp.messages[0], policy=email.policy.default)
        self.assertIn(invoice.name, message.get_body(("html",)).get_content())
        self.assertEqual(reminder.state, "sent")
        self.assertEqual((run.queued_count, run.sent_count, run.failed_count), (0, 1, 0))
        fee = reminder.charge_ids
        self.assertEqual((fee.kind, fee.state, fee.amount), ("fee", "charged", 5.0))
        self.assertEqual(self._charge_documents(self.customer), fee.charge_move_id)
        self.assertEqual(fee.charge_move_id.state, "posted")
        self.assertEqual(fee.charge_move_id.amount_total, 5.0)
        self.assertEqual(invoice.dunning_level_id, self.level1)

    def test_a_bounce_marks_the_reminder_bounced(self):
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        run = self._run("2025-06-20")
        reminder = run.communication_ids
        with self._smtp_server():
            self._send_mail_queue()
        self.assertEqual(reminder.state, "sent")

        # The recipient's server returns a delivery status notification, days later.
        self.env["mail.thread"].message_process(
            False,
            DSN.format(message_id=reminder.mail_id.message_id, alias=self.env.company.email),
        )

        self.assertEqual(reminder.state, "bounced")
        self.assertIn("mailbox unknown", reminder.error_message)
        self.assertEqual((run.bounced_count, run.sent_count), (1, 0))
        self.assertFalse(invoice.dunning_level_id, "it reached no one: sent again next run")
        self.assertEqual(self._run("2025-06-21").communication_ids.state, "queued")

    # --------------------------------------------------------------------- SMS

    def test_an_sms_the_provider_refuses_fails_its_reminder_at_once_and_bills_nothing(self):
        self._channels("sms")
        self.customer.phone = "+32 470 12 34 56"
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        run = self._run("2025-06-20")
        reminder = run.communication_ids
        self.assertEqual(reminder.state, "queued")

        with self._sms_provider("wrong_number_format"):
            self._send_sms_queue()

        self.assertEqual(reminder.sms_id.state, "error")
        self.assertEqual(reminder.state, "failed")
        self.assertIn("Wrong Number Format", reminder.error_message)
        self.assertEqual(run.failed_count, 1)
        self.assertFalse(invoice.dunning_level_id)
        self.assertFalse(self._charge_documents(self.customer))

    def test_an_sms_the_provider_takes_sends_its_reminder_and_bills_its_fee(self):
        self._channels("sms")
        self.customer.phone = "+32 470 12 34 56"
        self._invoice(self.customer, 100.0, "2025-06-01")
        run = self._run("2025-06-20")
        reminder = run.communication_ids

        with self._sms_provider("success"):
            self._send_sms_queue()

        self.assertEqual(reminder.state, "sent")
        self.assertEqual(run.sent_count, 1)
        self.assertEqual(reminder.charge_ids.state, "charged")
        self.assertEqual(self._charge_documents(self.customer).amount_total, 5.0)

    # ---------------------------------------------------------- several channels

    def test_a_refused_channel_is_queued_once_more_while_another_may_reach(self):
        self._channels("email", "sms")
        self.customer.phone = "+32 470 12 34 56"
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        run = self._run("2025-06-20")
        email = run.communication_ids.filtered(lambda c: c.channel == "email")
        sms = run.communication_ids - email
        self.assertTrue(email.primary)

        with self._sms_provider("server_error"):
            self._send_sms_queue()
        self.assertEqual((sms.state, sms.retry_count), ("queued", 1), "queued once more")
        self.assertIn("Server Error", sms.error_message)
        self.assertEqual(sms.sms_id.state, "outgoing")
        with self._sms_provider("server_error"):
            self._send_sms_queue()
        self.assertEqual(sms.state, "failed", "not forever")
        self.assertEqual(invoice.dunning_level_id, self.level1, "the email may still reach")
        self.assertFalse(self._charge_documents(self.customer))

        with self._smtp_server():
            self._send_mail_queue()

        self.assertEqual(email.state, "sent")
        self.assertEqual(invoice.dunning_level_id, self.level1)
        self.assertEqual(self._charge_documents(self.customer).amount_total, 5.0, "billed once")
        self.assertEqual(invoice.dunning_last_date, date(2025, 6, 20))

    def test_a_letter_is_sent_once_rendered_and_bills_at_once(self):
        self._channels("letter")
        self.env.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        self.customer.write(
            {
                "street": "Rue de la Loi 16",
                "city": "Bruxelles",
                "country_id": self.env.ref("base.be").id,
            }
        )
        self._invoice(self.customer, 100.0, "2025-06-01")
        run = (
            self.env["dunning.run"]
            .with_context(force_report_rendering=True)
            .create({"date": "2025-06-20", "company_id": self.env.company.id})
        )

        with self.allow_pdf_render():
            run.action_run()

        reminder = run.communication_ids
        self.assertTrue(reminder.letter_attachment_id)
        self.assertEqual(reminder.state, "sent")
        self.assertEqual(self._charge_documents(self.customer).amount_total, 5.0)


DSN = """From: MAILER-DAEMON@mx.acme.example.com
To: {alias}
Subject: Undelivered Mail Returned to Sender
Message-Id: <dsn-1@mx.acme.example.com>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain; charset=utf-8

550 5.1.1 <billing@acme.example.com>: mailbox unknown

--dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.example.com

Final-Recipient: rfc822; billing@acme.example.com
Action: failed
Status: 5.1.1

--dsn
Content-Type: text/rfc822-headers

Message-Id: {message_id}
To: billing@acme.example.com
Subject: Payment reminder

--dsn--
"""
