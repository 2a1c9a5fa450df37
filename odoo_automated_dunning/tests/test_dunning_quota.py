from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import DunningCommon

NOW = datetime(2025, 6, 30, 0, 0)


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningQuota(DunningCommon):
    """Over the company's email quota, reminders wait for the next free hours and days, most
    money at risk first; none is dropped, the run says how many wait, Odoo's mail queue sends
    them when their time comes, and one whose invoice got paid meanwhile never leaves."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.partner_id.tz = "UTC"

    def _customers(self, specs):
        """[(amount, risk score or None, due date)] -> customers, each with one overdue invoice."""
        customers = self.env["res.partner"]
        for rank, (amount, risk, due) in enumerate(specs):
            customer = self._customer(f"Customer {rank:02d}", f"ap{rank:02d}@example.com")
            self._invoice(customer, amount, due)
            if risk is not None:
                self.env["dunning.partner.behaviour"].sudo().create(
                    {"partner_id": customer.id, "company_id": self.env.company.id, "score": risk}
                )
            customers |= customer
        return customers

    def _moments(self, run):
        return {c.partner_id: c.mail_id.scheduled_date for c in run.communication_ids}

    @contextmanager
    def _at(self, moment):
        with freeze_time(moment):
            yield

    def test_a_day_quota_sends_n_now_and_the_rest_later_by_amount_times_risk_then_age(self):
        n = 4
        self.env.company.dunning_email_quota_day = n
        specs = [
            (1000.0, 90.0, "2025-06-10"),  # 90,000
            (1000.0, 10.0, "2025-06-10"),  # 10,000
            (200.0, None, "2025-06-08"),  # 10,000 (no score: 50), older debt: before the above
            (200.0, None, "2025-06-05"),  # 10,000, older still
            (5000.0, 5.0, "2025-06-10"),  # 25,000
            (100.0, 100.0, "2025-06-10"),  # 10,000, youngest of the 10,000s
            (50.0, 20.0, "2025-06-10"),  # 1,000
            (3000.0, 40.0, "2025-06-10"),  # 120,000
            (400.0, 60.0, "2025-06-10"),  # 24,000
            (10.0, 10.0, "2025-06-10"),  # 100
            (700.0, 50.0, "2025-06-10"),  # 35,000
            (250.0, 80.0, "2025-06-12"),  # 20,000
        ]
        customers = self._customers(specs)

        run = self._run("2025-06-30")

        self.assertEqual(len(run.communication_ids), 3 * n, "every reminder exists, none dropped")
        self.assertEqual(set(run.communication_ids.mapped("state")), {"queued"})
        self.assertEqual(len(run.communication_ids.mail_id), 3 * n)
        moments = self._moments(run)
        # Priority: amount x risk, then the older debt (1 and 5 are equal: same moment).
        expected = [7, 0, 10, 4, 8, 11, 3, 2, 1, 5, 6, 9]
        rank = {customer: customers.ids.index(customer.id) for customer in customers}
        by_day = [
            {rank[c] for c in customers if moments[c] == NOW + timedelta(days=day)}
            for day in range(3)
        ]
        self.assertEqual(by_day, [set(expected[day * n : (day + 1) * n]) for day in range(3)])
        self.assertEqual(
            Counter(moments.values()),
            {NOW: n, NOW + timedelta(days=1): n, NOW + timedelta(days=2): n},
        )

        waiting = run.communication_ids.filtered("quota_deferred")
        self.assertEqual(len(waiting), 2 * n)
        self.assertEqual(set(waiting.mapped("decision")), {"quota"})
        self.assertEqual(
            set(waiting.mapped("scheduled_at")), {NOW + timedelta(days=1), NOW + timedelta(days=2)}
        )
        self.assertEqual(run.deferred_count, 2 * n)
        self.assertEqual(run.last_deferred_at, NOW + timedelta(days=2))
        self.assertIn("8 emails wait for the company's email quota", run.quota_note)
        self.assertIn("07/02/2025", run.quota_note)
        # The reminders list filter shows the waiting ones.
        action = run.action_view_communications()
        self.assertEqual(
            self.env["dunning.communication"].search(
                action["domain"] + [("quota_deferred", "=", True), ("state", "=", "queued")]
            ),
            waiting,
        )

    def test_the_note_reads_in_the_company_timezone(self):
        self.env.company.write({"dunning_email_quota_day": 1})
        self.env.company.partner_id.tz = "Europe/Paris"
        self._customers([(100.0, None, "2025-06-10"), (50.0, None, "2025-06-10")])

        run = self._run("2025-06-30")

        # Paris' 1 July starts at 22:00 UTC on 30 June.
        self.assertEqual(run.last_deferred_at, datetime(2025, 6, 30, 22, 0))
        self.assertEqual(
            run.quota_note,
            "1 email waits for the company's email quota; it leaves on 07/01/2025 12:00:00 AM "
            "(Europe/Paris).",
        )

    def test_the_hour_quota_spreads_the_day(self):
        self.env.company.write({"dunning_email_quota_hour": 2, "dunning_email_quota_day": 5})
        self._customers([(100.0 * (i + 1), None, "2025-06-10") for i in range(7)])

        run = self._run("2025-06-30")

        self.assertEqual(
            Counter(self._moments(run).values()),
            {
                NOW: 2,
                NOW + timedelta(hours=1): 2,
                NOW + timedelta(hours=2): 1,  # the day's 5 are used up
                NOW + timedelta(days=1): 2,
            },
        )

    def test_the_next_run_comes_after_the_emails_already_waiting(self):
        self.env.company.dunning_email_quota_day = 2
        yesterday = self._customers([(100.0 + i, None, "2025-06-10") for i in range(5)])
        with self._smtp_server() as smtp:
            first = self._run("2025-06-30")
            self._send_mail_queue()
            self.assertEqual(len(smtp.messages), 2)
            with self._at(NOW + timedelta(days=1)):
                # Bigger debts than yesterday's, yet they wait behind them.
                today = self.env["res.partner"]
                for rank in range(2):
                    today |= self._customer(f"New {rank}", f"new{rank}@example.com")
                    self._invoice(today[-1:], 10000.0, "2025-06-10")
                second = self._run("2025-07-01")
        waiting = first.communication_ids.filtered(lambda c: c.mail_id.scheduled_date > NOW)
        self.assertEqual(len(waiting), 3)
        self.assertEqual(
            sorted(waiting.mail_id.mapped("scheduled_date")),
            [NOW + timedelta(days=1)] * 2 + [NOW + timedelta(days=2)],
        )
        new_moments = second.communication_ids.mail_id.mapped("scheduled_date")
        self.assertEqual(sorted(new_moments), [NOW + timedelta(days=2), NOW + timedelta(days=3)])
        self.assertEqual(second.deferred_count, 2)
        self.assertEqual(len(yesterday), 5)

    def test_the_mail_queue_sends_them_as_their_time_comes_never_over_the_quota(self):
        self.env.company.write({"dunning_email_quota_hour": 2, "dunning_email_quota_day": 3})
        customers = self._customers([(100.0 * (i + 1), None, "2025-06-10") for i in range(7)])
        run = self._run("2025-06-30")
        per_hour, per_day = Counter(), Counter()
        with self._smtp_server() as smtp:
            received = 0
            for hour in range(3 * 24):
                moment = NOW + timedelta(hours=hour, minutes=1)
                with self._at(moment):
                    self._send_mail_queue()
                per_hour[moment.replace(minute=0)] += len(smtp.messages) - received
                per_day[moment.date()] += len(smtp.messages) - received
                received = len(smtp.messages)
        self.assertEqual(received, 7, "every reminder left in the end")
        self.assertLessEqual(max(per_hour.values()), 2)
        self.assertLessEqual(max(per_day.values()), 3)
        self.assertEqual(
            [per_day[(NOW + timedelta(days=day)).date()] for day in range(3)], [3, 3, 1]
        )
        self.assertEqual(set(run.communication_ids.mapped("state")), {"sent"})
        self.assertEqual(len(run.communication_ids.partner_id), len(customers))

    def test_a_waiting_reminder_whose_invoice_got_paid_meanwhile_never_leaves(self):
        self.env.company.dunning_email_quota_day = 1
        big, small = self._customers([(1000.0, None, "2025-06-10"), (300.0, None, "2025-06-10")])
        run = self._run("2025-06-30")
        waiting = run.communication_ids.filtered(lambda c: c.partner_id == small)
        self.assertTrue(waiting.quota_deferred)
        invoice = waiting.line_ids.move_id
        self.assertEqual(invoice.dunning_level_id, self.level1)

        self._pay(invoice, amount=100.0)  # part of it: the reminder would state too much
        with self._smtp_server() as smtp:
            self._send_mail_queue()
            with self._at(NOW + timedelta(days=1, hours=1)):
                self._send_mail_queue()

        self.assertEqual(len(smtp.messages), 1, "only the big debt's reminder left")
        self.assertNotIn("ap01@example.com", smtp.messages[0])
        self.assertEqual(waiting.state, "skipped")
        self.assertEqual(waiting.skip_reason, "settled")
        self.assertEqual(waiting.mail_id.state, "cancel")
        self.assertFalse(invoice.dunning_level_id, "back to its level before: reminded again")
        self.assertEqual(run.deferred_count, 0)
        # The next run reminds what is left, with today's amount.
        with self._at(NOW + timedelta(days=1, hours=2)):
            retry = self._run("2025-07-01").communication_ids
        self.assertEqual(retry.partner_id, small)
        self.assertEqual(retry.amount_total, 200.0)

    def test_a_plan_email_takes_the_next_free_slot_at_once(self):
        self.env.company.dunning_email_quota_day = 2
        self._customers([(100.0, None, "2025-06-10"), (200.0, None, "2025-06-10")])
        self._run("2025-06-30")  # today's 2 are used
        invoice = self._invoice(self.customer, 500.0, "2025-06-10")
        wizard = Form(
            self.env["dunning.payment.plan.wizard"].with_context(
                active_model="account.move", active_ids=invoice.ids
            )
        )
        wizard.installment_count = 2
        plan = self.env["dunning.payment.plan"].browse(wizard.save().action_create()["res_id"])

        plan.action_propose()

        proposal = self.env["dunning.communication"].search([("plan_id", "=", plan.id)])
        self.assertEqual(proposal.state, "queued")
        self.assertTrue(proposal.quota_deferred)
        self.assertEqual(proposal.mail_id.scheduled_date, NOW + timedelta(days=1))

    def test_no_quota_changes_nothing(self):
        self._customers([(100.0 * (i + 1), None, "2025-06-10") for i in range(5)])

        run = self._run("2025-06-30")

        self.assertEqual(set(self._moments(run).values()), {NOW})
        self.assertFalse(run.communication_ids.filtered("quota_deferred"))
        self.assertFalse(run.communication_ids.filtered("scheduled_at"))
        self.assertEqual(run.deferred_count, 0)
        self.assertFalse(run.quota_note)

    def test_quota_settings_refuse_nonsense_naming_the_company(self):
        company = self.env.company
        with self.assertRaisesRegex(ValidationError, f"{company.name}: an email quota is 0"):
            company.dunning_email_quota_day = -1
        with self.assertRaisesRegex(
            ValidationError, f"{company.name}: the hourly email quota \\(300\\) cannot be above"
        ):
            company.write({"dunning_email_quota_hour": 300, "dunning_email_quota_day": 200})
        company.write({"dunning_email_quota_hour": 50, "dunning_email_quota_day": 0})
        self.assertEqual(company.dunning_email_quota_hour, 50)
