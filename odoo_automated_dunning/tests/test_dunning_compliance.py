from datetime import datetime

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@freeze_time("2025-06-30 00:00:00")  # a Monday, 02:00 in Paris, 17:00 the day before in L.A.
@tagged("post_install", "-at_install")
class TestDunningCompliance(DunningCommon):
    def _consent(self, partner, channel, status, source="backoffice"):
        return self.env["dunning.consent"].create(
            {"partner_id": partner.id, "channel": channel, "status": status, "source": source}
        )

    def test_the_ledger_is_append_only(self):
        entry = self._consent(self.customer, "email", "refused")
        with self.assertRaisesRegex(UserError, "append-only.*Acme Corp"):
            entry.status = "allowed"
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            entry.unlink()

    def test_a_refusal_by_any_contact_refuses_the_channel_for_the_customer(self):
        contact = self.env["res.partner"].create(
            {"name": "Acme AP", "parent_id": self.customer.id, "type": "invoice"}
        )
        self._consent(contact, "email", "refused", source="reply")
        self.assertEqual(self.customer.dunning_consent_email, "refused")
        self.assertEqual(self.customer.dunning_consent_letter, "allowed")
        self._invoice(self.customer, 100.0, "2025-06-01")

        run = self._run("2025-06-20")

        self.assertEqual(run.communication_ids.skip_reason, "refused")
        self.assertFalse(self._mails_to(self.customer), "no email against a refusal")
        # allowed again later: the latest entry wins
        self._consent(self.customer, "email", "allowed")
        self.assertEqual(self._run("2025-06-21").communication_ids.state, "queued")

    def test_refused_email_falls_back_to_a_letter(self):
        self.level1.channel_ids = [
            Command.clear(),
            Command.create({"channel": "email", "sequence": 1}),
            Command.create({"channel": "letter", "sequence": 2, "fallback": True}),
        ]
        self.customer.write(
            {"street": "1 Main St", "city": "Springfield", "country_id": self.env.ref("base.us").id}
        )
        self._consent(self.customer, "email", "refused")
        self._invoice(self.customer, 100.0, "2025-06-01")

        run = self._run("2025-06-20")

        self.assertEqual(run.communication_ids.channel, "letter")

    def test_an_objection_stops_every_channel(self):
        self._consent(self.customer, "sms", "objected")
        self.assertEqual(self.customer.dunning_consent_letter, "objected")
        self._invoice(self.customer, 100.0, "2025-06-01")

        run = self._run("2025-06-20")

        self.assertEqual(run.communication_ids.skip_reason, "objected")
        self.assertIn("Objected to processing: 1", run.skip_summary)

    def test_frequency_cap_holds_back_and_releases(self):
        self.env.company.write({"dunning_cap_count": 1, "dunning_cap_days": 10})
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        self._run("2025-06-08")  # level 1
        self.assertEqual(invoice.dunning_level_id, self.level1)

        held = self._run("2025-06-15")  # level 2 is due, but one email in 10 days already

        self.assertEqual(held.communication_ids.skip_reason, "capped")
        self.assertEqual(invoice.dunning_level_id, self.level1)
        self.assertEqual(self._run("2025-06-18").communication_ids.state, "queued", "10 days on")
        self.assertEqual(invoice.dunning_level_id, self.level2)

    def test_email_outside_contact_hours_leaves_at_the_next_opening(self):
        self.env.company.write({"dunning_window_start": 8.0, "dunning_window_end": 21.0})
        self.customer.tz = "Europe/Paris"  # 02:00 there: deferred to 08:00 = 06:00 UTC
        self.other_customer.tz = "America/Los_Angeles"  # 17:00 there: now
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 100.0, "2025-06-01")

        run = self._run("2025-06-29")

        paris = run.communication_ids.filtered(lambda c: c.partner_id == self.customer)
        self.assertEqual(paris.scheduled_at, datetime(2025, 6, 30, 6, 0))
        self.assertEqual(paris.mail_id.scheduled_date, datetime(2025, 6, 30, 6, 0))
        la = run.communication_ids - paris
        self.assertFalse(la.scheduled_at)
        self.assertEqual(la.mail_id.scheduled_date, datetime(2025, 6, 30, 0, 0))
        # The mail queue does not send the deferred one before its time.
        queued = self.env["mail.mail"].search(
            [("scheduled_date", "<=", datetime(2025, 6, 30, 0, 0)), ("state", "=", "outgoing")]
        )
        self.assertNotIn(paris.mail_id, queued)
        self.assertIn(la.mail_id, queued)

    @freeze_time("2025-06-28 12:00:00")  # a Saturday
    def test_calls_are_planned_on_the_next_open_day(self):
        self.env.company.write(
            {"dunning_window_start": 8.0, "dunning_window_end": 18.0, "dunning_weekdays_only": True}
        )
        self.level1.channel_ids = [Command.clear(), Command.create({"channel": "call"})]
        self.customer.write({"phone": "+32 2 123 45 67", "tz": "Europe/Brussels"})
        self._invoice(self.customer, 100.0, "2025-06-01")

        run = self._run("2025-06-28")

        self.assertEqual(str(run.communication_ids.activity_id.date_deadline), "2025-06-30")

    def test_contact_rules_refuse_nonsense(self):
        with self.assertRaisesRegex(ValidationError, "must start before it ends"):
            self.env.company.write({"dunning_window_start": 21.0, "dunning_window_end": 8.0})

    def test_sms_outside_contact_hours_waits_for_the_release_job(self):
        self.env.company.write({"dunning_window_start": 8.0, "dunning_window_end": 21.0})
        self.level1.write(
            {
                "sms_template_id": self.env.ref(
                    "odoo_automated_dunning.sms_template_dunning_friendly"
                ).id,
                "channel_ids": [Command.clear(), Command.create({"channel": "sms"})],
            }
        )
        self.customer.write({"phone": "+33 6 12 34 56 78", "tz": "Europe/Paris"})
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")

        sms = self._run("2025-06-29").communication_ids

        self.assertEqual(sms.state, "queued", "decided and rendered")
        self.assertEqual(invoice.dunning_level_id, self.level1)
        self.assertEqual(sms.scheduled_at, datetime(2025, 6, 30, 6, 0))
        self.assertFalse(sms.sms_id, "nothing in the SMS queue at 02:00 in Paris")
        communications = self.env["dunning.communication"]
        self.assertFalse(communications._cron_release_deferred())
        with freeze_time("2025-06-30 06:00:00"):
            released = communications._cron_release_deferred()
        self.assertEqual(released, sms)
        self.assertEqual(sms.sms_id.body, sms.body)
        self.assertEqual(sms.sms_id.number, "+33612345678")
        self.assertFalse(communications._cron_release_deferred(), "released once")

    @freeze_time("2025-04-20 12:00:00")  # Easter Sunday
    def test_public_holidays_of_the_customers_country_are_closed_days(self):
        self.env.company.write(
            {
                "dunning_window_start": 8.0,
                "dunning_window_end": 21.0,
                "dunning_closed_on_holidays": True,
            }
        )
        self.customer.write({"tz": "Europe/Brussels", "country_id": self.env.ref("base.be").id})
        self.other_customer.write({"tz": "Europe/Berlin", "country_id": self.env.ref("base.us").id})
        self._invoice(self.customer, 100.0, "2025-04-01")
        self._invoice(self.other_customer, 100.0, "2025-04-01")

        run = self._run("2025-04-20")

        belgian = run.communication_ids.filtered(lambda c: c.partner_id == self.customer)
        # Easter Sunday and Easter Monday are Belgian holidays: Tuesday 08:00 in Brussels.
        self.assertEqual(belgian.scheduled_at, datetime(2025, 4, 22, 6, 0))
        us = run.communication_ids - belgian
        # Easter is no US federal holiday: 14:00 on that Sunday is inside the hours.
        self.assertFalse(us.scheduled_at)

    def test_a_country_can_have_its_own_contact_hours(self):
        self.env.company.write(
            {
                "dunning_window_start": 8.0,
                "dunning_window_end": 21.0,
                "dunning_contact_window_ids": [
                    Command.create(
                        {
                            "country_id": self.env.ref("base.be").id,
                            "start": 9.0,
                            "end": 18.0,
                            "note": "Company practice for Belgium",
                        }
                    )
                ],
            }
        )
        # 00:00 UTC is 02:00 in Brussels and in Paris.
        self.customer.write({"tz": "Europe/Brussels", "country_id": self.env.ref("base.be").id})
        self.other_customer.write({"tz": "Europe/Paris", "country_id": self.env.ref("base.fr").id})
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 100.0, "2025-06-01")

        run = self._run("2025-06-29")

        scheduled = {c.partner_id: c.scheduled_at for c in run.communication_ids}
        self.assertEqual(scheduled[self.customer], datetime(2025, 6, 30, 7, 0), "09:00 Brussels")
        self.assertEqual(scheduled[self.other_customer], datetime(2025, 6, 30, 6, 0), "08:00 Paris")
        with self.assertRaisesRegex(ValidationError, "Contact hours for Belgium must start"):
            self.env.company.dunning_contact_window_ids.end = 7.0


