from datetime import datetime

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import VoiceCommon


@tagged("post_install", "-at_install")
class TestVoiceRuns(VoiceCommon):
    """Runs choose automated calls only where the law allows them: prior express consent,
    the contact hours, the frequency rules, no pause, dispute or refusal."""

    def setUp(self):
        super().setUp()
        # Call first; email only when the call may not be placed.
        self.level1.write(
            {
                "channel_ids": [
                    Command.clear(),
                    Command.create({"channel": "voice", "sequence": 1}),
                    Command.create({"channel": "email", "sequence": 2, "fallback": True}),
                ]
            }
        )
        self.level2.write(
            {"channel_ids": [Command.clear(), Command.create({"channel": "voice", "sequence": 1})]}
        )

    def _channels_sent(self, run):
        return {c.channel: c for c in run.communication_ids}

    def test_without_consent_no_call_goes_out_and_the_email_takes_over(self):
        self._invoice(self.debtor, 480.0, "2025-06-01")

        sent = self._channels_sent(self._run("2025-06-12"))

        self.assertEqual(list(sent), ["email"])
        self.assertIn("no prior express consent", sent["email"].decision_note)
        self.assertEqual(self.debtor.dunning_consent_voice, "none")
        self.env["dunning.communication"]._voice_place_due()
        self.assertFalse(self.twilio.calls())

    def test_a_recorded_consent_lets_the_run_call(self):
        self._allow_voice(self.debtor)
        self._invoice(self.debtor, 480.0, "2025-06-01")

        call = self._channels_sent(self._run("2025-06-12"))["voice"]

        self.assertEqual((call.state, call.voice_status), ("sent", "pending"))
        request = self._place(call)
        self.assertEqual(request["form"]["To"], "+12025550123")
        self.assertIn("$\xa0480.00", call.body)

    def test_us_preset_counts_the_number_given_for_the_debt_never_one_added_later(self):
        self.env.company.dunning_preset = "us_creditor"
        self.env.company.action_dunning_apply_preset()
        self.env.company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})
        self.assertTrue(self.env.company.dunning_voice_number_consent)
        given = self._invoice(self.debtor, 480.0, "2025-06-01")
        self.assertEqual(given.dunning_voice_number, "+12025550123")
        later = self._customer(
            "Late Number", "late@example.com", country_id=self.us.id, is_company=False
        )
        self._invoice(later, 300.0, "2025-06-01")
        later.phone = "+1 202 555 0177"  # added afterwards by a collector

        sent = self._run("2025-06-12").communication_ids

        self.assertEqual(sent.filtered(lambda c: c.partner_id == self.debtor).channel, "voice")
        self.assertEqual(sent.filtered(lambda c: c.partner_id == later).channel, "email")
        # The collector's number is never called, even when a reminder reaches the call job.
        self.assertEqual(len(self.env["dunning.communication"]._voice_place_due()), 1)
        self.assertEqual([r["form"]["To"] for r in self.twilio.calls()], ["+12025550123"])

    def test_eu_preset_keeps_automated_calls_off_without_a_recorded_consent(self):
        self.env.company.dunning_preset = "eu_gdpr"
        self.env.company.action_dunning_apply_preset()
        self.env.company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})
        self.assertFalse(self.env.company.dunning_voice_number_consent)
        self._invoice(self.debtor, 480.0, "2025-06-01")

        self.assertEqual(list(self._channels_sent(self._run("2025-06-12"))), ["email"])

    def test_a_refusal_by_key_press_stops_the_next_runs_calls(self):
        self._allow_voice(self.debtor)
        self._invoice(self.debtor, 480.0, "2025-06-01")
        call = self._channels_sent(self._run("2025-06-12"))["voice"]
        self._place(call)
        self._answer(call)
        self._press(call, "9")
        self.debtor.invalidate_recordset()
        self.assertEqual(self.debtor.dunning_consent_voice, "refused")

        held = self._run("2025-06-20").communication_ids  # level 2 calls only

        self.assertEqual((held.state, held.skip_reason), ("skipped", "refused"))
        self.env["dunning.communication"]._voice_place_due()
        self.assertEqual(len(self.twilio.calls()), 1)

    def test_regulation_f_holds_calls_after_a_conversation_with_the_automated_call(self):
        self.env.company.dunning_preset = "us_collector"
        self.env.company.action_dunning_apply_preset()
        self.env.company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})
        self._allow_voice(self.debtor)
        self._invoice(self.debtor, 480.0, "2025-06-01")
        with freeze_time("2025-06-12 15:00:00"):
            call = self._channels_sent(self._run("2025-06-12"))["voice"]
            self._place(call)
            self._callback(call, "completed", CallDuration="30", AnsweredBy="human")
        self.assertEqual(call.call_outcome, "reached")

        with freeze_time("2025-06-17 15:00:00"):
            held = self._run("2025-06-17").communication_ids  # level 2, 5 days after

        self.assertEqual((held.decision, held.skip_reason), ("held_back", "capped"))
        self.assertIn("voice: Regulation F", held.decision_note)

    def test_a_paused_customer_or_a_disputed_invoice_gets_no_call(self):
        self._allow_voice(self.debtor)
        invoice = self._invoice(self.debtor, 480.0, "2025-06-01")
        self.debtor.write({"dunning_pause_until": "2025-06-30", "dunning_pause_reason": "hardship"})

        paused = self._run("2025-06-12").communication_ids

        self.assertEqual((paused.state, paused.skip_reason), ("skipped", "paused"))
        self.debtor.dunning_pause_until = False
        invoice.dunning_dispute = True
        self.assertFalse(self._run("2025-06-13").communication_ids)
        self.env["dunning.communication"]._voice_place_due()
        self.assertFalse(self.twilio.calls())

    def test_a_run_outside_the_contact_hours_calls_when_they_open(self):
        self.env.company.write({"dunning_window_start": 9.0, "dunning_window_end": 17.0})
        self._allow_voice(self.debtor)
        self._invoice(self.debtor, 480.0, "2025-06-01")
        with freeze_time("2025-06-12 04:00:00"):  # midnight in New York
            call = self._channels_sent(self._run("2025-06-12"))["voice"]
            self.assertEqual(call.scheduled_at, datetime(2025, 6, 12, 13, 0))
            self.env["dunning.communication"]._voice_place_due()
            self.assertFalse(self.twilio.calls())
        with freeze_time("2025-06-12 13:05:00"):
            self._place(call)
