from datetime import date

from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningCron(DunningCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref("odoo_automated_dunning.ir_cron_dunning_run")
        cls.runs = cls.env["dunning.run"]
        # The cron path itself, even where OCA's queue_job is installed (TestDunningQueueJob).
        cls.env["ir.config_parameter"].set_param("odoo_automated_dunning.use_queue_job", 0)

    def _trigger_cron(self):
        # The real cron job: its own transaction, committing per batch via the progress API.
        with self.enter_registry_test_mode():
            self.cron.method_direct_trigger()
        self.env.invalidate_all()

    def _company_runs(self):
        return self.runs.search([("company_id", "=", self.env.company.id)])

    @freeze_time("2025-06-20 10:00:00")
    def test_daily_cron_runs_today_once(self):
        self._invoice(self.customer, 100.0, "2025-06-01")

        self._trigger_cron()

        run = self._company_runs()
        self.assertEqual(len(run), 1)
        self.assertEqual(run.date, date(2025, 6, 20))
        self.assertEqual(run.state, "done")
        self.assertEqual(run.queued_count, 1)
        self.assertEqual(len(self._mails_to(self.customer)), 1)

        # Called again the same day (a retry, a second worker): no new run, no second mail.
        self._trigger_cron()
        self.assertEqual(self._company_runs(), run)
        self.assertEqual(len(self._mails_to(self.customer)), 1)

    @freeze_time("2025-06-20 13:00:00")
    def test_today_is_the_companys_day_not_the_servers(self):
        self.env.company.partner_id.tz = "Pacific/Auckland"  # already 21 June, 01:00
        self._trigger_cron()
        self.assertEqual(self._company_runs().date, date(2025, 6, 21))

    @freeze_time("2025-06-20 10:00:00")
    def test_a_run_stopped_between_batches_resumes_without_duplicates(self):
        self.env["ir.config_parameter"].set_param("odoo_automated_dunning.batch_size", 1)
        customers = (
            self.customer
            | self.other_customer
            | self._customer("Initech", "ar@initech.example.com")
        )
        for customer in customers:
            self._invoice(customer, 100.0, "2025-06-01")
        run = self.runs.create({"date": "2025-06-20", "state": "running"})

        # The first batch is written, then the worker stops (out of time, killed, restarted).
        self.assertFalse(run._process(commit=False, max_batches=1))
        self.assertEqual(run.state, "running")
        self.assertEqual(run.communication_ids.partner_id, customers.sorted("id")[0])
        self.assertEqual(run.customer_done_count, 1)
        self.assertAlmostEqual(run.progress, 100 / 3, places=2)

        self._trigger_cron()

        self.assertEqual(run.state, "done")
        self.assertEqual(len(run.communication_ids), 3)
        self.assertEqual(run.communication_ids.partner_id, customers)
        self.assertEqual(run.invoice_count, 3)
        for customer in customers:
            self.assertEqual(len(self._mails_to(customer)), 1, customer.name)
        self.assertEqual(self._company_runs(), run, "the cron continued the run, not a new one")

    @freeze_time("2025-06-20 10:00:00")
    def test_a_large_manual_run_continues_in_the_background(self):
        self.env["ir.config_parameter"].set_param("odoo_automated_dunning.sync_customer_limit", 1)
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 100.0, "2025-06-01")
        run = self.runs.create({"date": "2025-06-19"})

        action = run.action_run()

        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(run.state, "running")
        self.assertEqual(run.customer_count, 2)
        self.assertFalse(run.communication_ids)
        self._trigger_cron()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.queued_count, 2)
