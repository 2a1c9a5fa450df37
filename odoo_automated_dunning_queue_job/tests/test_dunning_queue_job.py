import os
from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from odoo.addons.odoo_automated_dunning.tests.common import DunningCommon
from odoo.addons.queue_job.tests.common import trap_jobs


@freeze_time("2025-06-20 06:00:00")
@tagged("post_install", "-at_install")
class TestDunningQueueJob(DunningCommon):
    """With OCA's queue_job installed, each batch of a run is a job other workers can take."""

    def test_batches_are_equal_and_as_many_as_a_multiple_of_the_jobs_run_at_once(self):
        """1,900 customers in batches of at most 500: 4 batches of 475, not 500, 500, 500 and
        400 (2 workers: the one with the small batch would wait for the other)."""
        run = self.env["dunning.run"]
        self.env["ir.config_parameter"].set_param("odoo_automated_dunning.batch_size", 500)
        customers = list(range(1, 1901))
        for channels, sizes in (
            ("root:2", [475] * 4),
            ("root:1", [475] * 4),
            ("root:3", [317] * 4 + [316] * 2),  # 4 batches would do: 6, a multiple of 3
            ("root:4,root.dunning:1", [475] * 4),
        ):
            with patch.dict(os.environ, {"ODOO_QUEUE_JOB_CHANNELS": channels}):
                batches = list(run._batches(customers))
            self.assertEqual([len(batch) for batch in batches], sizes, channels)
            self.assertEqual(sum(batches, []), customers, "each customer once, in id order")
        with patch.dict(os.environ, {"ODOO_QUEUE_JOB_CHANNELS": "root:2"}):
            self.assertEqual(list(run._batches([7])), [[7]], "no empty batch")
            self.assertEqual(list(run._batches([])), [])

    def test_batches_run_as_jobs_and_a_job_run_twice_sends_nothing_twice(self):
        self.env["ir.config_parameter"].set_param("odoo_automated_dunning.batch_size", 2)
        customers = [self._customer(f"Batch {i}", f"ap{i}@batch.example.com") for i in range(5)]
        for customer in customers:
            self._invoice(customer, 100.0, "2025-06-01")
        with (
            trap_jobs() as trap,
            patch.dict(os.environ, {"ODOO_QUEUE_JOB_CHANNELS": "root:2"}),
        ):
            self.env["dunning.run"]._cron_run_dunning()
            run = self.env["dunning.run"].search([("date", "=", "2025-06-20")])
            self.assertTrue(run.jobs_enqueued)
            self.assertEqual(run.customer_count, 5)
            # Batches of at most 2 (3 would do), as many as a multiple of the 2 jobs at once.
            trap.assert_jobs_count(4)
            self.assertEqual([len(job.args[0]) for job in trap.enqueued_jobs], [2, 1, 1, 1])
            self.assertFalse(run.communication_ids, "nothing is sent by the cron itself")
            trap.perform_enqueued_jobs()
        self.assertEqual(run.customer_done_count, 0, "a job's batch is counted once committed")
        # What a commit would run: each job's count, in a transaction of its own (in test
        # mode, a cursor on this test's transaction).
        with self.enter_registry_test_mode():
            self.env.cr.postcommit.run()
        self.env.invalidate_all()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.customer_done_count, 5)
        self.assertEqual(len(run.communication_ids.filtered(lambda c: c.state == "queued")), 5)
        mails = self.env["mail.mail"].search_count([("res_id", "in", [c.id for c in customers])])
        self.assertEqual(mails, 5)
        # A worker that died after committing its batch: the job runs again, sends nothing.
        run._process_batch([customers[0].id, customers[1].id])
        self.assertEqual(len(run.communication_ids), 5)
        self.assertEqual(
            self.env["mail.mail"].search_count([("res_id", "in", [c.id for c in customers])]), 5
        )
        # The next cron call leaves a run whose jobs are queued alone.
        with trap_jobs() as trap:
            self.env["dunning.run"]._cron_run_dunning()
            trap.assert_jobs_count(0)

    def test_use_queue_job_0_keeps_the_cron_path(self):
        self.env["ir.config_parameter"].set_param("odoo_automated_dunning.use_queue_job", "0")
        self._invoice(self.customer, 100.0, "2025-06-01")
        with trap_jobs() as trap, self.enter_registry_test_mode():
            self.env.ref("odoo_automated_dunning.ir_cron_dunning_run").method_direct_trigger()
            trap.assert_jobs_count(0)
        self.env.invalidate_all()
        run = self.env["dunning.run"].search([("date", "=", "2025-06-20")])
        self.assertFalse(run.jobs_enqueued)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.queued_count, 1)
