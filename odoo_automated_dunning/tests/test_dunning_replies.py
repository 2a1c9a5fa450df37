from datetime import date
from email.message import EmailMessage

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import DunningCommon

SENDER = "Jane Doe <billing@acme.example.com>"


class ReplyEmails:
    """Customers' answers to a reminder as real RFC 822 emails, fed through Odoo's mail
    gateway (shared by the reply tests; needs ``self.reminder`` and ``self.invoice`` unless
    both ``reminder`` and ``quoted=False`` are given)."""

    def _email(self, text, *, reminder=None, html=None, quoted=True, headers=None, sender=SENDER):
        """A real RFC 822 reply to ``reminder``'s email, as a mail client writes it: the new
        text, then the quoted reminder; an HTML alternative when ``html`` is given."""
        reminder = reminder or self.reminder
        self._count = getattr(self, "_count", 0) + 1
        message = EmailMessage()
        message["From"] = sender
        message["To"] = "credit@company.example.com"
        message["Subject"] = f"Re: {reminder.subject or 'Payment reminder'}"
        message["Date"] = "Fri, 20 Jun 2025 08:30:00 +0000"
        message["Message-Id"] = f"<reply-{self._count}-{id(self)}@acme.example.com>"
        message["In-Reply-To"] = reminder.mail_message_id.message_id
        message["References"] = reminder.mail_message_id.message_id
        for name, value in (headers or {}).items():
            message[name] = value
        plain = text
        if quoted:
            # The reminder as the customer's mail client quotes it: its own words must not
            # decide anything (they speak of payment and of invoices already paid).
            plain += (
                "\n\nOn Fri, Jun 20, 2025 at 9:00 AM Company <credit@company.example.com> wrote:\n"
                f"> Dear customer, invoice {self.invoice.name} is overdue.\n"
                "> If you have already paid, please ignore this reminder.\n"
                "> We will pay attention to any question you have.\n"
            )
        message.set_content(plain)
        if html:
            message.add_alternative(html, subtype="html")
        return message.as_string()

    def _receive(self, raw):
        self.env["mail.thread"].message_process(None, raw)
        return self.env["dunning.reply"].search([], order="id desc", limit=1)

    def _replies(self):
        return self.env["dunning.reply"].search([])


