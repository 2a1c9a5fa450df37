from contextlib import contextmanager
from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import DunningCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningBounds(DunningCommon):
    """Clumsy or hostile values in the back office are refused with a message naming the
    field and the fix, through the forms and through plain write()/create() (RPC), and never
    reach the database as a raw error (no ERROR line in the log)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.invoice = cls._invoice(cls.customer, 1500.0, "2025-05-01")

    @contextmanager
    def _refused(self, exception, pattern):
        """assertRaisesRegex inside Odoo's savepoint (unittest's own would not roll back)."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)

    def _plan_wizard(self):
        return Form(
            self.env["dunning.payment.plan.wizard"].with_context(
                active_model="account.move", active_ids=self.invoice.ids
            )
        )

    def _plan(self, **terms):
        Plan = self.env["dunning.payment.plan"]
        return Plan.create(Plan._prepare_from_invoices(self.invoice, **terms))

    # Payment plans -------------------------------------------------------------------------

    def test_plan_wizard_refuses_impossible_counts_and_dates(self):
        for count in (0, -3, 121, 2**31):
            with self.subTest(count=count), self.assertNoLogs("odoo.sql_db", "ERROR"):
                wizard = self._plan_wizard()
                wizard.installment_count = count
                with self._refused(ValidationError, "installments|far too large"):
                    wizard.save()
        wizard = self._plan_wizard()
        wizard.first_due_date = "9999-12-01"
        # The preview says what is wrong instead of failing on "year 10000 is out of range".
        self.assertIn("out of range", str(wizard.preview))
        with self._refused(ValidationError, "first due date 9999-12-01 is out of range"):
            wizard.save()
        self.assertFalse(self.env["dunning.payment.plan"].search([]))

    def test_plan_terms_are_checked_before_the_database_through_rpc(self):
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            for terms in (
                {"installment_count": 0},
                {"installment_count": -3},
                {"installment_count": 20000},
                {"installment_count": 2**31},
                {"grace_days": 2**31},
                {"grace_days": -1},
                {"first_due_date": "9999-12-01"},
                {"first_due_date": "1900-01-01"},
            ):
                with self.subTest(terms=terms), self.assertRaises(ValidationError):
                    self._plan(**terms)
            plan = self._plan(installment_count=3)
            with self._refused(ValidationError, "enter between 1 and 120"):
                plan.write({"installment_count": 500})
            with self._refused(ValidationError, "out of range"):
                plan.write({"first_due_date": "9999-12-01"})
        self.assertEqual(len(plan.installment_ids), 3)

    def test_installments_always_add_up_to_the_plan(self):
        plan = self._plan(installment_count=3)
        first, second = plan.installment_ids[:2]
        with self._refused(ValidationError, "add up to"):
            first.write({"amount": 1.0})
        with self._refused(ValidationError, "add up to"):
            first.write({"amount": first.amount + 1000})
        with self._refused(ValidationError, "add up to"):
            self.env["dunning.payment.plan.installment"].create(
                {"plan_id": plan.id, "due_date": "2025-12-01", "amount": 10.0}
            )
        self.env.invalidate_all()
        self.assertEqual(sum(plan.installment_ids.mapped("amount")), 1500.0)
        # A write that keeps the total is fine.
        second.write({"amount": second.amount})

    # Promises ------------------------------------------------------------------------------

    def _call_wizard(self):
        action = self.customer.action_dunning_call_outcome()
        return Form(self.env[action["res_model"]].browse(action["res_id"]))

    def test_a_promise_cannot_exceed_the_debt_or_lie_years_ahead(self):
        with self._call_wizard() as wizard:
            wizard.outcome = "promise"
            wizard.promise_amount = 1_000_000_000
            wizard.promise_date = "2025-07-10"
        with self._refused(UserError, r"leave \$\s1,500.00 to pay; enter at most"):
            wizard.record.action_confirm()
        with self._call_wizard() as wizard:
            wizard.outcome = "promise"
            wizard.promise_amount = 100
            wizard.promise_date = "9999-12-31"
        with self._refused(UserError, "must fall between today and 2026-07-01"):
            wizard.record.action_confirm()
        self.assertFalse(self.env["dunning.promise"].search([]))

    def test_promise_constraints_hold_through_rpc(self):
        vals = {
            "partner_id": self.customer.id,
            "currency_id": self.invoice.currency_id.id,
            "amount": 500.0,
            "date_promised": "2025-07-10",
            "move_ids": [Command.set(self.invoice.ids)],
            "residual_at_promise": 1500.0,
        }
        Promise = self.env["dunning.promise"]
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            for bad in (
                {"amount": 1_000_000_000},
                {"date_promised": "9999-12-31"},
                {"grace_days": 2**31},
                {"grace_days": 10_000},
            ):
                with self.subTest(bad=bad), self.assertRaises(ValidationError):
                    Promise.create({**vals, **bad})
        self.assertEqual(Promise.create(vals).amount, 500.0)

    # Interest notes ------------------------------------------------------------------------

    def test_interest_runs_up_to_today_at_most(self):
        Wizard = self.env["dunning.interest.note.wizard"]
        for bad in ("9999-12-31", "2025-07-01", "1900-01-01"):
            with self.subTest(date=bad), self._refused(ValidationError, "a day that has come"):
                Wizard.create(
                    {"partner_id": self.customer.id, "date": bad, "policy_id": self.policy.id}
                )
        self.assertEqual(
            str(Wizard.create({"partner_id": self.customer.id, "policy_id": self.policy.id}).date),
            "2025-06-30",
        )

    # Levels --------------------------------------------------------------------------------

    def test_level_delays_within_ten_years_through_the_form_and_write(self):
        with self.assertNoLogs("odoo.sql_db", "ERROR"):
            for delay, unit in ((2**31, "day"), (5000, "day"), (600, "week"), (121, "month")):
                with (
                    self.subTest(delay=delay, unit=unit),
                    self.assertRaises(ValidationError),
                    Form(self.policy) as policy,
                    policy.level_ids.edit(0) as level,
                ):
                    level.delay_unit = unit
                    level.delay = delay
            with self._refused(ValidationError, "far too large"):
                self.level1.write({"delay": 2**31})
            with self._refused(ValidationError, "more than ten years"):
                self.level3.write({"delay": 121})
            with self._refused(ValidationError, "minimum gap of 9999 days"):
                self.level1.write({"minimum_gap_days": 9999})
        self.env.invalidate_all()
        self.assertEqual((self.level1.delay, self.level3.delay), (7, 1))

    # Consent -------------------------------------------------------------------------------

    def test_consent_cannot_be_dated_in_the_future(self):
        Consent = self.env["dunning.consent"]
        with self._refused(ValidationError, "in the future"):
            Consent.create(
                {
                    "partner_id": self.customer.id,
                    "channel": "email",
                    "status": "allowed",
                    "date": datetime(2999, 1, 1),
                }
            )
        entry = Consent.create(
            {"partner_id": self.customer.id, "channel": "sms", "status": "refused"}
        )
        self.assertEqual(entry.date, datetime(2025, 6, 30))


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningCallOutcomeAsUser(DunningCommon):
    """The call-outcome wizard for a plain Dunning User, who may not create or edit contacts."""

    def test_a_dunning_user_records_a_call_without_a_call_task(self):
        invoice = self._invoice(self.customer, 800.0, "2025-05-01")
        user = new_test_user(
            self.env,
            login="collector",
            groups="odoo_automated_dunning.group_dunning_user",
            company_id=self.env.company.id,
            company_ids=[Command.set(self.env.company.ids)],
        )
        self.assertFalse(user.has_group("base.group_partner_manager"))
        customer = self.customer.with_user(user)
        action = customer.action_dunning_call_outcome()
        with Form(self.env[action["res_model"]].with_user(user).browse(action["res_id"])) as form:
            form.outcome = "promise"
            form.promise_amount = 300.0
            form.promise_date = "2025-07-10"
            form.note = "Will pay <b>part</b> next week"
        form.record.action_confirm()
        promise = self.env["dunning.promise"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((promise.amount, promise.move_ids), (300.0, invoice))
        note = self.customer.message_ids.filtered(lambda m: "Dunning call" in str(m.body))
        self.assertEqual(note.author_id, user.partner_id)
        self.assertIn("&lt;b&gt;part&lt;/b&gt;", str(note.body))
        # The user still cannot edit the customer itself.
        with self.assertRaises(AccessError):
            customer.write({"name": "Renamed"})
