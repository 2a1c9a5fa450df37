import os
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from odoo.addons.odoo_automated_dunning.models.dunning_send_quota import HOLD
from odoo.addons.odoo_automated_dunning.tests.common import DunningCommon
from odoo.addons.queue_job.tests.common import trap_jobs

NOW = datetime(2025, 6, 20, 6, 0)
TOMORROW = datetime(2025, 6, 21)  # the next day's quota from its first hour


@freeze_time("2025-06-20 06:00:00")
@tagged("post_install", "-at_install")
class TestDunningQueueJobQuota(DunningCommon):
    """Batches run as parallel jobs: the run's emails wait until the last job is done, then the
    email quota places them in one priority order across all batches."""

    def test_the_quota_orders_the_emails_of_every_batch_together(self):
        self.env.company.partner_id.tz = "UTC"
        self.env.company.dunning_email_quota_day = 2
        self.env["ir.config_parameter"].set_param("odoo_automated_dunning.batch_size", 2)
        # The largest debts belong to the customers of the last batch.
        customers = [self._customer(f"Batch {i}", f"ap{i}@batch.example.com") for i in range(5)]
        for rank, customer in enumerate(customers):
            self._invoice(customer, 100.0 * (rank + 1), "2025-06-01")
        with (
            trap_jobs() as trap,
            patch.dict(os.environ, {"ODOO_QUEUE_JOB_CHANNELS": "root:1"}),  # one job at once
        ):
            self.env["dunning.run"]._cron_run_dunning()
            run = self.env["dunning.run"].search([("date", "=", "2025-06-20")])
            trap.assert_jobs_count(3)
            first, *others = trap.enqueued_jobs
            first.perform()
            held = run.communication_ids.mail_id
            self.assertEqual(len(held), 2)
            self.assertEqual(set(held.mapped("scheduled_date")), {HOLD}, "waits for the run")
            for job in others:
                job.perform()
        # What each job's commit runs: its batch counted, the run closed by the last count.
        with self.enter_registry_test_mode():
            self.env.cr.postcommit.run()
        self.env.invalidate_all()
        self.assertEqual(run.state, "done")
        moment = {c.partner_id: c.mail_id.scheduled_date for c in run.communication_ids}
        self.assertEqual(
            [moment[customer] for customer in reversed(customers)],
            [NOW, NOW, TOMORROW, TOMORROW, TOMORROW + timedelta(days=1)],
        )
        self.assertEqual(
            (run.deferred_count, run.last_deferred_at), (3, TOMORROW + timedelta(days=1))
        )
