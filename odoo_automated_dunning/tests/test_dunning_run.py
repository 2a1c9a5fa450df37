from datetime import date
from unittest.mock import patch

from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import DunningCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningRun(DunningCommon):
    def test_first_reminder_emails_the_customer(self):
        invoice = self._invoice(self.customer, 1200.0, "2025-06-10")

        run = self._run("2025-06-20")

        self.assertEqual(run.state, "done")
        # Queued in Odoo's mail queue: sent once the mail server accepts it.
        self.assertEqual((run.queued_count, run.skipped_count, run.failed_count), (1, 0, 0))
        communication = run.communication_ids
        self.assertEqual(communication.partner_id, self.customer)
        self.assertEqual(communication.level_id, self.level1)
        self.assertEqual(communication.tone, "friendly")
        self.level1.tone = "formal"
        self.assertEqual(communication.tone, "friendly", "history keeps the tone that was sent")
        self.assertEqual(communication.amount_total, 1200.0)
        self.assertEqual(communication.line_ids.move_id, invoice)
        self.assertEqual(communication.line_ids.days_overdue, 10)
        self.assertEqual(invoice.dunning_level_id, self.level1)
        self.assertEqual(invoice.dunning_last_date, date(2025, 6, 20))
        self.assertEqual(invoice.dunning_communication_ids, communication)

        mail = self._mails_to(self.customer)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.state, "outgoing")
        self.assertIn("Payment reminder", mail.subject)
        self.assertIn(invoice.name, mail.body_html)
        self.assertIn("1,200.00", mail.body_html)
        self.assertIn(f"/my/invoices/{invoice.id}?access_token=", mail.body_html)
        # The message is on the customer's chatter.
        self.assertEqual((mail.model, mail.res_id), ("res.partner", self.customer.id))
        self.assertEqual(communication.mail_message_id, mail.mail_message_id)

    def test_not_yet_overdue_gets_nothing(self):
        self._invoice(self.customer, 100.0, "2025-06-20")
        # Due today is not overdue; 6 days late is before the first level's 7 days.
        self.assertFalse(self._run("2025-06-20").communication_ids)
        self.assertFalse(self._run("2025-06-26").communication_ids)
        self.assertTrue(self._run("2025-06-27").communication_ids)

    def test_levels_are_never_skipped_and_escalate_one_per_run(self):
        invoice = self._invoice(self.customer, 500.0, "2025-01-10")  # months overdue

        self._run("2025-06-01")
        self.assertEqual(invoice.dunning_level_id, self.level1)
        # The next day level 2 is old enough but its 5-day gap is not over.
        self.assertFalse(self._run("2025-06-02").communication_ids)
        self.assertEqual(invoice.dunning_level_id, self.level1)
        self.assertEqual(invoice.dunning_next_date, date(2025, 6, 6))
        self._run("2025-06-06")
        self.assertEqual(invoice.dunning_level_id, self.level2)
        self._run("2025-06-11")
        self.assertEqual(invoice.dunning_level_id, self.level3)
        # The last level is never sent again.
        self.assertFalse(self._run("2025-06-30").communication_ids)
        self.assertFalse(invoice.dunning_next_date)
        self.assertEqual(len(self._mails_to(self.customer)), 3)

    def test_running_twice_on_the_same_date_sends_nothing_twice(self):
        self._invoice(self.customer, 100.0, "2025-06-01")
        first = self._run("2025-06-20")
        second = self._run("2025-06-20")
        self.assertEqual(first.queued_count, 1)
        self.assertEqual(second.message_count, 0)
        self.assertFalse(second.communication_ids)
        self.assertEqual(len(self._mails_to(self.customer)), 1)

    def test_one_message_per_customer_in_the_highest_tone(self):
        old = self._invoice(self.customer, 300.0, "2025-05-01")
        self._run("2025-05-10")  # old gets level 1
        new = self._invoice(self.customer, 200.0, "2025-05-20")

        run = self._run("2025-05-30")

        communication = run.communication_ids
        self.assertEqual(len(communication), 1)
        self.assertEqual(communication.level_id, self.level2)
        self.assertEqual(communication.tone, "persuasive")
        lines = {line.move_id: line for line in communication.line_ids}
        self.assertEqual(lines[old].level_id, self.level2)
        self.assertEqual(lines[new].level_id, self.level1)
        self.assertEqual(communication.amount_total, 500.0)
        mail = self._mails_to(self.customer).filtered(lambda m: "Second reminder" in m.subject)
        self.assertIn(old.name, mail.body_html)
        self.assertIn(new.name, mail.body_html)
        # Each invoice has its own pay link that needs no login; no button to a login page.
        self.assertIn(f"/my/invoices/{old.id}?access_token=", mail.body_html)
        self.assertIn(f"/my/invoices/{new.id}?access_token=", mail.body_html)
        self.assertNotIn("Pay online", mail.body_html)

    def test_paid_invoices_are_never_dunned(self):
        paid = self._invoice(self.customer, 100.0, "2025-06-01")
        self._pay(paid, date="2025-06-05")
        self.assertIn(paid.payment_state, ("paid", "in_payment"))
        self.assertFalse(self._run("2025-06-20").communication_ids)

    def test_partial_payment_duns_the_residual(self):
        invoice = self._invoice(self.customer, 1000.0, "2025-06-01")
        self._pay(invoice, amount=400.0, date="2025-06-05")
        self.assertEqual(invoice.payment_state, "partial")

        communication = self._run("2025-06-20").communication_ids

        self.assertEqual(communication.amount_total, 600.0)
        self.assertEqual(communication.line_ids.amount_residual, 600.0)
        self.assertIn("600.00", self._mails_to(self.customer).body_html)

    def test_reversed_cancelled_and_draft_invoices_are_never_dunned(self):
        reversed_invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        reversed_invoice._reverse_moves(cancel=True)
        self.assertEqual(reversed_invoice.payment_state, "reversed")
        cancelled = self._invoice(self.customer, 100.0, "2025-06-01")
        cancelled.button_cancel()
        self._invoice(self.customer, 100.0, "2025-06-01", post=False)

        run = self._run("2025-06-20")

        self.assertFalse(run.communication_ids)
        self.assertFalse(run.invoice_count)

    def test_disputed_and_no_followup_invoices_are_excluded(self):
        disputed = self._invoice(self.customer, 100.0, "2025-06-01")
        excluded = self._invoice(self.other_customer, 100.0, "2025-06-01")
        excluded.no_followup = True
        self.env["dunning.dispute.wizard"].create(
            {"move_ids": disputed.ids, "reason": "Goods damaged"}
        ).action_confirm()
        self.assertTrue(disputed.dunning_dispute)

        run = self._run("2025-06-20")
        self.assertFalse(run.communication_ids)
        self.assertEqual(run.excluded_count, 2)

        disputed.action_dunning_resolve_dispute()
        run = self._run("2025-06-21")
        self.assertEqual(run.communication_ids.line_ids.move_id, disputed)

    def test_unreconciled_credit_note_covering_the_debt_skips_with_reason(self):
        self._invoice(self.customer, 300.0, "2025-06-01")
        credit_note = self._invoice(self.customer, 500.0, "2025-06-02", move_type="out_refund")
        self.assertEqual(credit_note.state, "posted")

        run = self._run("2025-06-20")

        communication = run.communication_ids
        self.assertEqual(communication.state, "skipped")
        self.assertEqual(communication.skip_reason, "credit_covers")
        self.assertIn("Credits cover", run.skip_summary)
        self.assertFalse(self._mails_to(self.customer))

    def test_unreconciled_payment_smaller_than_the_debt_still_duns(self):
        self._invoice(self.customer, 300.0, "2025-06-01")
        payment = self.env["account.payment"].create(
            {
                "amount": 100.0,
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.customer.id,
                "date": "2025-06-05",
            }
        )
        payment.action_post()
        communication = self._run("2025-06-20").communication_ids
        self.assertEqual(communication.state, "queued")

    def test_missing_email_and_blacklisted_address_are_skipped(self):
        no_email = self._customer("No Mail Ltd", False)
        blocked = self._customer("Blocked Ltd", "blocked@example.com")
        self.env["mail.blacklist"].create({"email": "blocked@example.com"})
        for partner in (no_email, blocked, self.customer):
            self._invoice(partner, 100.0, "2025-06-01")

        run = self._run("2025-06-20")

        reasons = {c.partner_id: (c.state, c.skip_reason) for c in run.communication_ids}
        self.assertEqual(reasons[no_email], ("skipped", "no_email"))
        self.assertEqual(reasons[blocked], ("skipped", "blacklisted"))
        self.assertEqual(reasons[self.customer], ("queued", False))
        self.assertEqual((run.queued_count, run.skipped_count), (1, 2))
        # Skipped customers are retried by the next run once fixed.
        no_email.email = "finally@example.com"
        next_run = self._run("2025-06-21").communication_ids
        self.assertEqual(next_run.filtered(lambda c: c.state == "queued").partner_id, no_email)
        self.assertEqual(next_run.filtered(lambda c: c.state == "skipped").partner_id, blocked)

    def test_invoice_contact_receives_the_reminder(self):
        contact = self.env["res.partner"].create(
            {
                "name": "Acme Accounts Payable",
                "parent_id": self.customer.id,
                "type": "invoice",
                "email": "ap@acme.example.com",
            }
        )
        self._invoice(self.customer, 100.0, "2025-06-01")
        communication = self._run("2025-06-20").communication_ids
        self.assertEqual(communication.partner_id, self.customer)
        self.assertEqual(communication.recipient_id, contact)
        self.assertEqual(self._mails_to(contact).mail_message_id, communication.mail_message_id)

    def test_paused_customer_is_skipped_until_the_pause_ends(self):
        self.customer.dunning_pause_until = "2025-06-20"
        self._invoice(self.customer, 100.0, "2025-06-01")
        self.assertEqual(self._run("2025-06-20").communication_ids.skip_reason, "paused")
        self.assertEqual(self._run("2025-06-21").communication_ids.state, "queued")

    def test_template_that_fails_to_render_fails_only_its_communication(self):
        broken = self.templates["friendly"].copy({"subject": "{{ object.no_such_field }}"})
        policy = self.env["dunning.policy"].create(
            {
                "name": "Broken",
                "sequence": 1,
                "partner_category_ids": [(0, 0, {"name": "Broken template"})],
                "level_ids": [
                    (
                        0,
                        0,
                        {
                            **self._level_vals("One", 1, 1, "day", "friendly", 0),
                            "mail_template_id": broken.id,
                        },
                    )
                ],
            }
        )
        self.customer.category_id = policy.partner_category_ids
        failing = self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 100.0, "2025-06-01")

        run = self._run("2025-06-20")

        states = {c.partner_id: c for c in run.communication_ids}
        self.assertEqual(states[self.customer].state, "failed")
        self.assertIn("no_such_field", states[self.customer].error_message)
        self.assertEqual(states[self.other_customer].state, "queued")
        self.assertFalse(failing.dunning_level_id, "a failed reminder must be retried next run")
        self.assertEqual(run.failed_count, 1)
        # Fixed template: the next run sends it.
        broken.subject = "Reminder"
        self.assertEqual(self._run("2025-06-21").communication_ids.state, "queued")
        self.assertEqual(failing.dunning_level_id, policy.level_ids)

    def test_foreign_currency_invoice_is_dunned_in_its_currency(self):
        currency = self.setup_other_currency("EUR")
        invoice = self._invoice(self.customer, 250.0, "2025-06-01", currency=currency)
        communication = self._run("2025-06-20").communication_ids
        self.assertEqual(communication.currency_id, currency)
        self.assertEqual(communication.amount_total, 250.0)
        # 250 EUR at the test rate of 2 EUR per company unit.
        self.assertEqual(communication.amount_company, 125.0)
        self.assertEqual(communication.line_ids.move_id, invoice)
        self.assertIn("250.00", self._mails_to(self.customer).body_html)

    def test_preview_sends_nothing(self):
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self._customer("No Mail", False), 100.0, "2025-06-01")
        run = self.env["dunning.run"].create({"date": "2025-06-20"})

        action = run.action_preview()

        preview = self.env["dunning.run.preview"].browse(action["res_id"])
        self.assertEqual((preview.send_count, preview.skip_count), (1, 1))
        sent = preview.line_ids.filtered(lambda line: line.action == "send")
        self.assertEqual(sent.invoice_ids, invoice)
        self.assertEqual(sent.level_id, self.level1)
        self.assertEqual(run.state, "draft")
        self.assertFalse(run.communication_ids)
        self.assertFalse(invoice.dunning_level_id)
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "res.partner")]))

    def test_a_mail_the_server_refuses_fails_the_reminder_and_is_sent_again_once(self):
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        first = self._run("2025-06-20")
        mail = first.communication_ids.mail_id
        # The mail queue hands it to a server that refuses the connection (a closed port on
        # this machine); the test runner blocks sending unless told otherwise.
        self.env["ir.mail_server"].create(
            {"name": "Down", "smtp_host": "127.0.0.1", "smtp_port": 9, "sequence": 0}
        )
        with (
            patch.object(type(self.env["ir.mail_server"]), "_disable_send", return_value=False),
            mute_logger(
                "odoo.addons.mail.models.mail_mail", "odoo.addons.base.models.ir_mail_server"
            ),
        ):
            mail.send()
        self.assertEqual(mail.state, "exception")
        self.assertEqual(first.communication_ids.state, "failed", "at once, without a run")
        self.assertIn("Connection refused", first.communication_ids.error_message)

        retry = self._run("2025-06-20")

        self.assertEqual(retry.communication_ids.state, "queued")
        self.assertEqual(retry.communication_ids.level_id, self.level1)
        self.assertEqual(invoice.dunning_level_id, self.level1)
        self.assertEqual(mail.state, "exception", "the refused mail itself is not sent again")
        self.assertEqual(
            len(self._mails_to(self.customer).filtered(lambda m: m.state == "outgoing")), 1
        )
        self.assertFalse(self._run("2025-06-20").communication_ids)

    def test_smart_buttons_open_the_reminders(self):
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 100.0, "2025-06-01")
        run = self._run("2025-06-20")
        mine = run.communication_ids.filtered(lambda c: c.partner_id == self.customer)

        self.assertEqual(self.customer.dunning_communication_count, 1)
        self.assertEqual(self.customer.dunning_level_id, self.level1)
        self.assertEqual(invoice.dunning_communication_count, 1)
        for action, expected in (
            (run.action_view_communications(), run.communication_ids),
            (invoice.action_view_dunning_communications(), mine),
            (self.customer.action_view_dunning_communications(), mine),
        ):
            self.assertEqual(self.env["dunning.communication"].search(action["domain"]), expected)

    def test_a_prepared_run_records_decisions_and_sends_them_on_request(self):
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        run = self.env["dunning.run"].create({"date": "2025-06-20", "prepare_only": True})
        run.action_run()
        communication = run.communication_ids
        self.assertEqual((communication.state, communication.level_id), ("draft", self.level1))
        self.assertFalse(self._mails_to(self.customer), "nothing leaves before review")
        self.assertFalse(invoice.dunning_level_id)
        run.action_send_prepared()
        self.assertEqual(communication.state, "queued")
        self.assertEqual(len(self._mails_to(self.customer)), 1)
        self.assertEqual(invoice.dunning_level_id, self.level1)
        run.action_send_prepared()
        self.assertEqual(len(self._mails_to(self.customer)), 1, "never twice")
