import xml.etree.ElementTree as ET
from datetime import date, datetime

from odoo.tests import freeze_time, tagged

from .common import ACCOUNT_SID, AUTH_TOKEN, CALLER_ID, VoiceCommon


@tagged("post_install", "-at_install")
class TestVoiceCalls(VoiceCommon):
    """Calls placed with the provider, what they say, and the provider's status callbacks."""

    def setUp(self):
        super().setUp()
        self._allow_voice(self.debtor)
        self.invoice = self._invoice(self.debtor, 480.0, "2025-06-01")

    def test_call_is_placed_with_number_caller_id_and_callbacks(self):
        communication = self._voice_reminder(self.debtor, self.invoice)
        self.assertEqual((communication.state, communication.voice_status), ("sent", "pending"))
        self.assertFalse(self.twilio.calls(), "nothing is placed before the placement job")

        request = self._place(communication)

        self.assertEqual(request["path"], f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls.json")
        form = request["form"]
        self.assertEqual(form["To"], "+12025550123")
        self.assertEqual(form["From"], CALLER_ID)
        self.assertEqual(form["Url"], communication._voice_url("answer"))
        self.assertEqual(form["StatusCallback"], communication._voice_url("status"))
        self.assertEqual(form["MachineDetection"], "DetectMessageEnd")
        self.assertTrue(request["authorization"].startswith("Basic "))
        self.assertEqual(communication.voice_status, "queued")
        self.assertTrue(communication.voice_call_sid.startswith("CA"))
        self.assertEqual(communication.voice_attempts, 1)

    def test_a_person_hears_who_calls_the_amount_the_oldest_due_date_and_the_options(self):
        older = self._invoice(self.debtor, 20.0, "2025-05-15")
        communication = self._voice_reminder(self.debtor, self.invoice | older)
        self._place(communication)

        response = self._answer(communication, "human")

        self.assertEqual(response.status_code, 200)
        self.assertIn("text/xml", response.headers["Content-Type"])
        root = ET.fromstring(response.content)
        gather = root.find("Gather")
        self.assertEqual(gather.get("action"), communication._voice_url("gather"))
        say = gather.find("Say")
        self.assertEqual(say.get("language"), "en-US")
        text = say.text
        self.assertTrue(text.startswith("Hello, this is Northwind Credit"), text)
        self.assertIn("$\xa0500.00", text)
        self.assertIn("05/15/2025", text)  # the oldest due date, in the customer's format
        for option in ("Press 1", "Press 2", "Press 3", "Press 9"):
            self.assertIn(option, text)
        self.assertIn("+1 202 555 0199", text)  # the number to call back
        self.assertEqual(communication.body, text, "the reminder keeps what was said")
        self.assertEqual(communication.voice_answered_by, "human")
        self.assertIn("Said: Hello, this is Northwind Credit", communication.voice_log)

    def test_an_answering_machine_gets_the_limited_content_message_or_nothing(self):
        communication = self._voice_reminder(self.debtor, self.invoice)
        self._place(communication)

        root = ET.fromstring(self._answer(communication, "machine_end_beep").content)

        said = root.find("Say").text
        self.assertIn("Northwind Credit", said)
        self.assertIn("+1 202 555 0199", said)
        for disclosure in ("480", "overdue", "past due", "payment", "invoice"):
            self.assertNotIn(disclosure, said.lower())
        self.assertEqual(communication.voice_answered_by, "machine")

        self.level2.voice_voicemail = "none"
        silent = self._voice_reminder(self.debtor, self.invoice, level=self.level2)
        self._place(silent)
        root = ET.fromstring(self._answer(silent, "machine_end_silence").content)
        self.assertIsNone(root.find("Say"))
        self.assertIsNotNone(root.find("Hangup"))

    def test_status_callbacks_move_the_reminder_to_answered(self):
        communication = self._voice_reminder(self.debtor, self.invoice)
        self._place(communication)

        for status in ("initiated", "ringing", "in-progress"):
            self.assertEqual(self._callback(communication, status).status_code, 204)
            self.assertEqual(communication.voice_status, status)
        self._callback(communication, "completed", CallDuration="47", AnsweredBy="human")

        self.assertEqual(communication.state, "sent")
        self.assertEqual(communication.voice_status, "completed")
        self.assertEqual(communication.voice_duration, 47)
        self.assertEqual(communication.voice_outcome, "answered")
        self.assertEqual(communication.call_outcome, "reached", "a conversation for Regulation F")
        # A late "ringing" does not move a finished call back.
        self._callback(communication, "ringing")
        self.assertEqual(communication.voice_status, "completed")
        self.assertEqual(self.invoice.dunning_level_id, self.level1)

    def test_a_failed_call_fails_the_reminder_and_its_invoices_go_back(self):
        communication = self._voice_reminder(self.debtor, self.invoice)
        self._place(communication)

        self._callback(communication, "failed", ErrorMessage="Unreachable destination")

        self.assertEqual(communication.state, "failed")
        self.assertEqual(communication.voice_outcome, "failed")
        self.assertIn("Unreachable destination", communication.error_message)
        self.assertFalse(self.invoice.dunning_level_id, "the next run reminds it again")

    def test_no_answer_is_retried_once_the_same_day_then_fails(self):
        with freeze_time("2025-06-11 14:00:00"):
            communication = self._voice_reminder(self.debtor, self.invoice)
            self._place(communication)
            self._callback(communication, "no-answer")
            self.assertEqual(communication.voice_status, "pending")
            self.assertEqual(communication.scheduled_at, datetime(2025, 6, 11, 16, 0))
            self.assertEqual(communication.state, "sent")
            # Not before its time.
            self.env["dunning.communication"]._voice_place_due()
            self.assertEqual(len(self.twilio.calls()), 1)
        with freeze_time("2025-06-11 16:01:00"):
            second = self._place(communication)
            self.assertEqual(second["form"]["To"], "+12025550123")
            self.assertEqual(communication.voice_attempts, 2)
            self._callback(communication, "busy")
        self.assertEqual(communication.state, "failed")
        self.assertEqual(
            (communication.voice_status, communication.voice_outcome), ("busy", "no_answer")
        )
        self.assertFalse(self.invoice.dunning_level_id)

    def test_no_retry_after_the_contact_hours(self):
        self.env.company.write({"dunning_window_start": 8.0, "dunning_window_end": 21.0})
        # 19:30 in New York: two hours later the window has closed.
        with freeze_time("2025-06-11 23:30:00"):
            communication = self._voice_reminder(self.debtor, self.invoice)
            self._place(communication)
            self._callback(communication, "no-answer")
        self.assertEqual(communication.state, "failed")
        self.assertIn("not retried", communication.error_message)

    def test_a_call_outside_the_contact_hours_waits_for_them(self):
        self.env.company.write({"dunning_window_start": 9.0, "dunning_window_end": 17.0})
        # 06:00 in New York.
        with freeze_time("2025-06-11 10:00:00"):
            communication = self._voice_reminder(self.debtor, self.invoice)
            self.assertEqual(communication.scheduled_at, datetime(2025, 6, 11, 13, 0))
            self.env["dunning.communication"]._voice_place_due()
            self.assertFalse(self.twilio.calls())
        with freeze_time("2025-06-11 13:00:00"):
            self._place(communication)

    def test_forged_callbacks_change_nothing(self):
        communication = self._voice_reminder(self.debtor, self.invoice)
        self._place(communication)
        url = communication._voice_url("status")
        params = {
            "AccountSid": ACCOUNT_SID,
            "CallSid": communication.voice_call_sid,
            "CallStatus": "failed",
        }

        forged = [
            self._post_signed(url, params, token="not-the-token"),
            self._post_signed(url, params, signed_url=url + "?again=1"),
            self.url_open(url.replace(communication.get_base_url(), ""), data=params),
            self._post_signed(
                communication._voice_url("gather"),
                {"CallSid": communication.voice_call_sid, "Digits": "9"},
                token="not-the-token",
            ),
        ]

        self.assertEqual([r.status_code for r in forged], [403, 403, 403, 403])
        communication.invalidate_recordset()
        self.assertEqual((communication.state, communication.voice_status), ("sent", "queued"))
        self.assertFalse(communication.voice_key_press)
        self.assertFalse(self.env["dunning.consent"].search([("source", "=", "key_press")]))
        # A signed request about another call of the same reminder is refused too.
        other = self._post_signed(url, {**params, "CallSid": "CA" + "0" * 32}, token=AUTH_TOKEN)
        self.assertEqual(other.status_code, 403)
        communication.invalidate_recordset()  # else the cached "queued" could never fail
        self.assertEqual((communication.state, communication.voice_status), ("sent", "queued"))

    def test_gdpr_export_and_retention_cover_the_call(self):
        communication = self._voice_reminder(self.debtor, self.invoice)
        self._place(communication)
        self._answer(communication, "machine_end_beep")
        exported = self.env["dunning.gdpr"]._export_data(self.debtor)["communications"]
        self.assertIn("Voicemail left", exported[-1]["call_transcript"])
        self.assertIn("Northwind Credit", exported[-1]["voicemail_text"])
        self.assertIn("+12025550123", communication.log_message_id.body)

        self.env["dunning.gdpr"]._anonymise(self.env.company, today=date(2040, 1, 1))

        self.assertTrue(communication.anonymised)
        self.assertFalse(communication.voice_log or communication.voice_voicemail_text)
        self.assertFalse(communication.body or communication.recipient_address)
        self.assertNotIn("+12025550123", communication.log_message_id.body or "")

    def test_the_provider_refusing_the_call_fails_the_reminder(self):
        self.twilio.error = (
            400,
            {
                "code": 21211,
                "message": "The 'To' number is not a valid phone number.",
                "status": 400,
            },
        )
        try:
            communication = self._voice_reminder(self.debtor, self.invoice)
            self._place(communication)
        finally:
            self.twilio.error = None
        self.assertEqual(communication.state, "failed")
        self.assertIn("21211", communication.error_message)
        self.assertFalse(self.invoice.dunning_level_id)

    def test_signature_agrees_with_the_one_odoo_checks_for_twilio_sms(self):
        # sms_twilio's own implementation, as an independent reference for ours.
        from odoo.addons.sms_twilio.tools.sms_twilio import (  # noqa: PLC0415
            generate_twilio_sms_callback_signature,
            get_twilio_status_callback_url,
        )

        from ..tools import signature  # noqa: PLC0415

        params = {"SmsStatus": "delivered", "MessageSid": "SM1", "To": "+32486321321"}
        uuid = "0" * 32
        url = get_twilio_status_callback_url(self.env.company, uuid)
        self.assertEqual(
            signature.compute(AUTH_TOKEN, url, params),
            generate_twilio_sms_callback_signature(self.env.company, uuid, params),
        )

    @freeze_time("2025-06-11 14:00:00")
    def test_the_call_waits_while_the_customer_is_paused_or_disputes(self):
        paused = self._voice_reminder(self.debtor, self.invoice)
        self.debtor.dunning_pause_until = date(2025, 7, 1)
        self.env["dunning.communication"]._voice_place_due()
        self.assertEqual((paused.state, paused.skip_reason), ("skipped", "paused"))
        self.debtor.dunning_pause_until = False

        disputed = self._voice_reminder(self.debtor, self.invoice)
        self.invoice.dunning_dispute = True
        self.env["dunning.communication"]._voice_place_due()
        self.assertEqual(disputed.voice_status, "canceled")
        self.assertEqual(disputed.skip_reason, "disputed")
        self.assertFalse(self.twilio.calls())
