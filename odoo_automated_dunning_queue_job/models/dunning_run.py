import logging
import time

import psycopg2

from odoo import api, fields, models

from odoo.addons.odoo_automated_dunning.models.dunning_run import BATCH_SIZE
from odoo.addons.queue_job.jobrunner.channels import ChannelManager
from odoo.addons.queue_job.jobrunner.runner import _channels

_logger = logging.getLogger(__name__)
# A batch's count waits for the other batches' counts (each a one-row UPDATE) this many times.
COUNT_ATTEMPTS = 20


class DunningRun(models.Model):
    """A run's batches as OCA queue_job jobs, which any worker or server running queue_job's
    job runner performs in parallel; each job is the run's own batch body."""

    _inherit = "dunning.run"

    jobs_enqueued = fields.Boolean(
        readonly=True,
        copy=False,
        help="Its batches were handed to OCA's queue_job, to run in parallel.",
    )

    @api.model
    def _queue_job_ready(self):
        """Batches run as jobs unless the system parameter
        odoo_automated_dunning.use_queue_job is 0 (then the cron works through them)."""
        return self._param("use_queue_job", 1) != 0

    def _dispatch_batches(self):
        if not self._queue_job_ready():
            return super()._dispatch_batches()
        if not self.jobs_enqueued:
            self._enqueue_batches()
        return True  # the jobs do the work; the cron goes on with the next run

    @api.model
    def _job_capacity(self):
        """How many jobs queue_job's runner runs at once: the capacity of its root channel, as
        the runner reads it (ODOO_QUEUE_JOB_CHANNELS or [queue_job] channels; else 1)."""
        channels = ChannelManager.parse_simple_config(_channels())
        root = next((channel for channel in channels if channel["name"] == "root"), {})
        return max(int(root.get("capacity") or 1), 1)

    def _batches(self, partner_ids):
        """The customers in batches of at most batch_size, as many batches as a multiple of
        the jobs run at once and of equal size (within one customer): each worker gets the
        same work and none waits for a last, larger batch. In id order."""
        capacity = self._job_capacity()
        count = -(-len(partner_ids) // self._param("batch_size", BATCH_SIZE))
        count = -(-count // capacity) * capacity
        size, larger = divmod(len(partner_ids), count or 1)
        start = 0
        for index in range(count):
            end = start + size + (index < larger)
            if end > start:
                yield partner_ids[start:end]
            start = end

    def _enqueue_batches(self):
        """One job per batch of customers."""
        self.ensure_one()
        self._start()
        candidates = self._candidate_partner_ids()
        self.write({"customer_count": self.customer_done_count + len(candidates)})
        for batch in self._batches(candidates):
            self.with_delay(
                description=self.env._("Dunning %(run)s: customers %(first)s to %(last)s")
                % {"run": self.name, "first": batch[0], "last": batch[-1]},
                identity_key=f"dunning.run-{self.id}-{batch[0]}-{batch[-1]}",
            )._process_batch(list(batch))
        self.jobs_enqueued = True
        if not candidates:
            self.write({"state": "done", "finished_at": fields.Datetime.now()})

    def _process_batch(self, partner_ids):
        """As a job: the run's batch body; the last batch to be counted closes the run. The
        run's stored counts of its messages are not written by the job (see _count_batch):
        they are computed again when the batch is counted."""
        if not self.env.context.get("job_uuid"):
            done_count, total = super()._process_batch(partner_ids)
            self._close_if_counted(done_count, total)
            return done_count, total
        with self.env.protecting(self._message_counts(), self):
            return super()._process_batch(partner_ids)

    def _message_counts(self):
        """The run's stored fields computed from its messages."""
        return [
            field
            for field in self._fields.values()
            if field.store
            and field.compute
            and any(path.startswith("communication_ids") for path in field.get_depends(self)[0])
        ]

    def _count_batch(self, customers, invoices, excluded, last_partner_id):
        """As a job, the batch is counted once its transaction has committed, in a short
        transaction of its own. The job's transaction began with the job; its sibling jobs
        commit their counts on the same run meanwhile, so an UPDATE of the run here fails to
        serialize (REPEATABLE READ) and queue_job would do the whole batch again."""
        if not self.env.context.get("job_uuid"):
            return super()._count_batch(customers, invoices, excluded, last_partner_id)
        run_id, uid, registry = self.id, self.env.uid, self.env.registry
        counts = (customers, invoices, excluded, last_partner_id)

        @self.env.cr.postcommit.add
        def count():
            for attempt in range(COUNT_ATTEMPTS):
                try:
                    with registry.cursor() as cr:
                        run = self.with_env(api.Environment(cr, uid, {})).browse(run_id)
                        run._close_if_counted(*run._count_batch(*counts))
                        for field in run._message_counts():
                            run.env.add_to_compute(field, run)
                        run.flush_recordset()
                    return
                except psycopg2.errors.SerializationFailure:
                    time.sleep(0.05 * (attempt + 1))  # another batch's count: read it and retry
            _logger.error("Dunning run %s: a batch could not be counted", run_id)

        return None, None

    def _close_if_counted(self, done_count, total):
        if self.jobs_enqueued and done_count >= total and self.state != "done":
            self.write({"state": "done", "finished_at": fields.Datetime.now()})
