from contextlib import contextmanager

from odoo import Command, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02")
class TestDunningPaymentPlan(DunningCommon):
    """Plans on real invoices and payments: schedule, allocation, states, exclusion, messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv_a = cls._invoice(cls.customer, 600.0, "2026-01-10")
        cls.inv_b = cls._invoice(cls.customer, 400.0, "2026-01-20")
        cls.policy.write({"plan_grace_days": 5, "plan_reminder_days_before": 3})

    @contextmanager
    def _refused(self, error, words):
        """Odoo's assertRaises rolls back to a savepoint; the message must name the fix."""
        with self.assertRaises(error) as caught:
            yield
        self.assertIn(words, str(caught.exception))

    def _plan(self, invoices=None, **terms):
        wizard = Form(
            self.env["dunning.payment.plan.wizard"].with_context(
                active_model="account.move", active_ids=(invoices or self.inv_a | self.inv_b).ids
            )
        )
        wizard.installment_count = terms.get("installment_count", 3)
        wizard.frequency = terms.get("frequency", "monthly")
        wizard.first_due_date = terms.get("first_due_date", fields.Date.to_date("2026-03-10"))
        wizard.down_payment = terms.get("down_payment", 0.0)
        action = wizard.save().action_create()
        return self.env["dunning.payment.plan"].browse(action["res_id"])

    def _cron(self):
        self.env["dunning.payment.plan"]._cron_check_plans()

    def _plan_mails(self, plan):
        return self.env["dunning.communication"].search([("plan_id", "=", plan.id)])

    def test_wizard_previews_a_schedule_that_adds_up_to_the_cent(self):
        wizard = Form(
            self.env["dunning.payment.plan.wizard"].with_context(
                active_model="res.partner", active_id=self.customer.id
            )
        )
        wizard.installment_count = 3
        wizard.first_due_date = fields.Date.to_date("2026-01-31")
        self.assertEqual(wizard.amount_total, 1000.0)
        self.assertIn("333.34", wizard.preview)
        plan = self.env["dunning.payment.plan"].browse(wizard.save().action_create()["res_id"])
        self.assertEqual(plan.state, "draft")
        self.assertEqual(plan.invoice_ids, self.inv_a | self.inv_b)
        self.assertEqual(plan.installment_ids.mapped("amount"), [333.33, 333.33, 333.34])
        self.assertEqual(
            plan.installment_ids.mapped("due_date"),
            [fields.Date.to_date(d) for d in ("2026-01-31", "2026-02-28", "2026-03-31")],
        )
        self.assertTrue(plan.name.startswith("PLAN/"))

    def test_down_payment_and_weekly_terms(self):
        plan = self._plan(down_payment=250.0, installment_count=4, frequency="weekly")
        self.assertEqual(plan.installment_ids.mapped("amount"), [250.0, 187.5, 187.5, 187.5, 187.5])
        self.assertTrue(plan.installment_ids[0].down_payment)
        self.assertEqual(plan.installment_ids[1].due_date, fields.Date.to_date("2026-03-17"))

    def test_impossible_terms_and_foreign_invoices_are_refused_with_a_clear_message(self):
        with self._refused(ValidationError, "less than the total"):
            self._plan(down_payment=1000.0)
        other = self._invoice(self.other_customer, 50.0, "2026-01-10")
        plan = self._plan()
        with self._refused(ValidationError, other.name):
            plan.invoice_ids = [Command.link(other.id)]
        with self._refused(ValidationError, "already belong to plan"):
            self._plan(self.inv_a)
        plan.action_activate()
        with self._refused(UserError, "cannot change"):
            plan.installment_count = 5

    def test_payments_fill_installments_in_due_order_and_an_overpayment_rolls_forward(self):
        plan = self._plan()
        plan.action_activate()
        self._pay(self.inv_a, amount=450.0)
        self.assertEqual(plan.amount_paid, 450.0)
        self.assertEqual(plan.installment_ids.mapped("amount_paid"), [333.33, 116.67, 0.0])
        self.assertEqual(plan.installment_ids.mapped("state"), ["paid", "partial", "open"])
        self.assertEqual(plan.next_installment_id, plan.installment_ids[1])
        self.assertEqual(plan.next_amount, 216.66)

    def test_an_active_plan_keeps_its_invoices_out_of_dunning_until_it_defaults(self):
        plan = self._plan()
        plan.action_activate()
        run = self._run("2026-03-02")
        self.assertFalse(run.communication_ids, "invoices in an active plan get no reminder")
        # Nothing paid: the first installment (10 March) is late after 5 grace days.
        with freeze_time("2026-03-15"):
            self._cron()
            self.assertEqual(plan.state, "active")
        with freeze_time("2026-03-16"):
            self._cron()
        self.assertEqual(plan.state, "defaulted")
        self.assertEqual(plan.defaulted_on, fields.Date.to_date("2026-03-16"))
        default_mail = self._plan_mails(plan).filtered(lambda c: c.plan_event == "default")
        self.assertEqual(default_mail.state, "queued")
        self.assertIn(plan.name, default_mail.subject)
        self.assertTrue(
            plan.activity_ids.filtered(lambda a: a.user_id == plan.user_id),
            "the responsible is told",
        )
        self.assertIn("Defaulted", plan.message_ids.mapped("preview")[0])
        run = self._run("2026-03-16")
        self.assertEqual(
            run.communication_ids.line_ids.move_id, self.inv_a | self.inv_b, "dunning resumes"
        )

    def test_a_fully_paid_plan_completes_by_itself(self):
        plan = self._plan()
        plan.action_activate()
        self._pay(self.inv_a | self.inv_b)
        self._cron()
        self.assertEqual(plan.state, "completed")
        notes = " ".join(plan.message_ids.mapped("preview"))
        self.assertIn("Fully paid", notes)
        self.assertIn("Activated by", notes)

    def test_installments_are_reminded_before_and_after_their_due_date_once_each(self):
        plan = self._plan()
        plan.action_activate()
        with freeze_time("2026-03-06"):
            self._cron()
            self.assertFalse(self._plan_mails(plan))
        with freeze_time("2026-03-07"):
            self._cron()
            self._cron()
        before = self._plan_mails(plan)
        self.assertEqual(before.mapped("plan_event"), ["before"])
        self.assertEqual(before.plan_installment_id, plan.installment_ids[0])
        self.assertIn("333.33", before.body)
        self.assertTrue(before.mail_id, "queued in Odoo's mail queue")
        with freeze_time("2026-03-11"):
            self._cron()
        after = self._plan_mails(plan) - before
        self.assertEqual(after.mapped("plan_event"), ["after"])
        self.assertEqual(after.mail_template_id, self.policy.plan_overdue_template_id)

    def test_plan_messages_obey_refusal_pause_dispute_and_contact_hours(self):
        plan = self._plan()
        plan.action_activate()
        self.customer._dunning_record_consent({"email": "refused"}, "backoffice", "test")
        with freeze_time("2026-03-07"):
            self._cron()
        held = self._plan_mails(plan)
        self.assertEqual((held.state, held.skip_reason), ("skipped", "refused"))
        self.assertFalse(held.mail_id)

        self.customer._dunning_record_consent({"email": "allowed"}, "backoffice", "test")
        self.customer.dunning_pause_until = "2026-03-20"
        with freeze_time("2026-03-08"):
            self._cron()
        self.assertEqual((self._plan_mails(plan) - held).skip_reason, "paused")

        self.customer.dunning_pause_until = False
        self.inv_b._dunning_open_dispute("Wrong amount", "test")
        seen = self._plan_mails(plan)
        with freeze_time("2026-03-09"):
            self._cron()
        self.assertEqual((self._plan_mails(plan) - seen).skip_reason, "disputed")

        self.inv_b.action_dunning_resolve_dispute()
        self.env.company.write({"dunning_cap_count": 1, "dunning_cap_days": 30})
        self.customer.dunning_pause_until = False
        self._invoice(self.customer, 50.0, "2026-02-01")  # outside the plan: dunned as usual
        seen = self._plan_mails(plan)
        with freeze_time("2026-03-09"):
            self._run("2026-03-09")  # a reminder of another invoice counts too
            self._cron()
        held = self._plan_mails(plan) - seen
        self.assertEqual((held.decision, held.skip_reason), ("held_back", "capped"))
        self.env.company.write({"dunning_cap_count": 0})
        self.env.company.write({"dunning_window_start": 8.0, "dunning_window_end": 18.0})
        self.customer.tz = "Europe/Brussels"
        seen = self._plan_mails(plan)
        with freeze_time("2026-03-09 22:00:00"):
            self._cron()
            sent = self._plan_mails(plan) - seen
            self.assertEqual(sent.state, "queued")
            # 23:00 in Brussels: the mail waits for 08:00 local (07:00 UTC) the next day.
            self.assertEqual(
                sent.mail_id.scheduled_date, fields.Datetime.to_datetime("2026-03-10 07:00:00")
            )

    def test_proposal_is_accepted_in_the_portal_with_name_date_and_ip(self):
        plan = self._plan()
        plan.action_propose()
        proposal = self._plan_mails(plan)
        self.assertEqual(proposal.plan_event, "proposal")
        self.assertIn(plan.access_token, proposal.body, "the plan link works without a login")
        with self._refused(UserError, "Type your name"):
            plan.action_accept_portal(" ", "203.0.113.9")
        plan.action_accept_portal("Jane Buyer", "203.0.113.9")
        self.assertEqual(plan.state, "active")
        self.assertEqual((plan.accepted_name, plan.accepted_ip), ("Jane Buyer", "203.0.113.9"))
        self.assertTrue(plan.accepted_on)
        self.assertIn("Jane Buyer", plan.message_ids[0].preview)
        with self._refused(UserError, "not waiting"):
            plan.action_accept_portal("Jane Buyer", "203.0.113.9")

    def test_portal_requests_within_the_limits_start_at_once_others_wait_for_approval(self):
        self.policy.write({"plan_portal_max_installments": 4, "plan_portal_min_installment": 100})
        Plan = self.env["dunning.payment.plan"]
        plan = Plan._portal_request(self.inv_a, 3, "monthly", "Jane", "203.0.113.9")
        self.assertEqual(plan.state, "active")
        self.assertTrue(plan.requested_in_portal)
        with self._refused(UserError, "at least one installment"):
            Plan._portal_request(self.inv_b, 0, "monthly", "Jane", "203.0.113.9")
        with self._refused(UserError, "Unknown frequency"):
            Plan._portal_request(self.inv_b, 2, "daily", "Jane", "203.0.113.9")
        big = Plan._portal_request(self.inv_b, 6, "monthly", "Jane", "203.0.113.9")
        self.assertEqual(big.state, "draft")
        self.assertIn("More than 4 installments", big.approval_reason)
        self.assertEqual(big.activity_ids.user_id, big.user_id)
        big.action_approve()
        self.assertEqual(big.state, "active")

    def test_cancelling_a_plan_gives_its_invoices_back_to_dunning(self):
        plan = self._plan()
        plan.action_activate()
        self.assertFalse(self._run("2026-03-02").communication_ids)
        plan.action_cancel()
        self.assertEqual(plan.state, "cancelled")
        self.assertTrue(self._run("2026-03-03").communication_ids)

    def test_plan_analysis_figures_on_a_hand_built_book(self):
        """Completed 300 (all paid), defaulted 1000 (250 paid), active 500 (100 paid), draft."""
        Plan = self.env["dunning.payment.plan"]
        third = self._customer("Initech", "ap@initech.example.com")

        def plan(invoice):
            created = Plan.create(
                Plan._prepare_from_invoices(
                    invoice, installment_count=2, first_due_date="2026-03-10"
                )
            )
            created.action_activate()
            return created

        completed = plan(self._invoice(self.other_customer, 300.0, "2026-01-10"))
        defaulted = plan(self.inv_a | self.inv_b)
        active_invoice = self._invoice(third, 500.0, "2026-01-10")
        active = plan(active_invoice)
        Plan.create(Plan._prepare_from_invoices(self._invoice(third, 80.0, "2026-01-11")))
        self._pay(completed.invoice_ids)
        self._pay(self.inv_a, amount=250.0)
        self._pay(active_invoice, amount=100.0)
        # 16 March: the defaulted plan's first installment (500) is 6 days late, past 5 grace
        # days; the active plan's first installment (250) is only 100 paid, so move it on.
        active.grace_days = 30
        with freeze_time("2026-03-16"):
            self._cron()
        self.assertEqual(
            (completed.state, defaulted.state, active.state), ("completed", "defaulted", "active")
        )
        Report = self.env["dunning.plan.report"]
        [totals] = Report._read_group(
            [],
            aggregates=[
                "plan_count:sum",
                "amount_total:sum",
                "amount_paid:sum",
                "amount_defaulted:sum",
                "default_rate:avg",
            ],
        )
        self.assertEqual(list(totals), [3, 1800.0, 650.0, 750.0, 50.0])
        by_state = {
            state: (count, paid)
            for state, count, paid in Report._read_group(
                [], ["state"], ["plan_count:sum", "amount_paid:sum"]
            )
        }
        self.assertEqual(
            by_state, {"completed": (1, 300.0), "defaulted": (1, 250.0), "active": (1, 100.0)}
        )
