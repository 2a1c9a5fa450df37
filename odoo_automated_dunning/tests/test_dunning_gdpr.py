import base64
import json

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningGdpr(DunningCommon):
    def test_export_holds_reminders_promises_and_consent_of_that_customer_only(self):
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 999.0, "2025-06-01")
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
        self.assertNotIn("999", json.dumps(data), "nothing of another customer")
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

    def test_record_of_processing_follows_the_settings(self):
        self.env.company.dunning_retention_months = 24
        record = self.env.company.dunning_processing_record
        self.assertIn("24 months", record)
        self.assertIn("art. 21", record)
        self.env.company.dunning_retention_months = 0
        self.assertIn("no retention set", self.env.company.dunning_processing_record)
