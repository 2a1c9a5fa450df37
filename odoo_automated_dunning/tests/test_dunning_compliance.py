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
        self.assertEqual(self._run("2025-06-21").communication_ids.state, "sent")

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
        self.assertEqual(self._run("2025-06-18").communication_ids.state, "sent", "10 days on")
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

        self.assertEqual(sms.state, "sent", "decided and rendered")
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
