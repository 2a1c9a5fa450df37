from odoo import api, fields, models
from odoo.tools import split_every

from odoo.addons.odoo_automated_dunning.models.dunning_run import BATCH_SIZE


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

    def _enqueue_batches(self):
        """One job per batch of customers."""
        self.ensure_one()
        self._start()
        candidates = self._candidate_partner_ids()
        self.write({"customer_count": self.customer_done_count + len(candidates)})
        for batch in split_every(self._param("batch_size", BATCH_SIZE), candidates):
            self.with_delay(
                description=self.env._("Dunning %(run)s: customers %(first)s to %(last)s")
                % {"run": self.name, "first": batch[0], "last": batch[-1]},
                identity_key=f"dunning.run-{self.id}-{batch[0]}-{batch[-1]}",
            )._process_batch(list(batch))
        self.jobs_enqueued = True
        if not candidates:
            self.write({"state": "done", "finished_at": fields.Datetime.now()})

    def _process_batch(self, partner_ids):
        """As a job: the run's batch body; the last batch to finish closes the run."""
        done_count, total = super()._process_batch(partner_ids)
        if self.jobs_enqueued and done_count >= total and self.state != "done":
            self.write({"state": "done", "finished_at": fields.Datetime.now()})
        return done_count, total