@freeze_time("2025-06-20 09:00:00")
@tagged("post_install", "-at_install")
class TestDunningReplies(ReplyEmails, DunningCommon):
    """A customer's answer to a reminder comes back through Odoo's mail gateway as a real
    email; it is linked to its reminder, read (five languages, plain or HTML, quoted
    history left out) and acted on: a pause, a promise, payments to match, a dispute, a
    task, or nothing for an automatic reply."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, 1200.50, "2025-06-01")
        cls.collector = new_test_user(
            cls.env,
            login="replies_collector",
            groups="odoo_automated_dunning.group_dunning_user",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )
        cls.policy.responsible_id = cls.collector

    def setUp(self):
        super().setUp()
        self.run = self._run("2025-06-20")
        self.reminder = self.run.communication_ids
        self.assertEqual(self.reminder.state, "queued")

    def _quoted_html(self, new_html):
        return (
            f"<html><body><div dir='ltr'>{new_html}</div>"
            "<div class='gmail_quote'><div class='gmail_attr'>On Fri, Jun 20, 2025, Company "
            "wrote:</div><blockquote class='gmail_quote'>Dear customer, if you have already "
            "paid, please ignore this reminder. Invoice is wrong? Tell us.</blockquote></div>"
            "</body></html>"
        )

    # -------------------------------------------------------------- the kinds

    def test_a_promise_in_english_is_linked_and_read_with_its_date_and_amount(self):
        reply = self._receive(
            self._email(
                f"Hello, we will pay invoice {self.invoice.name} on July 15, 2025: "
                "1,200.50 by bank transfer.\nRegards, Jane"
            )
        )
        self.assertEqual(reply.communication_id, self.reminder)
        self.assertEqual(reply.partner_id, self.customer)
        self.assertEqual(reply.company_id, self.env.company)
        self.assertEqual(reply.message_id.model, "res.partner")
        self.assertEqual(reply.message_id.res_id, self.customer.id)
        self.assertEqual(reply.kind, "promise")
        self.assertEqual(reply.promised_date, date(2025, 7, 15))
        self.assertEqual(reply.promised_amount, 1200.50)
        self.assertNotIn("ignore this reminder", reply.excerpt, "quoted history left out")
        self.assertIn("we will pay", reply.excerpt)
        self.assertTrue(reply.matched)
        self.assertEqual(reply.state, "new")

    def test_a_french_html_promise_reads_french_dates_and_amounts(self):
        self.customer.lang = self.env["res.lang"]._activate_lang("fr_FR").code
        text = "Bonjour, nous paierons la facture le 15/07/2025, soit 1 200,50 €. Cordialement"
        reply = self._receive(
            self._email(text, html=self._quoted_html(f"<p>{text}</p>"), quoted=False)
        )
        self.assertEqual(reply.kind, "promise")
        self.assertEqual(reply.promised_date, date(2025, 7, 15))
        self.assertEqual(reply.promised_amount, 1200.50)
        self.assertNotIn("ignore", reply.excerpt)

    def test_a_german_promise(self):
        self.customer.lang = self.env["res.lang"]._activate_lang("de_DE").code
        reply = self._receive(
            self._email("Guten Tag, wir zahlen den Betrag von 1.200,50 € am 15.07.2025.")
        )
        self.assertEqual(reply.kind, "promise")
        self.assertEqual(reply.promised_date, date(2025, 7, 15))
        self.assertEqual(reply.promised_amount, 1200.50)

    def test_a_spanish_reply_says_paid_and_shows_the_payment_to_match(self):
        self.customer.lang = self.env["res.lang"]._activate_lang("es_ES").code
        bank = self.company_data["default_journal_bank"]
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "amount": 1200.50,
                "journal_id": bank.id,
                "date": "2025-06-18",
            }
        )
        payment.action_post()
        transfer = self.env["account.bank.statement.line"].create(
            {
                "journal_id": bank.id,
                "date": "2025-06-19",
                "payment_ref": f"Pago {self.invoice.name}",
                "amount": 1200.50,
            }
        )
        unrelated = self.env["account.bank.statement.line"].create(
            {"journal_id": bank.id, "date": "2025-06-19", "payment_ref": "Other", "amount": 77.0}
        )
        reply = self._receive(
            self._email(
                f"Buenos días, ya hemos pagado la factura {self.invoice.name} por transferencia."
            )
        )
        self.assertEqual(reply.kind, "paid")
        self.assertEqual(reply.invoice_ids, self.invoice)
        self.assertIn(payment.move_id, reply.payment_line_ids.move_id)
        self.assertIn(transfer, reply.statement_line_ids, "the amount owed matches")
        self.assertNotIn(unrelated, reply.statement_line_ids)
        form = Form(reply)
        self.assertTrue(form.payment_line_ids)

    def test_a_dutch_dispute_opens_the_dispute_wizard_with_the_named_invoice(self):
        other = self._invoice(self.customer, 300.0, "2025-06-02")
        self.reminder.unlink()
        self.run.unlink()
        run = self._run("2025-06-20")
        reminder = run.communication_ids
        self.assertEqual(reminder.line_ids.move_id, self.invoice | other)
        self.customer.lang = self.env["res.lang"]._activate_lang("nl_NL").code
        reply = self._receive(
            self._email(
                f"Goedemiddag, factuur {other.name} klopt niet: de levering was onvolledig.",
                reminder=reminder,
            )
        )
        self.assertEqual(reply.kind, "dispute")
        self.assertEqual(reply.invoice_ids, other)

        action = reply.action_dispute()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual(wizard.move_ids[:], other, "only the invoice it names")
        self.assertIn("klopt niet", wizard.reason)
        self.assertTrue(reply.activity_ids)
        wizard.save().action_confirm()
        self.assertTrue(other.dunning_dispute)
        self.assertFalse(self.invoice.dunning_dispute)
        # Handled, as a confirmed promise is: done, its task closed, the disputed invoice kept.
        self.assertEqual(reply.state, "done")
        self.assertFalse(reply.activity_ids)
        self.assertEqual(reply.disputed_move_ids, other)

    def test_a_paid_reply_is_done_once_its_invoices_are_paid(self):
        second = self._invoice(self.customer, 300.0, "2025-06-02")
        self.reminder.unlink()
        self.run.unlink()
        reminder = self._run("2025-06-20").communication_ids
        reply = self._receive(self._email("We paid both invoices yesterday.", reminder=reminder))
        self.assertEqual((reply.kind, reply.state), ("paid", "new"))
        self.assertTrue(reply.activity_ids)

        self._pay(self.invoice, date="2025-06-20")
        self.assertEqual(reply.state, "new", "one of the reminder's two invoices is still due")
        self._pay(second, amount=100.0, date="2025-06-20")
        self.assertEqual(reply.state, "new", "paid in part only")

        self._pay(second, date="2025-06-20")
        self.assertEqual(reply.state, "done")
        self.assertFalse(reply.activity_ids)

    def test_a_dispute_naming_no_invoice_proposes_all_of_the_reminder(self):
        reply = self._receive(self._email("This invoice is wrong, the price was 1,000."))
        self.assertEqual(reply.kind, "dispute")
        action = reply.action_dispute()
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual(wizard.move_ids[:], self.reminder.line_ids.move_id)

    def test_an_other_reply_gives_the_collector_a_task_and_pauses_reminders(self):
        reply = self._receive(self._email("Could you send me a copy of the contract?"))
        self.assertEqual(reply.kind, "other", "the quoted 'already paid' decides nothing")
        activity = reply.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertEqual(reply.paused_until, date(2025, 6, 25))

        reply.with_user(self.collector).action_done()
        self.assertEqual(reply.state, "done")
        self.assertFalse(reply.activity_ids)

    # ---------------------------------------------------------------- effects

    def test_a_human_reply_pauses_reminders_for_the_policys_days_then_they_resume(self):
        self.policy.reply_pause_days = 5
        # Due a week before tomorrow: tomorrow's run would remind the customer of it.
        self._invoice(self.customer, 300.0, "2025-06-14")
        self._receive(self._email("Could you send me a copy of the contract?"))
        self.assertEqual(self.customer.dunning_pause_until, date(2025, 6, 25))
        self.assertEqual(self.customer.dunning_pause_reason, "reply")

        paused = self._run("2025-06-21").communication_ids
        self.assertEqual((paused.state, paused.skip_reason), ("skipped", "paused"))
        self.assertIn("replied", paused.decision_note)
        self.assertEqual(self._run("2025-06-25").communication_ids.skip_reason, "paused")

        resumed = self._run("2025-06-26").communication_ids
        self.assertEqual(resumed.state, "queued")
        self.assertEqual(resumed.level_id, self.level2)

    def test_a_pause_of_zero_days_pauses_nothing_and_negative_days_are_refused(self):
        self.policy.reply_pause_days = 0
        self._receive(self._email("Could you send me a copy of the contract?"))
        self.assertFalse(self.customer.dunning_pause_until)
        with self.assertRaisesRegex(ValidationError, "Test reminders.*between 0"):
            self.policy.reply_pause_days = -1

    def test_a_longer_pause_already_set_is_kept(self):
        self.customer.write(
            {"dunning_pause_until": "2025-08-01", "dunning_pause_reason": "hardship"}
        )
        self._receive(self._email("Could you send me a copy of the contract?"))
        self.assertEqual(self.customer.dunning_pause_until, date(2025, 8, 1))
        self.assertEqual(self.customer.dunning_pause_reason, "hardship")

    def test_confirming_a_promise_records_it_and_it_holds_dunning(self):
        reply = self._receive(self._email("We will pay on July 15, 2025."))
        self.assertEqual(reply.kind, "promise")
        # The collector corrects the date before confirming.
        with Form(reply.with_user(self.collector)) as form:
            form.promised_date = date(2025, 7, 10)
        reply.with_user(self.collector).action_confirm_promise()

        promise = reply.promise_id
        self.assertEqual(promise.date_promised, date(2025, 7, 10))
        self.assertEqual(promise.amount, 1200.50, "no amount given: what the reminder claims")
        self.assertEqual(promise.move_ids, self.invoice)
        self.assertEqual(promise.communication_id, self.reminder)
        self.assertEqual(promise.state, "open")
        self.assertEqual(reply.state, "done")
        self.assertFalse(reply.activity_ids)

        # After the reply's pause, the promise still holds the invoice: nothing to send.
        held = self._run("2025-06-27")
        self.assertFalse(held.communication_ids.filtered(lambda c: c.state == "queued"))
        self.assertEqual(self.invoice.dunning_level_id, self.level1)

    def test_a_promise_dated_in_the_past_is_refused_with_the_fix(self):
        reply = self._receive(self._email("We will pay on July 15, 2025."))
        reply.promised_date = date(2025, 6, 1)
        with self.assertRaisesRegex(Exception, "Acme Corp.*between today"):
            reply.action_confirm_promise()
        self.assertFalse(self.env["dunning.promise"].search([]))

    def test_an_auto_reply_by_its_header_changes_nothing(self):
        reply = self._receive(
            self._email(
                "Thank you for your message.",
                headers={"Auto-Submitted": "auto-replied", "X-Autoreply": "yes"},
            )
        )
        self.assertEqual(reply.kind, "auto_reply")
        self.assertIn("auto-submitted", reply.matched.lower())
        self._assert_nothing_changed(reply)

    def test_an_out_of_office_text_changes_nothing(self):
        reply = self._receive(
            self._email("I am out of office until Monday 30 June with limited access to email.")
        )
        self.assertEqual(reply.kind, "auto_reply")
        self._assert_nothing_changed(reply)

    def _assert_nothing_changed(self, reply):
        self.assertEqual(reply.state, "done")
        self.assertFalse(reply.activity_ids)
        self.assertFalse(self.customer.dunning_pause_until)
        self.assertFalse(reply.paused_until)
        # The schedule is kept: the next level goes out on its day.
        self.assertEqual(self._run("2025-06-26").communication_ids.level_id, self.level2)

    # ------------------------------------------------------------ the gateway

    def test_a_reply_to_a_plan_email_is_linked_to_it(self):
        wizard = Form(
            self.env["dunning.payment.plan.wizard"].with_context(
                active_model="account.move", active_ids=self.invoice.ids
            )
        )
        wizard.installment_count = 2
        wizard.first_due_date = fields.Date.to_date("2025-07-10")
        plan = self.env["dunning.payment.plan"].browse(wizard.save().action_create()["res_id"])
        plan.action_propose()
        plan_email = self.env["dunning.communication"].search([("plan_id", "=", plan.id)])
        self.assertEqual(plan_email.plan_event, "proposal")

        reply = self._receive(
            self._email("Could you spread it over three months?", reminder=plan_email)
        )
        self.assertEqual(reply.communication_id, plan_email)
        self.assertEqual(reply.partner_id, self.customer)
        self.assertEqual(reply._reminder_invoices(), self.invoice)

    def test_an_answer_further_down_the_thread_is_still_linked_to_its_reminder(self):
        # The collector answered from the chatter; the customer answers that answer.
        answer = self.customer.message_post(body="Which contract?", message_type="comment")
        raw = self._email("The one of March, thanks.")
        raw = raw.replace(
            f"In-Reply-To: {self.reminder.mail_message_id.message_id}",
            f"In-Reply-To: {answer.message_id}",
        ).replace(
            f"References: {self.reminder.mail_message_id.message_id}",
            f"References: {self.reminder.mail_message_id.message_id} {answer.message_id}",
        )
        reply = self._receive(raw)
        self.assertEqual(reply.communication_id, self.reminder)

    def test_the_same_email_twice_is_one_reply(self):
        raw = self._email("Could you send me a copy of the contract?")
        self._receive(raw)
        self._receive(raw)
        self.assertEqual(len(self._replies()), 1)
        # And the recording itself is idempotent, whoever calls it again.
        reply = self._replies()
        again = (
            self.env["dunning.reply"]
            .sudo()
            ._record_from_gateway(
                None,
                {
                    "message_id": reply.message_id.message_id,
                    "in_reply_to": self.reminder.mail_message_id.message_id,
                    "references": "",
                },
            )
        )
        self.assertEqual(again, reply)
        self.assertEqual(len(self._replies()), 1)

    def test_an_email_that_answers_no_reminder_is_not_a_reply(self):
        message = self.customer.message_post(body="A note", message_type="comment")
        raw = self._email("Hello").replace(
            self.reminder.mail_message_id.message_id, message.message_id
        )
        self.env["mail.thread"].message_process(None, raw)
        self.assertFalse(self._replies())

    def test_hostile_content_is_kept_and_shown_as_plain_text(self):
        html = (
            "<p>We will pay <b>soon</b></p><script>alert('x')</script>"
            '<img src=x onerror="alert(\'y\')"><a href="javascript:alert(1)">click</a>'
            "<p>&lt;script&gt;document.cookie&lt;/script&gt;</p>"
        )
        reply = self._receive(
            self._email("We will pay soon <script>alert('x')</script>", html=html, quoted=False)
        )
        self.assertTrue(reply)
        self.assertNotIn("<b>", reply.excerpt)
        self.assertNotIn("onerror", reply.excerpt)
        self.assertIn("We will pay", reply.excerpt)
        # What looked like markup in the text stays text, in a plain-text field.
        self.assertIn("<script>document.cookie</script>", reply.excerpt)
        self.assertEqual(reply._fields["excerpt"].type, "text", "never rendered as markup")

    def test_a_huge_reply_is_read_in_bounded_time(self):
        text = "We will pay on July 15, 2025. " + ("blah " * 200_000)
        reply = self._receive(self._email(text, quoted=False))
        self.assertTrue(reply)
        self.assertLessEqual(len(reply.excerpt), 1000)

    def test_reminders_ask_for_replies_at_the_companys_catchall(self):
        alias_domain = self.env["mail.alias.domain"].create(
            {"name": "company.example.com", "catchall_alias": "catchall"}
        )
        self.env.company.alias_domain_id = alias_domain
        self._invoice(self.other_customer, 80.0, "2025-06-14")
        reminder = self._run("2025-06-21").communication_ids.filtered(
            lambda c: c.partner_id == self.other_customer
        )
        self.assertIn("catchall@company.example.com", reminder.mail_id.reply_to)

    def test_the_customers_data_export_holds_its_replies(self):
        self._receive(self._email("Could you send me a copy of the contract?"))
        exported = self.env["dunning.gdpr"]._export_data(self.customer)
        self.assertEqual(len(exported["replies"]), 1)
        self.assertIn("copy of the contract", exported["replies"][0]["text"])
        self.assertEqual(exported["replies"][0]["kind"], "other")

    def test_the_retention_job_forgets_what_the_customer_wrote(self):
        reply = self._receive(self._email("Could you send me a copy of the contract?"))
        self.env.company.dunning_retention_months = 1
        self.env["dunning.gdpr"]._anonymise(self.env.company, today=date(2025, 9, 1))
        self.assertFalse(reply.excerpt)
        self.assertFalse(reply.author_email)
        self.assertNotIn("contract", str(reply.message_id.body))
        self.assertEqual(reply.kind, "other", "what it was stays, for the reports")

    # ------------------------------------------------------------------ shown

    def test_it_shows_on_the_reminder_the_customer_and_the_worklist(self):
        reply = self._receive(self._email("Could you send me a copy of the contract?"))
        self.assertEqual(self.reminder.reply_ids, reply)
        self.assertEqual(self.reminder.reply_count, 1)
        self.assertEqual(self.customer.dunning_new_reply_count, 1)
        action = self.customer.action_view_dunning_replies()
        self.assertEqual(self.env["dunning.reply"].search(action["domain"]), reply)
        row = self.env["dunning.worklist"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((row.new_reply_count, row.last_reply_kind), (1, "other"))

        reply.action_done()
        self.customer.invalidate_recordset(["dunning_new_reply_count"])
        self.assertEqual(self.customer.dunning_new_reply_count, 0)
        self.env.invalidate_all()
        row = self.env["dunning.worklist"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(row.new_reply_count, 0)

    def test_a_reply_to_another_companys_reminder_stays_in_that_company(self):
        company_2 = self.setup_other_company()["company"]
        self.env["dunning.policy"].create(
            {
                "name": "Company 2 reminders",
                "company_id": company_2.id,
                "level_ids": [
                    Command.create(self._level_vals("C2 notice", 10, 5, "day", "formal", 0))
                ],
            }
        )
        invoice_2 = (
            self.env["account.move"]
            .with_company(company_2)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": "2025-06-01",
                    "invoice_payment_term_id": self.immediate.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Hosting", "quantity": 1, "price_unit": 50.0, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        invoice_2.action_post()
        reminder_2 = self._run("2025-06-20", company=company_2).communication_ids
        self.assertEqual(reminder_2.company_id, company_2)

        reply = self._receive(
            self._email("Could you send me a copy of the contract?", reminder=reminder_2)
        )
        self.assertEqual(reply.company_id, company_2)
        self.assertEqual(reply.communication_id, reminder_2)

        as_collector = self.env["dunning.reply"].with_user(self.collector)
        self.assertFalse(as_collector.search([]))
        with self.assertRaises(AccessError):
            as_collector.browse(reply.ids).read(["excerpt"])
        collector_2 = new_test_user(
            self.env,
            login="replies_collector_2",
            groups="odoo_automated_dunning.group_dunning_user",
            company_id=company_2.id,
            company_ids=[Command.set(company_2.ids)],
        )
        self.assertEqual(self.env["dunning.reply"].with_user(collector_2).search([]), reply)
