import io
from datetime import date

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged
from odoo.tools.pdf import PdfReader

from .common import DunningCommon


def pdf_text(content):
    """The PDF's text, whitespace (tabs between words) made single spaces, and without the
    zero-width space Odoo's monetary widget puts after a minus sign."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.replace("\u200b", "").split())


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningChannels(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.belgium = cls.env.ref("base.be")
        # A configured document layout, else printing first asks to choose one.
        cls.env.company.external_report_layout_id = cls.env.ref("web.external_layout_standard")
        cls.sms_template = cls.env.ref("odoo_automated_dunning.sms_template_dunning_friendly")
        cls.collector = cls.env["res.users"].create(
            {"name": "Carla Collector", "login": "carla", "email": "carla@company.example.com"}
        )

    def _channels(self, level, *pairs):
        level.write(
            {
                "sms_template_id": self.sms_template.id,
                "channel_ids": [Command.clear()]
                + [
                    Command.create({"channel": channel, "fallback": fallback, "sequence": rank})
                    for rank, (channel, fallback) in enumerate(pairs)
                ],
            }
        )

    def _postal(self, partner):
        partner.write(
            {
                "street": "Rue de la Loi 16",
                "zip": "1000",
                "city": "Bruxelles",
                "country_id": self.belgium.id,
            }
        )

    def _run_rendering(self, day):
        """A run that renders real PDFs (Odoo's test mode renders HTML unless told), with
        wkhtmltopdf allowed to fetch the report's assets from the test server."""
        run = (
            self.env["dunning.run"]
            .with_context(force_report_rendering=True)
            .create({"date": day, "company_id": self.env.company.id})
        )
        with self.allow_pdf_render():
            run.action_run()
        return run

    # ----------------------------------------------------------------- channels

    def test_letter_is_the_fallback_when_the_customer_has_no_email(self):
        self._channels(self.level1, ("email", False), ("letter", True))
        self.env["res.partner.bank"].create(
            {"acc_number": "BE71096123456769", "partner_id": self.env.company.partner_id.id}
        )
        customer = self._customer("No Mail SA", False)
        self._postal(customer)
        invoice = self._invoice(customer, 1234.5, "2025-06-01")
        self._invoice(self.customer, 100.0, "2025-06-01")  # has an email: no letter
        second = self._customer("Paper Only NV", False)
        self._postal(second)
        second_invoice = self._invoice(second, 99.0, "2025-06-02")

        run = self._run_rendering("2025-06-20")

        second_letter = run.communication_ids.filtered(lambda c: c.partner_id == second)
        self.assertEqual((second_letter.channel, second_letter.state), ("letter", "sent"))
        self.assertIn(second_invoice.name, pdf_text(second_letter.letter_attachment_id.raw))
        letter = run.communication_ids.filtered(lambda c: c.partner_id == customer)
        self.assertEqual((letter.channel, letter.state), ("letter", "sent"))
        self.assertIn("Rue de la Loi 16", letter.recipient_address)
        self.assertNotIn(", ,", letter.recipient_address, "no empty line of the address")
        self.assertEqual(
            run.communication_ids.filtered(lambda c: c.partner_id == self.customer).channel,
            "email",
        )
        self.assertFalse(self._mails_to(customer))
        self.assertEqual(invoice.dunning_level_id, self.level1)
        pdf = letter.letter_attachment_id.raw
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = pdf_text(pdf)
        self.assertIn(invoice.name, text)
        self.assertIn("1,234.50", text)
        self.assertIn("Dear No Mail SA", text)
        self.assertIn("to our account BE71 0961 2345 6769", text)
        self.assertIn(f"with the reference {invoice.payment_reference or invoice.name}", text)
        self.assertIn("Rue de la Loi 16", text, "the address for the envelope window")
        self.assertNotIn(second_invoice.name, text, "each letter is its own")
        # Both were rendered in one wkhtmltopdf call and cut apart by their references.
        self.assertIn(f"Our reference: {letter._letter_reference()}", text)
        self.assertNotIn(second_letter._letter_reference(), text)
        self.assertIn(
            second_letter._letter_reference(), pdf_text(second_letter.letter_attachment_id.raw)
        )
        # The run prints all its letters as one PDF, and records when they were posted.
        self.assertEqual(run.letter_count, 2)
        action = run.action_print_letters()
        self.assertEqual(action["report_name"], "odoo_automated_dunning.report_dunning_letter")
        run.action_mark_letters_posted()
        self.assertEqual(letter.letter_posted_date, date(2025, 6, 30))
        self.assertEqual(second_letter.letter_posted_date, date(2025, 6, 30))
        self.assertEqual(run.letter_unposted_count, 0)
        # The customer's chatter says a letter went out.
        self.assertTrue(
            customer.message_ids.filtered(lambda m: invoice.name in (m.body or "")),
            "a note on the customer lists the letter's invoices",
        )

    def test_several_channels_at_once_bill_charges_once(self):
        self._channels(self.level1, ("email", False), ("letter", False))
        self.level1.fee_amount = 5.0
        self.policy.rule_set_id = self.env.ref("odoo_automated_dunning.rule_set_none")
        self._postal(self.customer)
        self._invoice(self.customer, 300.0, "2025-06-01")

        run = self._run_rendering("2025-06-20")

        self.assertEqual(
            sorted(run.communication_ids.mapped("channel")), ["email", "letter"], "both channels"
        )
        # One customer reminded with two messages: the run counts them apart (the email is
        # queued for the mail server, the letter rendered).
        self.assertEqual((run.reminded_count, run.queued_count, run.sent_count), (1, 1, 1))
        email = run.communication_ids.filtered(lambda c: c.channel == "email")
        letter = run.communication_ids - email
        self.assertTrue(email.primary)
        self.assertFalse(letter.primary)
        self.assertFalse(letter.charge_ids, "the fee is billed once, with the first channel")

    def test_every_channel_counts_once_per_customer_and_shows_in_the_effectiveness_report(self):
        self._channels(self.level1, ("email", False), ("sms", False), ("call", False))
        self.customer.phone = "+32 470 12 34 56"
        self._invoice(self.customer, 80.0, "2025-06-01")

        run = self._run("2025-06-20")

        self.assertEqual((run.reminded_count, run.message_count), (1, 3), "1 customer, 3 messages")
        # The email and the SMS wait in Odoo's queues; the call task is planned.
        self.assertEqual((run.queued_count, run.sent_count), (2, 1))
        sms = run.communication_ids.filtered(lambda c: c.channel == "sms")
        self.assertEqual(sms.display_name, f"{self.customer.name} · SMS · 06/20/2025")
        report = self.env["dunning.effectiveness.report"]
        domain = [("communication_id", "in", run.communication_ids.ids)]
        by_channel = dict(report._read_group(domain, ["channel"], ["__count"]))
        self.assertEqual(by_channel, {"email": 1, "sms": 1, "call": 1})
        labels = dict(report._fields["channel"]._description_selection(self.env))
        self.assertEqual(
            [labels[channel] for channel in sorted(by_channel)], ["Phone call", "Email", "SMS"]
        )
        self.assertEqual(report.search_count(domain + [("channel", "=", "sms")]), 1)

    def test_no_reachable_channel_is_skipped_with_its_reason(self):
        self._channels(self.level1, ("email", False), ("letter", True), ("sms", True))
        customer = self._customer("Ghost Ltd", False)
        self._invoice(customer, 100.0, "2025-06-01")

        run = self._run("2025-06-20")

        self.assertEqual(run.communication_ids.state, "skipped")
        self.assertEqual(run.communication_ids.skip_reason, "no_channel")
        self.assertIn("No reachable channel: 1", run.skip_summary)

    def test_sms_is_queued_with_the_amount_and_the_pay_link(self):
        self._channels(self.level1, ("sms", False))
        customer = self._customer("Mobile BV", False, phone="+32 470 12 34 56")
        invoice = self._invoice(customer, 80.0, "2025-06-01")

        run = self._run("2025-06-20")

        communication = run.communication_ids
        self.assertEqual((communication.channel, communication.state), ("sms", "queued"))
        sms = communication.sms_id
        self.assertEqual(sms.state, "outgoing")
        self.assertEqual(sms.number, "+32470123456")
        self.assertEqual(communication.recipient_address, "+32470123456")
        self.assertIn("$\xa080.00", sms.body)
        self.assertIn(f"/my/invoices/{invoice.id}?access_token=", sms.body)
        self.assertEqual(communication.body, sms.body)
        self.assertEqual(invoice.dunning_level_id, self.level1)

    def test_sms_channel_needs_an_sms_template(self):
        with self.assertRaisesRegex(ValidationError, "sends SMS but has no SMS template"):
            self.level1.write({"channel_ids": [Command.create({"channel": "sms"})]})

    def test_failed_sms_is_recorded_and_sent_again_once_by_the_next_run(self):
        self._channels(self.level1, ("sms", False))
        customer = self._customer("Mobile BV", False, phone="+32 470 12 34 56")
        invoice = self._invoice(customer, 80.0, "2025-06-01")
        first = self._run("2025-06-20").communication_ids
        with self._sms_provider("wrong_number_format"):
            self._send_sms_queue()
        self.assertEqual(first.state, "failed", "at once, without a run")
        self.assertIn("Wrong Number Format", first.error_message)

        second = self._run("2025-06-21")

        self.assertEqual(second.communication_ids.state, "queued", "sent again")
        self.assertEqual(invoice.dunning_level_id, self.level1)
        self.assertEqual(len(self.env["sms.sms"].search([("partner_id", "=", customer.id)])), 2)
        self.assertFalse(self._run("2025-06-22").communication_ids, "and not a third time")

    def test_a_failed_channel_is_queued_again_when_another_reached_the_customer(self):
        self._channels(self.level1, ("email", False), ("sms", False))
        self.customer.phone = "+32 470 12 34 56"
        invoice = self._invoice(self.customer, 80.0, "2025-06-01")
        run = self._run("2025-06-20")
        email = run.communication_ids.filtered(lambda c: c.channel == "email")
        with self._sms_provider("success"):
            self._send_sms_queue()
        full = "552 5.2.2 <billing@acme.example.com>: Mailbox full"

        with self._smtp_server(full):
            self._send_mail_queue()

        self.assertEqual(email.state, "queued")
        self.assertEqual(email.retry_count, 1)
        self.assertIn("Mailbox full", email.error_message)
        self.assertEqual(email.mail_id.state, "outgoing", "the same mail is queued once more")
        self.assertEqual(invoice.dunning_level_id, self.level1, "the SMS reached: the level stands")
        with self._smtp_server(full):
            self._send_mail_queue()
        self.assertEqual(email.state, "failed", "queued once, not forever")
        self.assertEqual(invoice.dunning_level_id, self.level1)

    def test_a_bounced_email_fails_the_reminder_and_is_sent_again(self):
        invoice = self._invoice(self.customer, 80.0, "2025-06-01")
        first = self._run("2025-06-20").communication_ids
        message = first.mail_message_id
        # What Odoo's mail gateway does when the bounce of that message comes back.
        self.env["mail.thread"]._routing_handle_bounce(
            False,
            {
                "bounced_email": "billing@acme.example.com",
                "bounced_partner": self.customer,
                "bounced_msg_ids": [message.message_id],
                "bounced_message": message,
                "body": "550 Mailbox unavailable",
                "email_from": "MAILER-DAEMON@mx.example.com",
                "to": "bounce@company.example.com",
                "message_id": "<bounce-1@mx.example.com>",
            },
        )

        second = self._run("2025-06-21")

        self.assertEqual(first.state, "bounced")
        self.assertIn("550 Mailbox unavailable", first.error_message)
        self.assertEqual(second.communication_ids.state, "queued", "sent again")
        self.assertEqual(invoice.dunning_level_id, self.level1)
        self.assertEqual(len(self._mails_to(self.customer)), 2)

    def test_email_attaches_the_invoice_pdfs_when_the_level_asks(self):
        self.level1.attach_invoices = True
        invoice = self._invoice(self.customer, 80.0, "2025-06-01")

        self._run_rendering("2025-06-20")

        mail = self._mails_to(self.customer)
        self.assertEqual(len(mail.attachment_ids), 1)
        self.assertEqual(mail.attachment_ids.name, f"{invoice._get_report_base_filename()}.pdf")
        # The invoice report's web font hides its text from extraction: check it is a PDF.
        self.assertTrue(mail.attachment_ids.raw.startswith(b"%PDF"))
        self.assertGreaterEqual(len(PdfReader(io.BytesIO(mail.attachment_ids.raw)).pages), 1)

    # ------------------------------------------------------- calls and promises

    def test_call_task_goes_to_the_collector_on_the_run_date(self):
        self._channels(self.level1, ("call", False))
        self.policy.responsible_id = self.env.user
        self.customer.write(
            {"phone": "+32 2 123 45 67", "dunning_responsible_id": self.collector.id}
        )
        self.other_customer.phone = "+32 2 765 43 21"
        self._invoice(self.customer, 80.0, "2025-06-01")
        self._invoice(self.other_customer, 90.0, "2025-06-01")

        run = self._run("2025-06-20")

        calls = run.communication_ids
        self.assertEqual(set(calls.mapped("state")), {"sent"})
        by_customer = {c.partner_id: c.activity_id for c in calls}
        self.assertEqual(by_customer[self.customer].user_id, self.collector)
        self.assertEqual(by_customer[self.other_customer].user_id, self.env.user, "policy's")
        self.assertEqual(by_customer[self.customer].date_deadline, date(2025, 6, 20))
        self.assertEqual(
            by_customer[self.customer].activity_type_id,
            self.env.ref("mail.mail_activity_data_call"),
        )

    def _promise_call(self, communication, amount, promised):
        action = communication.action_call_outcome()
        with Form(self.env[action["res_model"]].browse(action["res_id"])) as wizard:
            wizard.outcome = "promise"
            wizard.promise_amount = amount
            wizard.promise_date = promised
        wizard.save().action_confirm()
        return communication.promise_ids

    def test_kept_promise_pauses_dunning_then_completes(self):
        self._channels(self.level1, ("call", False))
        self.customer.phone = "+32 2 123 45 67"
        invoice = self._invoice(self.customer, 500.0, "2025-06-20")
        call = self._run("2025-06-29").communication_ids

        promise = self._promise_call(call, 500.0, "2025-07-05")

        self.assertEqual(call.call_outcome, "promise")
        self.assertFalse(call.activity_id.active, "the call task is done (archived)")
        self.assertEqual((promise.state, promise.date_limit), ("open", date(2025, 7, 8)))
        # Level 2 would be due on 2025-07-04 (2 weeks), but the promise holds until the 8th.
        self.assertFalse(self._run("2025-07-06").communication_ids)
        self.assertEqual(invoice.dunning_next_date, date(2025, 7, 9))
        self._pay(invoice, date="2025-07-04")
        self._run("2025-07-10")
        self.assertEqual(promise.state, "kept")

    def test_broken_promise_escalates_at_the_next_run(self):
        self._channels(self.level1, ("call", False))
        self.policy.promise_grace_days = 0
        self.customer.phone = "+32 2 123 45 67"
        invoice = self._invoice(self.customer, 500.0, "2025-06-20")
        call = self._run("2025-06-29").communication_ids
        promise = self._promise_call(call, 500.0, "2025-07-01")
        self._pay(invoice, amount=100.0, date="2025-07-01")  # not what was promised

        self.assertFalse(self._run("2025-07-01").communication_ids, "up to the promised date")
        # Level 2 is due on 2025-07-04 by its delay; the broken promise brings it forward.
        run = self._run("2025-07-02")

        self.assertEqual(promise.state, "broken")
        self.assertTrue(promise.escalated)
        self.assertEqual(run.communication_ids.level_id, self.level2)
        self.assertEqual(invoice.dunning_level_id, self.level2)
        self.assertEqual(self.customer.dunning_broken_promise_count, 1)
        self.assertFalse(self._run("2025-07-03").communication_ids, "one level, not one per run")

    def test_promise_needs_an_amount_and_a_date(self):
        self._channels(self.level1, ("call", False))
        self.customer.phone = "+32 2 123 45 67"
        self._invoice(self.customer, 500.0, "2025-05-01")
        call = self._run("2025-05-10").communication_ids
        wizard = self.env["dunning.call.outcome.wizard"].browse(
            call.action_call_outcome()["res_id"]
        )
        wizard.write({"outcome": "promise", "promise_amount": 0.0, "promise_date": "2025-05-20"})
        with self.assertRaisesRegex(UserError, "Acme Corp needs an amount above zero"):
            wizard.action_confirm()

    def test_dispute_raised_on_a_call_stops_dunning(self):
        self._channels(self.level1, ("call", False))
        self.customer.phone = "+32 2 123 45 67"
        invoice = self._invoice(self.customer, 500.0, "2025-05-01")
        call = self._run("2025-05-10").communication_ids
        wizard = self.env["dunning.call.outcome.wizard"].browse(
            call.action_call_outcome()["res_id"]
        )
        wizard.write({"outcome": "dispute", "note": "Goods never arrived"})
        wizard.action_confirm()

        self.assertTrue(invoice.dunning_dispute)
        self.assertEqual(invoice.dunning_dispute_reason, "Goods never arrived")
        self.assertFalse(self._run("2025-06-30").communication_ids)