@freeze_time("2025-06-30 12:00:00")
@tagged("post_install", "-at_install")
class TestDunningContactRules(DunningCommon):
    """Legal presets, frequency rules per debt and after a conversation, and the manual path."""

    def test_presets_set_the_rules_of_a_jurisdiction_and_keep_the_users_own(self):
        company = self.env.company
        own = self.env["dunning.cap.rule"].create(
            {"name": "Our own: one letter a week", "channel": "letter", "count": 1, "days": 7}
        )
        company.dunning_preset = "us_collector"
        company.action_dunning_apply_preset()
        self.assertEqual((company.dunning_window_start, company.dunning_window_end), (8.0, 21.0))
        reg_f = company.dunning_cap_rule_ids.filtered(lambda r: "Regulation F" in r.name)
        self.assertEqual(
            (reg_f.channel, reg_f.count, reg_f.days, reg_f.per_debt, reg_f.quiet_days),
            ("call", 7, 7, True, 7),
        )
        self.assertEqual(reg_f.country_id, self.env.ref("base.us"))
        massachusetts = company.dunning_cap_rule_ids.filtered(lambda r: "Massachusetts" in r.name)
        self.assertEqual(massachusetts.state_id, self.env.ref("base.state_us_34"))
        company.dunning_preset = "de"
        company.action_dunning_apply_preset()
        self.assertEqual(company.dunning_cap_rule_ids, own, "the preset's rules go, ours stay")
        self.assertTrue(company.dunning_weekdays_only)
        self.assertTrue(company.dunning_closed_on_holidays)
        self.assertEqual(company.dunning_window_end, 20.0)
        company.dunning_preset = False
        with self.assertRaises(UserError):
            company.action_dunning_apply_preset()

    def _call_level(self):
        for level in (self.level1, self.level2):
            level.channel_ids = [Command.clear(), Command.create({"channel": "call"})]
        self.customer.write({"phone": "+1 617 555 0100", "country_id": self.env.ref("base.us").id})

    def test_regulation_f_no_call_within_seven_days_after_a_conversation(self):
        self.env.company.dunning_preset = "us_collector"
        self.env.company.action_dunning_apply_preset()
        self.env.company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})
        self._call_level()
        self._invoice(self.customer, 100.0, "2025-06-01")
        call = self._run("2025-06-20").communication_ids
        self.assertEqual(call.channel, "call")
        wizard = self.env["dunning.call.outcome.wizard"].browse(
            call.action_call_outcome()["res_id"]
        )
        wizard.write({"outcome": "reached", "note": "Talked to AP, will check."})
        with freeze_time("2025-06-25 12:00:00"):
            wizard.action_confirm()

        held = self._run("2025-06-30").communication_ids  # level 2 due, 5 days after talking
        self.assertEqual((held.decision, held.skip_reason), ("held_back", "capped"))
        self.assertIn("call: Regulation F", held.decision_note)
        self.assertEqual(
            self.env["dunning.communication"].search([("decision", "=", "held_back")]), held
        )
        with freeze_time("2025-07-03 12:00:00"):
            self.assertEqual(self._run("2025-07-03").communication_ids.state, "sent")

    def test_massachusetts_two_contacts_in_seven_days_per_debt(self):
        self.env.company.dunning_preset = "us_creditor"
        self.env.company.action_dunning_apply_preset()
        self.env.company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})
        self.level1.write({"delay": 1})
        self.level2.write({"delay": 2, "delay_unit": "day", "minimum_gap_days": 0})
        self.level3.write({"delay": 3, "delay_unit": "day", "minimum_gap_days": 0})
        us = self.env.ref("base.us")
        self.customer.write({"country_id": us.id, "state_id": self.env.ref("base.state_us_34").id})
        self.other_customer.write(
            {"country_id": us.id, "state_id": self.env.ref("base.state_us_5").id}
        )
        for partner in (self.customer, self.other_customer):
            self._invoice(partner, 100.0, "2025-06-01")
        self._run("2025-06-02")
        self._run("2025-06-03")
        third = self._run("2025-06-04")
        decisions = {c.partner_id: c for c in third.communication_ids}
        self.assertEqual(decisions[self.customer].decision, "held_back")
        self.assertIn("Massachusetts", decisions[self.customer].decision_note)
        self.assertEqual(decisions[self.other_customer].decision, "sent", "California: no cap")
        # A week after the first of the two, the Massachusetts customer gets its third level.
        self.assertEqual(self._run("2025-06-10").communication_ids.decision, "sent")

    def test_a_manual_send_obeys_refusal_pause_dispute_and_contact_hours(self):
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        self.env["dunning.consent"].create(
            {"partner_id": self.customer.id, "channel": "email", "status": "refused"}
        )
        run = self.env["dunning.run"].browse(self.customer.action_dunning_send_now()["res_id"])
        self.assertEqual(run.partner_ids, self.customer)
        self.assertEqual(run.communication_ids.skip_reason, "refused")
        self.assertFalse(self._mails_to(self.customer))

        self.env["dunning.consent"].create(
            {"partner_id": self.customer.id, "channel": "email", "status": "allowed"}
        )
        self.customer.dunning_pause_until = "2025-07-15"
        run = self.env["dunning.run"].browse(self.customer.action_dunning_send_now()["res_id"])
        self.assertEqual(run.communication_ids.skip_reason, "paused")

        self.customer.dunning_pause_until = False
        invoice.dunning_dispute = True
        run = self.env["dunning.run"].browse(self.customer.action_dunning_send_now()["res_id"])
        self.assertFalse(run.communication_ids, "a disputed invoice is never dunned")
        self.assertEqual(run.excluded_count, 1)

        invoice.dunning_dispute = False
        self.env.company.write({"dunning_cap_count": 1, "dunning_cap_days": 10})
        self._run("2025-06-25")  # the daily run reminded the customer five days ago
        run = self.env["dunning.run"].browse(self.customer.action_dunning_send_now()["res_id"])
        self.assertEqual(run.communication_ids.decision, "held_back", "the cap counts every path")
        self.assertIn("Company cap", run.communication_ids.decision_note)

        self.env.company.write({"dunning_cap_count": 0})
        invoice.write({"dunning_level_id": False, "dunning_last_date": False})
        self.env.company.write({"dunning_window_start": 8.0, "dunning_window_end": 12.0})
        self.customer.tz = "Europe/Brussels"  # 14:00 there: after the window
        self._invoice(self.other_customer, 100.0, "2025-06-01")
        run = self.env["dunning.run"].browse(self.customer.action_dunning_send_now()["res_id"])
        self.assertEqual(run.communication_ids.partner_id, self.customer, "only this customer")
        self.assertEqual(run.communication_ids.decision, "deferred")
        self.assertEqual(run.communication_ids.mail_id.scheduled_date, datetime(2025, 7, 1, 6, 0))
