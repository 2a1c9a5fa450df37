import base64

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import file_open

from .common import DunningCommon
from .test_dunning_channels import pdf_text

RATE_FILES = "odoo_automated_dunning/tests/rate_files/"


@freeze_time("2023-12-31")
@tagged("post_install", "-at_install")
class TestDunningCharges(DunningCommon):
    """Fees, compensation and interest billed with reminders, under a jurisdiction's rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rule_sets = {
            code: cls.env.ref(f"odoo_automated_dunning.rule_set_{code}")
            for code in ("eu", "de", "fr", "uk", "nl", "be", "none")
        }
        cls.usd = cls.env.company.currency_id
        cls.eur = cls.setup_other_currency("EUR")  # 2 EUR for 1 company unit since 2017
        # 0.8 GBP for 1 company unit, 0.9 from 1 September 2023: EUR 1 = GBP 0.45 from then.
        cls.gbp = cls.setup_other_currency("GBP", rates=[("2017-01-01", 0.8), ("2023-09-01", 0.9)])
        cls.policy.active = False
        cls.charging = cls.env["dunning.policy"].create(
            {
                "name": "Charging",
                "rule_set_id": cls.rule_sets["eu"].id,
                "level_ids": [
                    Command.create(
                        {
                            **cls._level_vals("First", 10, 1, "day", "friendly", 0),
                            "fee_amount": 5.0,
                            "charge_compensation": True,
                            "charge_interest": True,
                        }
                    ),
                    Command.create(
                        {
                            **cls._level_vals("Second", 20, 1, "month", "persuasive", 1),
                            "fee_amount": 10.0,
                            "charge_compensation": True,
                            "charge_interest": True,
                        }
                    ),
                ],
            }
        )
        cls.first, cls.second = cls.charging.level_ids.sorted("sequence")

    def _run(self, date, company=None):
        """A run whose mails the mail server then accepts: charges are billed once a
        reminder reached the customer."""
        run = super()._run(date, company)
        with self._smtp_server():
            self._send_mail_queue()
        return run

    def _charges(self, run, kind=None):
        charges = run.communication_ids.charge_ids
        return charges.filtered(lambda c: c.kind == kind) if kind else charges

    def test_fee_compensation_and_interest_are_billed_and_shown_in_the_reminder(self):
        invoice = self._invoice(self.customer, 10000.0, "2023-05-15")

        run = self._run("2023-09-30")

        communication = run.communication_ids
        self.assertEqual(communication.state, "sent")
        fee = self._charges(run, "fee")
        # The level's fee and the compensation are in the law's currency (EUR 5, EUR 40),
        # converted into the invoice's (company currency) at 2 EUR per unit.
        self.assertEqual((fee.state, fee.amount, fee.currency_id), ("charged", 2.5, self.usd))
        compensation = self._charges(run, "compensation")
        self.assertEqual((compensation.amount, compensation.source_move_id), (20.0, invoice))
        interest = self._charges(run, "interest").sorted("period_start")
        # Rates fixed per half-year: ECB 2.50 + 8 on 1 Jan 2023, ECB 4.00 + 8 on 1 Jul 2023.
        # 10,000 x 10.5% x 46/365 = 132.33 and 10,000 x 12% x 92/365 = 302.47.
        self.assertEqual(
            [(str(c.period_start), str(c.period_end), c.days, c.rate, c.amount) for c in interest],
            [
                ("2023-05-16", "2023-06-30", 46, 10.5, 132.33),
                ("2023-07-01", "2023-09-30", 92, 12.0, 302.47),
            ],
        )
        fees_move = fee.charge_move_id
        self.assertEqual(fees_move, compensation.charge_move_id)
        self.assertEqual(fees_move.state, "posted")
        self.assertEqual(fees_move.amount_total, 22.5)
        self.assertEqual(fees_move.partner_id, self.customer)
        note = interest.charge_move_id
        self.assertEqual(len(note), 1)
        self.assertEqual(note.state, "posted")
        self.assertEqual(note.amount_total, 434.80)
        self.assertEqual(len(note.invoice_line_ids), 1, "one line per overdue invoice")
        self.assertIn(invoice.name, note.invoice_line_ids.name)
        self.assertIn("46 days at 10.50%", note.invoice_line_ids.name)
        self.assertIn("05/16/2023 to 06/30/2023", note.invoice_line_ids.name)
        body = self._mails_to(self.customer).body_html
        self.assertIn("Reminder fee", body)
        self.assertIn("302.47", body)
        self.assertIn("20.00", body)
        # 10,000 + fee 2.50 + compensation 20 + interest 434.80.
        self.assertEqual(communication.total_with_charges_display, "$\xa010,457.30")
        self.assertIn("10,457.30", body)

    def test_interest_is_never_charged_twice_for_a_period(self):
        self._invoice(self.customer, 10000.0, "2023-05-15")
        self._run("2023-09-30")

        run = self._run("2023-10-31")

        interest = self._charges(run, "interest")
        # Only October: 10,000 x 12% x 31/365 = 101.92; no second compensation.
        self.assertEqual(
            [(str(c.period_start), str(c.period_end), c.amount) for c in interest],
            [("2023-10-01", "2023-10-31", 101.92)],
        )
        self.assertFalse(self._charges(run, "compensation"))
        self.assertEqual(self._charges(run, "fee").amount, 5.0, "EUR 10 at 2 EUR per unit")
        # The first reminder's fee invoice and interest note are listed but bear no interest.
        listed = run.communication_ids.line_ids.move_id
        self.assertEqual(len(listed), 3)
        self.assertEqual(interest.source_move_id.dunning_charge_ids, self.env["dunning.charge"])

    def test_partial_payment_splits_the_interest(self):
        invoice = self._invoice(self.customer, 10000.0, "2023-05-15")
        self._pay(invoice, amount=4000.0, date="2023-08-15")

        run = self._run("2023-09-30")

        interest = self._charges(run, "interest").sorted("period_start")
        # 10,000 to 30 Jun at 10.5% (132.33), 10,000 to 15 Aug at 12% (46 days: 151.23),
        # then 6,000 at 12% (46 days: 90.74).
        self.assertEqual(
            [(c.period_end.isoformat(), c.amount) for c in interest],
            [("2023-06-30", 132.33), ("2023-08-15", 151.23), ("2023-09-30", 90.74)],
        )
        self.assertEqual(interest.charge_move_id.amount_total, 374.30)

    def test_german_default_causing_reminder_is_not_charged(self):
        self.charging.rule_set_id = self.rule_sets["de"]
        self._invoice(self.customer, 1000.0, "2023-05-15")

        run = self._run("2023-06-01")

        fee = self._charges(run, "fee")
        self.assertEqual((fee.state, fee.amount), ("not_charged", 0.0))
        self.assertIn("Germany", fee.reason)
        self.assertIn("Germany", run.communication_ids.charge_note)
        self.assertFalse(fee.charge_move_id)
        self.assertNotIn("Reminder fee", self._mails_to(self.customer).body_html)
        # The second reminder may be charged.
        second = self._charges(self._run("2023-06-20"), "fee")
        self.assertEqual((second.state, second.amount), ("charged", 5.0), "EUR 10 in dollars")

    def test_french_consumer_is_charged_no_compensation(self):
        consumer = self._customer("Jean Dupont", "jean@example.fr", is_company=False)
        self.charging.rule_set_id = self.rule_sets["fr"]
        self._invoice(consumer, 500.0, "2023-05-15")

        run = self._run("2023-06-01")

        communication = run.communication_ids
        self.assertEqual(communication.state, "sent")
        self.assertFalse(communication.billed_charge_ids)
        compensation = self._charges(run, "compensation")
        self.assertEqual(compensation.state, "not_charged")
        self.assertIn("France", communication.charge_note)
        self.assertFalse(communication.charge_ids.charge_move_id)

    def test_rule_set_follows_the_customers_country(self):
        self.charging.write({"rule_set_id": self.rule_sets["eu"].id, "rule_set_by_country": True})
        self.customer.country_id = self.env.ref("base.de")
        self._invoice(self.customer, 1000.0, "2023-05-15")

        fee = self._charges(self._run("2023-06-01"), "fee")

        self.assertEqual(fee.rule_set_id, self.rule_sets["de"])
        self.assertEqual(fee.state, "not_charged")

    def test_charges_stay_draft_for_review_when_the_policy_says_so(self):
        self.charging.post_charges = False
        self._invoice(self.customer, 1000.0, "2023-05-15")
        run = self._run("2023-06-01")
        self.assertEqual(
            set(run.communication_ids.charge_ids.charge_move_id.mapped("state")), {"draft"}
        )

    def test_waiver_credits_the_fee_invoice_and_keeps_the_reason(self):
        self._invoice(self.customer, 10000.0, "2023-05-15")
        run = self._run("2023-09-30")
        fees_move = self._charges(run, "fee").charge_move_id
        note = self._charges(run, "interest").charge_move_id

        self.env["dunning.waive.wizard"].create(
            {"move_ids": (fees_move | note).ids, "reason": "Long-standing customer, first delay"}
        ).action_confirm()

        self.assertEqual(fees_move.payment_state, "reversed")
        self.assertEqual(note.payment_state, "reversed")
        credit_note = self.env["account.move"].search([("reversed_entry_id", "=", fees_move.id)])
        self.assertEqual((credit_note.move_type, credit_note.state), ("out_refund", "posted"))
        self.assertEqual(credit_note.amount_total, 22.5)
        waived = run.communication_ids.charge_ids.filtered("charge_move_id")
        self.assertEqual(set(waived.mapped("state")), {"waived"})
        self.assertEqual(
            set(waived.mapped("waiver_reason")), {"Long-standing customer, first delay"}
        )
        self.assertEqual(waived.waived_by_id, self.env.user)
        # Waived interest is not charged again for the same period.
        later = self._charges(self._run("2023-10-31"), "interest")
        self.assertEqual(later.period_start.isoformat(), "2023-10-01")

    def test_only_managers_waive(self):
        self._invoice(self.customer, 1000.0, "2023-05-15")
        fees_move = self._charges(self._run("2023-06-01"), "fee").charge_move_id
        clerk = self.env["res.users"].create(
            {
                "name": "Clerk",
                "login": "dunning_clerk",
                "group_ids": [
                    Command.set(self.env.ref("odoo_automated_dunning.group_dunning_user").ids)
                ],
            }
        )
        wizard = self.env["dunning.waive.wizard"].create(
            {"move_ids": fees_move.ids, "reason": "no"}
        )
        with self.assertRaises(UserError):
            wizard.with_user(clerk).action_confirm()
        self.assertEqual(fees_move.payment_state, "not_paid")

    def test_interest_note_on_demand_for_an_invoice_paid_late(self):
        invoice = self._invoice(self.customer, 10000.0, "2023-05-15")
        self._pay(invoice, date="2023-06-30")
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

        wizard = self.env["dunning.interest.note.wizard"].create(
            {"partner_id": self.customer.id, "date": "2023-12-31", "policy_id": self.charging.id}
        )
        self.assertEqual(wizard.move_ids, invoice)
        action = wizard.action_confirm()

        note = self.env["account.move"].browse(action["res_id"])
        # 16 May to 30 Jun, 46 days at 10.5% on 10,000.
        self.assertEqual(note.amount_total, 132.33)
        self.assertEqual(note.state, "posted")
        self.assertEqual(note.dunning_charge_ids.source_move_id, invoice)
        # Asking again charges nothing more.
        with self.assertRaises(UserError):
            self.env["dunning.interest.note.wizard"].create(
                {
                    "partner_id": self.customer.id,
                    "date": "2023-12-31",
                    "policy_id": self.charging.id,
                }
            ).action_confirm()

    def test_no_interest_note_while_the_customer_is_paused(self):
        self._invoice(self.customer, 10000.0, "2023-05-15")
        self.customer.write(
            {"dunning_pause_until": "2024-02-29", "dunning_pause_reason": "breathing_space"}
        )
        wizard = self.env["dunning.interest.note.wizard"].create(
            {"partner_id": self.customer.id, "date": "2023-12-31", "policy_id": self.charging.id}
        )
        with self.assertRaisesRegex(UserError, "Acme Corp is paused until 2024-02-29"):
            wizard.action_confirm()
        self.assertFalse(self.env["dunning.charge"].search([("partner_id", "=", self.customer.id)]))

    def test_dutch_consumer_owes_collection_costs_only_after_the_14_day_letter(self):
        consumer = self._customer("Anna de Vries", "anna@example.nl", is_company=False)
        self.charging.rule_set_id = self.rule_sets["nl"]
        self._invoice(consumer, 1000.0, "2023-05-15")

        first = self._run("2023-06-01")  # this reminder states the exact amount: the letter

        costs = self._charges(first, "compensation")
        self.assertEqual(costs.state, "not_charged")
        self.assertIn("Netherlands", costs.reason)
        fee = self._charges(first, "fee")
        self.assertEqual(fee.state, "not_charged", "no reminder fee for Dutch consumers")
        self.assertEqual(self._charges(first, "interest").state, "not_charged")

        # Received 2 June, 14 days to pay: costs from 17 June, by the WIK scale on the debt in
        # euros (1,000 company units = EUR 2,000): 15% = EUR 300, billed as 150 company units.
        later = self._run("2023-06-17")
        costs = self._charges(later, "compensation")
        self.assertEqual((costs.state, costs.amount), ("charged", 150.0))
        self.assertIn("WIK", costs.reason)

    def test_a_new_version_of_the_rules_applies_from_its_date(self):
        self.rule_sets["eu"].copy({"date_from": "2023-09-01", "margin": 9.0})
        self._invoice(self.customer, 10000.0, "2023-05-15")

        interest = self._charges(self._run("2023-09-30"), "interest").sorted("period_start")

        self.assertEqual(interest.rule_set_id.margin, 9.0)
        self.assertEqual(interest.mapped("rate"), [11.5, 13.0])

    # ------------------------------------------------------ one currency per reminder

    def _german_law_reminders(self, customer, currency, amount=6000.0):
        """Under German law: the first reminder (30 Sep: compensation and interest, no fee)
        and the second (31 Oct: the fee)."""
        self.charging.rule_set_id = self.rule_sets["de"]
        invoice = self._invoice(customer, amount, "2023-05-15", currency=currency)
        return invoice, self._run("2023-09-30"), self._run("2023-10-31")

    def _letter_text(self, communication):
        report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        with self.allow_pdf_render():
            pdf, _type = report._render_qweb_pdf(
                "odoo_automated_dunning.dunning_letter_report", communication.ids
            )
        return pdf_text(pdf)

    def _assert_one_currency(self, text, symbol):
        """Every amount of the rendered text is in ``symbol``: no other currency appears."""
        others = {"$", "\u20ac", "\xa3"} - {symbol}
        self.assertIn(symbol, text)
        self.assertFalse([sign for sign in others if sign in text], text)

    def test_german_law_in_a_usd_company_bills_and_shows_every_charge_in_eur(self):
        self.env["res.lang"]._activate_lang("de_DE")
        customer = self._customer(
            "Müller GmbH",
            "ap@mueller.example.de",
            lang="de_DE",
            country_id=self.env.ref("base.de").id,
        )

        invoice, first, second = self._german_law_reminders(customer, self.eur)

        charges = self._charges(first) | self._charges(second)
        self.assertEqual(charges.currency_id, self.eur)
        self.assertEqual(charges.filtered("amount").charge_move_id.currency_id, self.eur)
        compensation = self._charges(first, "compensation")
        self.assertEqual((compensation.amount, compensation.source_move_id), (40.0, invoice))
        # Base rate 1.62 + 9 to 30 June, 3.12 + 9 from 1 July: 6,000 x 10.62% x 46/365 = 80.30,
        # 6,000 x 12.12% x 92/365 = 183.29.
        interest = self._charges(first, "interest").sorted("period_start")
        self.assertEqual(interest.mapped("amount"), [80.30, 183.29])
        fee = self._charges(second, "fee")
        self.assertEqual((fee.amount, fee.currency_id), (10.0, self.eur), "EUR 10, not USD")
        self.assertEqual(fee.charge_move_id.currency_id, self.eur)
        # The reminder: 6,000 + 40 + 80.30 + 183.29, in euros only, rates in German.
        reminder = first.communication_ids
        self.assertEqual(reminder.total_with_charges_display, "6.303,59\xa0€")
        body = reminder.body
        self._assert_one_currency(body, "\u20ac")
        self.assertIn("6.303,59", body)
        self.assertIn("10,62\xa0%", body)
        self.assertIn("16.05.2023", body)
        self._assert_one_currency(second.communication_ids.body, "\u20ac")
        self.assertIn("12,12\xa0%", interest.charge_move_id.invoice_line_ids.name)
        letter = self._letter_text(reminder)
        self._assert_one_currency(letter, "\u20ac")
        self.assertIn("6.303,59", letter)
        self.assertRegex(letter, r"12,12\s?%")

    def test_gbp_invoice_converts_the_law_amounts_at_the_run_date(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        customer = self._customer(
            "Dupont SARL",
            "compta@dupont.example.fr",
            lang="fr_FR",
            country_id=self.env.ref("base.fr").id,
        )

        _invoice, first, second = self._german_law_reminders(customer, self.gbp, amount=5000.0)

        charges = self._charges(first) | self._charges(second)
        self.assertEqual(charges.currency_id, self.gbp)
        self.assertEqual(charges.filtered("amount").charge_move_id.currency_id, self.gbp)
        # EUR 40 and EUR 10 at the rate of each run date: EUR 1 = GBP 0.45 (0.40 before
        # 1 September 2023).
        self.assertEqual(self._charges(first, "compensation").amount, 18.0)
        self.assertEqual(self._charges(second, "fee").amount, 4.5)
        # Interest on the pound amount: 5,000 x 10.62% x 46/365 = 66.92, x 12.12% x 92/365 =
        # 152.75.
        self.assertEqual(
            self._charges(first, "interest").sorted("period_start").mapped("amount"),
            [66.92, 152.75],
        )
        reminder = first.communication_ids
        self.assertRegex(reminder.total_with_charges_display, r"^£\s?5\D?237,67$")
        self._assert_one_currency(reminder.body, "\xa3")
        self.assertIn("10,62\xa0%", reminder.body)
        self._assert_one_currency(second.communication_ids.body, "\xa3")
        letter = self._letter_text(second.communication_ids)
        self._assert_one_currency(letter, "\xa3")
        self.assertRegex(letter, r"4,50")

    # -------------------------------------------------------------- missing rates

    def test_missing_rate_sends_the_reminder_without_interest_and_asks_a_manager(self):
        self.charging.rule_set_id = self.rule_sets["de"]
        rates = self.env["dunning.reference.rate"]
        rates.search([("reference", "=", "de_base"), ("date", "=", "2023-07-01")]).unlink()
        self._invoice(self.customer, 1000.0, "2023-05-15")
        self._invoice(self.other_customer, 2000.0, "2023-05-15")

        run = self._run("2023-09-30")

        reminders = run.communication_ids
        self.assertEqual(reminders.mapped("state"), ["sent", "sent"])
        self.assertEqual(len(self._mails_to(self.customer)), 1)
        interest = self._charges(run, "interest")
        self.assertEqual(set(interest.mapped("state")), {"not_charged"})
        self.assertFalse(interest.charge_move_id, "no interest note")
        self.assertEqual(
            {(c.missing_rate_reference, c.missing_rate_date.isoformat()) for c in interest},
            {("de_base", "2023-07-01")},
        )
        self.assertEqual(set(self._charges(run, "compensation").mapped("state")), {"charged"})
        for reminder in reminders:
            self.assertIn("no Bundesbank base rate is known for 07/01/2023", reminder.charge_note)
        self.assertIn("Bundesbank base rate", run.missing_rate_note)
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "dunning.reference.rate"), ("summary", "like", "2023-07-01")]
        )
        self.assertEqual(len(activities), 1, "one per missing rate and date, not per reminder")
        self.assertEqual(
            activities.summary, "Enter the Bundesbank base rate in force on 2023-07-01"
        )
        self.assertTrue(
            activities.user_id.has_group("odoo_automated_dunning.group_dunning_manager")
        )
        # The next run while the rate is still missing asks nobody again.
        self._run("2023-10-31")
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [("res_model", "=", "dunning.reference.rate"), ("summary", "like", "2023-07-01")]
            ),
            1,
        )

        # An interest note asked for meanwhile is refused with the same reason.
        note_vals = {
            "partner_id": self.customer.id,
            "date": "2023-12-31",
            "policy_id": self.charging.id,
        }
        with self.assertRaisesRegex(UserError, "no Bundesbank base rate is known for 07/01/2023"):
            self.env["dunning.interest.note.wizard"].create(note_vals).action_confirm()

        # Once entered, the days not charged are charged: from the day after the due date.
        rates.create({"reference": "de_base", "date": "2023-07-01", "rate": 3.12})
        action = self.env["dunning.interest.note.wizard"].create(note_vals).action_confirm()
        note = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(
            min(note.dunning_charge_ids.mapped("period_start")).isoformat(), "2023-05-16"
        )

    def test_a_deleted_seed_rate_stays_deleted_on_module_update(self):
        rates = self.env["dunning.reference.rate"]
        seeded = rates.search([("reference", "=", "de_base"), ("date", "=", "2025-07-01")])
        self.assertTrue(seeded)
        seeded.unlink()
        rates._load_seed()  # what every module update runs
        self.assertFalse(rates.search([("reference", "=", "de_base"), ("date", "=", "2025-07-01")]))
        # A row shipped later (not yet added to this database) still arrives.
        params = self.env["ir.config_parameter"].sudo()
        key = "odoo_automated_dunning.seeded_reference_rates"
        params.set_param(key, params.get_param(key).replace("de_base@2026-01-01", ""))
        rates.search([("reference", "=", "de_base"), ("date", "=", "2026-01-01")]).unlink()
        rates._load_seed()
        self.assertEqual(
            rates.search([("reference", "=", "de_base"), ("date", "=", "2026-01-01")]).rate, 1.27
        )

    def test_a_rate_file_of_each_format_imports(self):
        rates = self.env["dunning.reference.rate"]

        def rate_on(reference, day):
            return rates.search([("reference", "=", reference), ("date", "=", day)]).rate

        rates.search(
            [
                "|",
                "|",
                "&",
                ("reference", "=", "de_base"),
                ("date", ">=", "2025-07-01"),
                "&",
                ("reference", "=", "boe_base"),
                ("date", "=", "2025-12-18"),
                "&",
                ("reference", "=", "ecb_mro"),
                ("date", "=", "2025-06-11"),
            ]
        ).unlink()
        rates.search([("reference", "=", "ecb_mro"), ("date", "=", "2025-04-23")]).rate = 2.5
        expected = {
            "bundesbank_BBK01.SU0115.csv": ("Bundesbank BBK01.SU0115: 2 new rate(s), 0 corrected"),
            "boe_IUDBEDR.csv": "Bank of England IUDBEDR: 1 new rate(s), 0 corrected",
            "ecb_MRR_FR_sdmx.csv": "ECB FM.B.U2.EUR.4F.KR.MRR_FR.LEV: 1 new rate(s), 1 corrected",
            "ecb_MRR_FR_portal.csv": "ECB FM.B.U2.EUR.4F.KR.MRR_FR.LEV: 0 new rate(s), 0 corrected",
        }
        for name, message in expected.items():
            with file_open(RATE_FILES + name, "rb") as rate_file:
                content = base64.b64encode(rate_file.read())
            wizard = self.env["dunning.rate.import.wizard"].create(
                {"file": content, "filename": name}
            )
            params = wizard.action_import()["params"]
            self.assertEqual(params["type"], "success")
            self.assertIn(message, params["message"], name)

        self.assertEqual(rate_on("de_base", "2025-07-01"), 1.27)
        self.assertEqual(rate_on("de_base", "2026-01-01"), 1.27)
        self.assertEqual(rate_on("boe_base", "2025-12-18"), 3.75)
        self.assertEqual(rate_on("ecb_mro", "2025-06-11"), 2.15)
        self.assertEqual(rate_on("ecb_mro", "2025-04-23"), 2.4, "the official file corrects")
        self.assertIn("Imported from", rates.search([("date", "=", "2025-12-18")]).note)

        wrong = self.env["dunning.rate.import.wizard"].create(
            {"file": base64.b64encode(b"name,amount\nAcme,12\n"), "filename": "clients.csv"}
        )
        with self.assertRaisesRegex(UserError, "clients.csv cannot be imported"):
            wrong.action_import()
