from datetime import date, timedelta

from odoo import Command
from odoo.tests import freeze_time, new_test_user, tagged

from .common import DunningCommon

TODAY = date(2026, 6, 1)


@freeze_time("2026-06-01")
@tagged("post_install", "-at_install")
class TestDunningForecast(DunningCommon):
    """Predicted payment dates from real paid history, agreements, and the forecast report."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A year of monthly invoices, each paid through the payment register: Acme 30 days
        # after the due date, Globex the day after.
        for month in range(6, 15):
            issued = date(2025 + (month - 1) // 12, (month - 1) % 12 + 1, 1)
            late = cls._invoice(cls.customer, 1000.0, issued)
            cls._pay(late, date=issued + timedelta(days=30))
            prompt = cls._invoice(cls.other_customer, 1000.0, issued)
            cls._pay(prompt, date=issued + timedelta(days=1))
        cls.newcomer = cls._customer("Initech", "ap@initech.example.com")

    def _nightly(self, company=None):
        self.env["dunning.partner.behaviour"]._compute_for_company(company or self.env.company)

    def test_late_and_prompt_payers_are_predicted_at_their_habits(self):
        late = self._invoice(self.customer, 500.0, TODAY)
        overdue = self._invoice(self.customer, 700.0, TODAY - timedelta(days=7))
        prompt = self._invoice(self.other_customer, 500.0, TODAY)
        self.assertFalse(late.dunning_predicted_date, "nothing before the nightly job")

        self._nightly()

        # Within two days of each habit (30 days late; one day late), in the right order.
        self.assertLessEqual(abs((late.dunning_predicted_date - TODAY).days - 30), 2)
        self.assertLessEqual(abs((overdue.dunning_predicted_date - TODAY).days - 23), 2)
        self.assertLessEqual(abs((prompt.dunning_predicted_date - TODAY).days - 1), 2)
        self.assertLess(prompt.dunning_predicted_date, late.dunning_predicted_date)
        self.assertEqual(late.dunning_predicted_source, "history")
        # The worklist shows (and sorts by) the earliest predicted date of Acme's invoices.
        rows = self.env["dunning.worklist"].search(
            [("partner_id", "in", (self.customer | self.other_customer).ids)],
            order="next_predicted_date",
        )
        self.assertEqual(rows.partner_id, self.customer, "only Acme has an overdue invoice")
        self.assertEqual(rows.next_predicted_date, overdue.dunning_predicted_date)

    def test_a_promise_and_a_plan_installment_override_the_habit(self):
        promised = self._invoice(self.customer, 400.0, TODAY - timedelta(days=3))
        planned = self._invoice(self.customer, 1000.0, TODAY - timedelta(days=20))
        self.env["dunning.promise"].create(
            {
                "partner_id": self.customer.id,
                "date": TODAY,
                "date_promised": TODAY + timedelta(days=4),
                "currency_id": promised.currency_id.id,
                "amount": 400.0,
                "move_ids": promised.ids,
                "residual_at_promise": 400.0,
            }
        )
        wizard = self.env["dunning.payment.plan.wizard"].with_context(
            active_model="account.move", active_ids=planned.ids
        )
        plan = self.env["dunning.payment.plan"].browse(
            wizard.create(
                {
                    "installment_count": 2,
                    "frequency": "monthly",
                    "first_due_date": TODAY + timedelta(days=14),
                }
            ).action_create()["res_id"]
        )
        plan.action_activate()

        self._nightly()

        self.assertEqual(
            (promised.dunning_predicted_date, promised.dunning_predicted_source),
            (TODAY + timedelta(days=4), "promise"),
        )
        # 500 + 500: the invoice is paid off by the second installment, a month later.
        self.assertEqual(
            (planned.dunning_predicted_date, planned.dunning_predicted_source),
            (plan.installment_ids.sorted("due_date")[-1].due_date, "plan"),
        )
        self.assertEqual(planned.dunning_predicted_date, date(2026, 7, 15))

    def test_a_new_customer_falls_back_to_the_company_habit(self):
        new = self._invoice(self.newcomer, 300.0, TODAY)
        late = self._invoice(self.customer, 300.0, TODAY)
        prompt = self._invoice(self.other_customer, 300.0, TODAY)

        self._nightly()

        self.assertEqual(new.dunning_predicted_source, "company")
        self.assertLess(prompt.dunning_predicted_date, new.dunning_predicted_date)
        self.assertLess(new.dunning_predicted_date, late.dunning_predicted_date)

    def test_a_paid_invoice_loses_its_prediction_and_leaves_the_forecast(self):
        invoice = self._invoice(self.other_customer, 250.0, TODAY)
        self._nightly()
        self.assertTrue(invoice.dunning_predicted_date)

        self._pay(invoice, date=TODAY)

        self.assertFalse(invoice.dunning_predicted_date)
        self.assertFalse(invoice.dunning_predicted_source)
        report = self.env["dunning.forecast.report"]
        self.assertFalse(report.search([("move_id", "=", invoice.id)]))
        self._nightly()
        self.assertFalse(invoice.dunning_predicted_date)

    def test_forecast_groups_by_week_and_currency(self):
        eur = self.setup_other_currency("EUR")  # 2 EUR for 1 company unit
        usd = self.env.company.currency_id
        # Acme pays 30 days late: due today -> the week of 1 July; Globex the next day.
        self._invoice(self.customer, 1000.0, TODAY)
        self._invoice(self.customer, 600.0, TODAY, currency=eur)
        self._invoice(self.other_customer, 200.0, TODAY)
        self._invoice(self.other_customer, 400.0, TODAY, currency=eur)
        disputed = self._invoice(self.customer, 90.0, TODAY - timedelta(days=10))
        disputed._dunning_open_dispute("Wrong quantity", "phone")
        self._nightly()

        partners = (self.customer | self.other_customer).ids
        # Weeks as Odoo groups them, in the reader's calendar: Monday weeks in French.
        self.env["res.lang"]._activate_lang("fr_FR")
        groups = (
            self.env["dunning.forecast.report"]
            .with_context(lang="fr_FR")
            ._read_group(
                [("partner_id", "in", partners)],
                ["bucket", "predicted_date:week", "currency_id"],
                ["amount_residual:sum", "amount_company:sum"],
            )
        )
        table = {
            (bucket, week, currency.name): (amount, company)
            for bucket, week, currency, amount, company in groups
        }
        # Globex pays in this week (Monday 1 June), Acme about 30 days late: the week of
        # Monday 29 June; the disputed invoice has no prediction and a row of its own.
        first, last = date(2026, 6, 1), date(2026, 6, 29)
        self.assertEqual(
            table,
            {
                ("1_predicted", first, usd.name): (200.0, 200.0),
                ("1_predicted", first, "EUR"): (400.0, 200.0),
                ("1_predicted", last, usd.name): (1000.0, 1000.0),
                ("1_predicted", last, "EUR"): (600.0, 300.0),
                ("2_overdue", False, usd.name): (90.0, 90.0),
            },
        )

    def test_forecast_weeks_are_named_in_the_readers_language_in_date_order(self):
        # Predicted across the turn of the year: December's weeks before January's.
        for due, amount in ((date(2027, 1, 4), 300.0), (date(2026, 11, 30), 100.0)):
            self._invoice(self.newcomer, amount, due).dunning_predicted_date = due
        disputed = self._invoice(self.newcomer, 90.0, TODAY - timedelta(days=10))
        disputed._dunning_open_dispute("Wrong quantity", "phone")
        Report = self.env["dunning.forecast.report"]
        languages = self.env["res.lang"]
        languages._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["odoo_automated_dunning"], ["fr_FR"], overwrite=True
        )
        expected = {
            # English (US) weeks begin on Sunday, French ones on Monday.
            "en_US": ["Week of Nov 29, 2026", "Week of Jan 3, 2027"],
            "fr_FR": ["Semaine du 30 nov. 2026", "Semaine du 4 janv. 2027"],
        }
        for lang, weeks in expected.items():
            report = Report.with_context(lang=lang)
            groups = report.formatted_read_group(
                [("partner_id", "=", self.newcomer.id)],
                ["predicted_date:week"],
                ["amount_company:sum"],
            )
            self.assertEqual(
                [(group["predicted_date:week"] or [False, False])[1] for group in groups],
                [*weeks, False],
            )
            self.assertEqual([g["amount_company:sum"] for g in groups], [100.0, 300.0, 90.0])
            # The invoices without a prediction are one named row, after the weeks.
            label = report.fields_get(["predicted_date"])["predicted_date"]["falsy_value_label"]
            self.assertEqual(label, {"en_US": "No prediction", "fr_FR": "Aucune prévision"}[lang])

    def test_forecast_and_predictions_stay_in_their_company(self):
        company_2 = self.setup_other_company()["company"]
        other = (
            self.env["account.move"]
            .with_company(company_2)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": TODAY,
                    "invoice_payment_term_id": self.immediate.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Hosting", "quantity": 1, "price_unit": 80.0, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        other.action_post()
        mine = self._invoice(self.customer, 500.0, TODAY)
        self._nightly()
        self._nightly(company_2)
        # Company 2 has no payment at all: no habit to lean on, no prediction there.
        self.assertFalse(other.dunning_predicted_date)
        self.assertTrue(mine.dunning_predicted_date)

        collector_2 = new_test_user(
            self.env,
            login="collector_2",
            groups="odoo_automated_dunning.group_dunning_user",
            company_id=company_2.id,
            company_ids=[Command.set(company_2.ids)],
        )
        collector_1 = new_test_user(
            self.env,
            login="collector_1",
            groups="odoo_automated_dunning.group_dunning_user",
            company_id=self.env.company.id,
            company_ids=[Command.set(self.env.company.ids)],
        )
        report = self.env["dunning.forecast.report"]
        self.assertEqual(report.with_user(collector_2).search([]).move_id, other)
        seen_1 = report.with_user(collector_1).search([]).move_id
        self.assertIn(mine, seen_1)
        self.assertNotIn(other, seen_1)
        self.assertEqual(
            report.with_user(collector_2)._read_group([], [], ["amount_company:sum"]),
            [(80.0,)],
        )

    def test_predictions_take_the_same_queries_for_three_customers_or_twelve(self):
        Behaviour = self.env["dunning.partner.behaviour"]
        company = self.env.company

        def queries_for(customers):
            for customer in customers:
                invoice = self._invoice(customer, 100.0, TODAY - timedelta(days=5))
                self._invoice(customer, 50.0, TODAY)
                self.env["dunning.promise"].create(
                    {
                        "partner_id": customer.id,
                        "date": TODAY,
                        "date_promised": TODAY + timedelta(days=3),
                        "currency_id": invoice.currency_id.id,
                        "amount": 100.0,
                        "move_ids": invoice.ids,
                        "residual_at_promise": 100.0,
                    }
                )
            self.env.flush_all()
            self.env.invalidate_all()
            payments = Behaviour._payments(company, customers.ids, TODAY, 730)
            before = self.env.cr.sql_log_count
            Behaviour._compute_predictions(company, customers.ids, TODAY, payments, None)
            return self.env.cr.sql_log_count - before

        few = self.env["res.partner"].concat(
            *(self._customer(f"Few {n}", f"few{n}@example.com") for n in range(3))
        )
        many = self.env["res.partner"].concat(
            *(self._customer(f"Many {n}", f"many{n}@example.com") for n in range(12))
        )
        queries_for(self._customer("Warm-up", "warm@example.com"))  # caches of the first call
        self.assertEqual(queries_for(few), queries_for(many))
        promised = self.env["account.move"].search(
            [("partner_id", "in", many.ids), ("dunning_predicted_source", "=", "promise")]
        )
        self.assertEqual(len(promised), 12)
