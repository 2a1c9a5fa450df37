import base64
import json
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningGdpr(DunningCommon):
    def test_export_holds_reminders_promises_and_consent_of_that_customer_only(self):
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        other_invoice = self._invoice(self.other_customer, 999.0, "2025-06-01")
        self._run("2025-06-20")
        self.env["dunning.consent"].create(
            {"partner_id": self.customer.id, "channel": "sms", "status": "refused"}
        )

        action = self.customer.action_dunning_gdpr_export()

        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
        )
        by_type = {a.mimetype: a for a in attachments}
        json_file = by_type["application/json"]
        self.assertEqual(action["url"], f"/web/content/{json_file.id}?download=true")
        data = json.loads(base64.b64decode(by_type["application/json"].datas))
        self.assertEqual(data["customer"]["email"], "billing@acme.example.com")
        (reminder,) = data["communications"]
        self.assertEqual(reminder["address_used"], "billing@acme.example.com")
        self.assertEqual(reminder["invoices"][0]["invoice"], invoice.name)
        self.assertIn(invoice.name, reminder["body"])
        self.assertEqual(data["consent"][0]["status"], "refused")
        self.assertNotIn("Globex", json.dumps(data), "nothing of another customer")
        self.assertNotIn(other_invoice.name, json.dumps(data))
        csv_text = base64.b64decode(by_type["text/csv"].datas).decode()
        self.assertEqual(
            csv_text.splitlines()[0], "date,channel,state,level,address_used,subject,total,currency"
        )
        self.assertIn("billing@acme.example.com", csv_text)

    def test_export_needs_a_dunning_user(self):
        billing = self.env["res.users"].create(
            {
                "name": "Billy",
                "login": "billy",
                "group_ids": [Command.set([self.env.ref("account.group_account_invoice").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.customer.with_user(billing).action_dunning_gdpr_export()

    def test_retention_removes_texts_and_numbers_but_keeps_amounts(self):
        self.level1.write(
            {
                "sms_template_id": self.env.ref(
                    "odoo_automated_dunning.sms_template_dunning_friendly"
                ).id,
                "channel_ids": [
                    Command.clear(),
                    Command.create({"channel": "email", "sequence": 1}),
                    Command.create({"channel": "sms", "sequence": 2}),
                ],
            }
        )
        self.customer.phone = "+32 470 12 34 56"
        self._invoice(self.customer, 100.0, "2022-01-01")
        old = self._run("2022-01-20").communication_ids
        recent_invoice = self._invoice(self.other_customer, 50.0, "2025-06-01")
        recent = self._run("2025-06-20").communication_ids.filtered(
            lambda c: c.partner_id == self.other_customer
        )
        self.env.company.dunning_retention_months = 36

        self.env["dunning.gdpr"]._cron_retention()

        self.assertTrue(all(old.mapped("anonymised")))
        self.assertFalse(any(old.mapped("body")))
        self.assertFalse(any(old.mapped("recipient_address")))
        sms = old.filtered(lambda c: c.channel == "sms").sms_id
        self.assertEqual((sms.body, sms.number), (False, False))
        self.assertEqual(old.mapped("amount_total"), [100.0, 100.0], "amounts stay")
        self.assertFalse(recent.anonymised)
        self.assertIn(recent_invoice.name, recent.body)
        self.assertIn(recent_invoice.name, recent.mail_message_id.body, "recent chatter stays")

    def test_retention_leaves_no_copy_of_an_old_reminder_anywhere(self):
        """Email (with the invoice attached), letter, SMS and call of one old reminder: after
        the job no chatter message, mail, SMS, attachment or call task names its invoice,
        address or number; the amounts, dates, levels and states stay."""
        self.env.company.external_report_layout_id = self.env.ref("web.external_layout_standard")
        self.level1.write(
            {
                "attach_invoices": True,
                "sms_template_id": self.env.ref(
                    "odoo_automated_dunning.sms_template_dunning_friendly"
                ).id,
                "channel_ids": [Command.clear()]
                + [
                    Command.create({"channel": channel, "sequence": rank})
                    for rank, channel in enumerate(("email", "letter", "sms", "call"))
                ],
            }
        )
        self.customer.write(
            {
                "phone": "+32 470 12 34 56",
                "street": "Rue de la Loi 16",
                "zip": "1000",
                "city": "Bruxelles",
                "country_id": self.env.ref("base.be").id,
            }
        )
        invoice = self._invoice(self.customer, 100.0, "2022-01-01")
        run = (
            self.env["dunning.run"]
            .with_context(force_report_rendering=True)
            .create({"date": "2022-01-20", "company_id": self.env.company.id})
        )
        with self.allow_pdf_render():
            run.action_run()
        old = run.communication_ids
        by_channel = {c.channel: c for c in old}
        self.assertEqual(set(old.mapped("state")), {"queued", "sent"})
        # The mail server refused the mail, quoting the address, as servers do.
        refusal = "550 5.1.1 <billing@acme.example.com>: mailbox unknown"
        email = by_channel["email"]
        with self._smtp_server(refusal):
            self._send_mail_queue()
        self.assertIn("billing@acme.example.com", email.error_message)
        self.assertIn("mailbox unknown", email.mail_message_id.notification_ids.failure_reason)
        # The collector's call outcome names the invoice too.
        call = by_channel["call"]
        action = call.action_call_outcome()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        wizard.write({"outcome": "reached", "note": f"Will pay {invoice.name} next week"})
        wizard.action_confirm()
        # Every copy exists before the job: the test looks where they are.
        self.assertIn(invoice.name, email.mail_message_id.body)
        self.assertTrue(email.mail_message_id.attachment_ids, "the invoice PDF on the mail")
        self.assertTrue(by_channel["letter"].letter_attachment_id)
        for channel in ("letter", "sms", "call"):
            self.assertIn(invoice.name, by_channel[channel].log_message_id.body, channel)
        self.assertIn(invoice.name, call.activity_id.note)
        states = old.mapped("state")
        recent_invoice = self._invoice(self.other_customer, 50.0, "2025-06-01")
        # Only the other customer: a recent reminder of the old invoice would rightly keep it.
        recent_run = self.env["dunning.run"].create(
            {"date": "2025-06-20", "partner_ids": [Command.set(self.other_customer.ids)]}
        )
        recent_run.action_run()
        recent = recent_run.communication_ids
        self.env.company.dunning_retention_months = 36

        self.env["dunning.gdpr"]._cron_retention()

        self.env.invalidate_all()
        traces = (
            invoice.name,
            "billing@acme.example.com",
            "Rue de la Loi",
            "470 12 34 56",
            "+32470123456",
        )
        for trace in traces:
            messages = self.env["mail.message"].search(
                [
                    ("model", "!=", "account.move"),  # the invoice's own chatter
                    "|",
                    ("body", "ilike", trace),
                    ("subject", "ilike", trace),
                ]
            )
            self.assertFalse(messages, f"{trace}: {messages.mapped(lambda m: (m.model, m.body))}")
            self.assertFalse(
                self.env["mail.notification"].search([("failure_reason", "ilike", trace)]), trace
            )
            self.assertFalse(
                self.env["mail.mail"].search(
                    [
                        "|",
                        "|",
                        ("body_html", "ilike", trace),
                        ("email_to", "ilike", trace),
                        ("failure_reason", "ilike", trace),
                    ]
                ),
                trace,
            )
            self.assertFalse(
                self.env["sms.sms"].search(
                    ["|", ("body", "ilike", trace), ("number", "ilike", trace)]
                ),
                trace,
            )
            self.assertFalse(
                self.env["mail.activity"]
                .with_context(active_test=False)
                .search(
                    [
                        "|",
                        "|",
                        ("note", "ilike", trace),
                        ("feedback", "ilike", trace),
                        ("summary", "ilike", trace),
                    ]
                ),
                trace,
            )
            self.assertFalse(
                self.env["dunning.communication"].search(
                    [
                        "|",
                        "|",
                        "|",
                        ("body", "ilike", trace),
                        ("subject", "ilike", trace),
                        ("recipient_address", "ilike", trace),
                        ("error_message", "ilike", trace),
                    ]
                ),
                trace,
            )
        # No file of the reminder is left: letters, PDFs of the mail (the invoice keeps its own).
        self.assertFalse(
            self.env["ir.attachment"].search(
                [
                    ("res_model", "!=", "account.move"),
                    "|",
                    ("name", "ilike", invoice.name.replace("/", "_")),
                    ("res_model", "=", "dunning.communication"),
                ]
            )
        )
        self.assertFalse(
            self.env["ir.attachment"].search(
                [
                    ("res_model", "=", "mail.message"),
                    ("res_id", "in", (old.mail_message_id | old.log_message_id).ids),
                ]
            )
        )
        self.assertTrue(all(old.mapped("anonymised")))
        self.assertEqual(old.mapped("amount_total"), [100.0] * 4, "amounts stay")
        self.assertEqual(old.mapped("state"), states, "states stay")
        self.assertEqual(old.level_id, self.level1, "levels stay")
        self.assertEqual(set(old.mapped("date")), {date(2022, 1, 20)}, "dates stay")
        self.assertEqual(call.call_outcome, "reached")
        self.assertEqual(invoice.dunning_level_id, self.level1)
        # The recent reminder of another customer keeps every copy.
        self.assertFalse(recent.anonymised)
        self.assertIn(recent_invoice.name, recent.mail_message_id.body)
        self.assertEqual(recent.mail_id.body_html, recent.body)

    def test_record_of_processing_follows_the_settings(self):
        self.env.company.dunning_retention_months = 24
        record = self.env.company.dunning_processing_record
        self.assertIn("24 months", record)
        self.assertIn("art. 21", record)
        self.env.company.dunning_retention_months = 0
        self.assertIn("no retention set", self.env.company.dunning_processing_record)
