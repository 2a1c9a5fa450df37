import xml.etree.ElementTree as ET
from datetime import date

from odoo.tests import freeze_time, tagged

from .common import VoiceCommon


@freeze_time("2025-06-11 14:00:00")
@tagged("post_install", "-at_install")
class TestVoiceKeys(VoiceCommon):
    """Each key a customer presses during the call does what the call says it does."""

    def setUp(self):
        super().setUp()
        self._allow_voice(self.debtor)
        self.invoice = self._invoice(self.debtor, 480.0, "2025-06-01")
        self.call = self._voice_reminder(self.debtor, self.invoice)
        self._place(self.call)
        self._answer(self.call)

    def _said(self, response):
        self.assertEqual(response.status_code, 200)
        return " ".join(say.text for say in ET.fromstring(response.content).iter("Say"))

    def test_1_sends_the_pay_link_by_sms(self):
        said = self._said(self._press(self.call, "1"))

        sms = self.env["sms.sms"].search([("partner_id", "=", self.debtor.id)])
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.number, "+12025550123")
        self.assertIn(f"/my/invoices/{self.invoice.id}?access_token=", sms.body)
        self.assertIn("$\xa0480.00", sms.body)
        self.assertIn("text message", said)
        self.assertEqual(self.call.voice_key_press, "1")

    def test_1_sends_the_pay_link_by_email_when_sms_is_refused(self):
        self.env["dunning.consent"].create(
            {"partner_id": self.debtor.id, "channel": "sms", "status": "refused"}
        )
        said = self._said(self._press(self.call, "1"))

        self.assertFalse(self.env["sms.sms"].search([("partner_id", "=", self.debtor.id)]))
        mail = self._mails_to(self.debtor)
        self.assertEqual(len(mail), 1)
        self.assertIn(f"/my/invoices/{self.invoice.id}?access_token=", mail.body_html)
        self.assertIn("email", said)

    def test_2_asks_the_collector_to_call_back(self):
        collector = self.env["res.users"].create(
            {"name": "Carla Collector", "login": "carla", "email": "carla@example.com"}
        )
        self.debtor.dunning_responsible_id = collector

        said = self._said(self._press(self.call, "2"))

        task = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.debtor.id)]
        )
        self.assertEqual(len(task), 1)
        self.assertEqual(task.user_id, collector)
        self.assertEqual(task.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(task.date_deadline, date(2025, 6, 11))
        self.assertIn("call you back", said)

    def test_3_records_a_promise_to_pay_in_seven_days(self):
        said = self._said(self._press(self.call, "3"))

        promise = self.env["dunning.promise"].search([("partner_id", "=", self.debtor.id)])
        self.assertEqual(len(promise), 1)
        self.assertEqual(promise.date_promised, date(2025, 6, 18))
        self.assertEqual(promise.amount, 480.0)
        self.assertEqual(promise.move_ids, self.invoice)
        self.assertEqual(promise.communication_id, self.call)
        self.assertEqual(promise.state, "open")
        self.assertIn("06/18/2025", said)
        self.assertEqual(self.call.call_outcome, "promise")
        # The effectiveness report counts the call and what the customer chose.
        self._callback(self.call, "completed", CallDuration="52")
        row = self.env["dunning.effectiveness.report"].search(
            [("communication_id", "=", self.call.id)]
        )
        self.assertEqual(
            (row.channel, row.voice_outcome, row.voice_key_press), ("voice", "answered", "3")
        )
        self.assertEqual(
            (row.voice_call_count, row.voice_answered_count, row.voice_promise_count), (1, 1, 1)
        )
        # Pressing again (or a replayed request) records nothing more.
        self._press(self.call, "3")
        self.assertEqual(
            self.env["dunning.promise"].search_count([("partner_id", "=", self.debtor.id)]), 1
        )

    def test_9_refuses_automated_calls_at_once_and_no_later_call_goes_out(self):
        waiting = self._voice_reminder(self.debtor, self.invoice, level=self.level2)

        said = self._said(self._press(self.call, "9"))

        entry = self.env["dunning.consent"].search(
            [("partner_id", "=", self.debtor.id), ("channel", "=", "voice")], limit=1
        )
        self.assertEqual((entry.status, entry.source), ("refused", "key_press"))
        self.assertIn(self.call.voice_call_sid, entry.evidence)
        self.assertIn("no more automated calls", said)
        self.assertEqual((waiting.state, waiting.voice_status), ("skipped", "canceled"))
        later = self._voice_reminder(self.debtor, self.invoice, level=self.level3)
        calls = len(self.twilio.calls())
        self.env["dunning.communication"]._voice_place_due()
        self.assertEqual(len(self.twilio.calls()), calls)
        self.assertEqual(later.skip_reason, "refused")

    def test_a_key_without_an_option_does_nothing(self):
        said = self._said(self._press(self.call, "7"))
        self.assertIn("not an option", said)
        self.assertFalse(self.call.voice_key_press)
