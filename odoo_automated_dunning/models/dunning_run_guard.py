"""What keeps a dunning run safe: its date (never out of range, never a day to come when it
sends) and the company's run lock (two runs never decide for the same customers at once)."""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..core import inputs

_logger = logging.getLogger(__name__)

# PostgreSQL advisory lock space of "a run of this company is working" (key: the company id).
RUN_LOCK_CLASS = 0x44554E  # "DUN"


class DunningRun(models.Model):
    _inherit = "dunning.run"

    # -------------------------------------------------------------------- dates

    @api.constrains("date", "company_id")
    def _check_date(self):
        for run in self:
            today = run.company_id._dunning_today()
            if not inputs.date_in_range(run.date, today):
                raise ValidationError(
                    self.env._(
                        "Run %(run)s: the date %(date)s is out of range; choose a date between "
                        "%(first)s and %(last)s (a day to come can only be previewed).",
                        run=run.name,
                        date=run.date,
                        first=inputs.MIN_DATE,
                        last=fields.Date.add(today, days=inputs.MAX_DAYS_AHEAD),
                    )
                )

    def _check_not_ahead(self):
        """A run sends real reminders: never for a day that has not come in the company's
        timezone (a preview may look ahead)."""
        self.ensure_one()
        today = self.company_id._dunning_today()
        if self.date > today:
            raise UserError(
                self.env._(
                    "Run %(run)s is dated %(date)s, after today (%(today)s) for %(company)s: "
                    "it would send reminders for a day that has not come. Use Preview to see "
                    "what that day would send, or set today's date to run.",
                    run=self.name,
                    date=self.date,
                    today=today,
                    company=self.company_id.name,
                )
            )

    # --------------------------------------------------------------------- lock

    def _try_lock(self):
        """Hold the company's run lock for this transaction, or False at once when another
        transaction (a worker, the daily job, another server) holds it.

        A transaction-level advisory lock: each committed batch releases it, a crash never
        leaves it behind, and two runs never decide for the same customers at once (which
        ended in a serialization failure, or worse).
        """
        self.ensure_one()
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)", (RUN_LOCK_CLASS, self.company_id.id)
        )
        return self.env.cr.fetchone()[0]

    def _wait_for_lock(self):
        """Another run of the company holds the lock: the daily job tries again shortly."""
        _logger.info("Run %s waits: another run of its company is working.", self.name)
        self.env.ref("odoo_automated_dunning.ir_cron_dunning_run").sudo()._trigger(
            fields.Datetime.add(fields.Datetime.now(), minutes=5)
        )
