import time
from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.sql_db import db_connect
from odoo.tests import freeze_time, tagged

from ..models.dunning_run_guard import RUN_LOCK_CLASS
from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningRunGuard(DunningCommon):
    """A run never sends on a day that has not come, and two runs of one company never work
    at the same time: the second is refused at once, with a message, not a database error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("odoo_automated_dunning.use_queue_job", 0)
        cls.cron = cls.env.ref("odoo_automated_dunning.ir_cron_dunning_run")

    def _runs(self):
        return self.env["dunning.run"].search([("company_id", "=", self.env.company.id)])

    # The run's date ------------------------------------------------------------------------

    @freeze_time("2025-06-20 23:30:00")
    def test_a_run_cannot_send_on_a_day_to_come_in_the_companys_timezone(self):
        self._invoice(self.customer, 100.0, "2025-06-01")
        Run = self.env["dunning.run"]
        self.env.company.partner_id.tz = "America/Los_Angeles"  # still 20 June, 16:30
        ahead = Run.create({"date": "2025-06-21"})
        with self.assertRaises(UserError) as caught:
            ahead.action_run()
        self.assertIn("2025-06-21, after today (2025-06-20)", str(caught.exception))
        self.assertIn("Preview", str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(ahead.state, "draft")
        self.assertFalse(ahead.communication_ids)
        self.assertFalse(self._mails_to(self.customer))
        # A preview may look ahead: it sends nothing.
        preview = self.env["dunning.run.preview"].browse(ahead.action_preview()["res_id"])
        self.assertEqual(preview.line_ids.partner_id, self.customer)
        self.assertFalse(self._mails_to(self.customer))
        # In Paris it is already 21 June: the same date runs.
        self.env.company.partner_id.tz = "Europe/Paris"
        ahead.action_run()
        self.assertEqual((ahead.state, len(self._mails_to(self.customer))), ("done", 1))

    @freeze_time("2025-06-20 10:00:00")
    def test_run_dates_within_a_sane_range(self):
        Run = self.env["dunning.run"]
        for bad in ("9999-12-31", "2026-06-22", "1999-12-31"):
            with self.subTest(date=bad), self.assertRaises(ValidationError):
                Run.create({"date": bad})
        run = Run.create({"date": "2025-06-19"})
        with self.assertRaises(ValidationError):
            run.write({"date": "9999-12-31"})
        # Replaying a past day is what the date is for.
        run.action_run()
        self.assertEqual(run.state, "done")

    # Two runs at once ----------------------------------------------------------------------

    def _held_by_another_worker(self):
        """A second database connection, as another worker or server would hold it, working
        on a run of the company (it holds the run lock until it commits or rolls back)."""
        other = db_connect(self.env.cr.dbname).cursor()
        other.execute("SELECT pg_advisory_xact_lock(%s, %s)", (RUN_LOCK_CLASS, self.env.company.id))
        return other

    @freeze_time("2025-06-20 10:00:00")
    def test_a_second_run_of_the_company_is_refused_at_once(self):
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 100.0, "2025-06-01")
        Run = self.env["dunning.run"]
        first, second = Run.create({"date": "2025-06-20"}), Run.create({"date": "2025-06-20"})
        other = self._held_by_another_worker()
        try:
            start = time.perf_counter()
            with self.assertRaises(UserError) as caught:
                second.action_run()
            self.assertLess(time.perf_counter() - start, 1.0, "refused at once, not after a wait")
            self.assertIn("Another dunning run of", str(caught.exception))
            self.assertIn(second.name, str(caught.exception))
            self.env.invalidate_all()
            self.assertEqual(second.state, "draft")
            self.assertFalse(second.communication_ids)
        finally:
            other.rollback()
            other.close()
        # Once the other run is done, this one proceeds: one reminder per customer.
        first.action_run()
        second.action_run()
        self.assertEqual(first.communication_ids.partner_id, self.customer | self.other_customer)
        self.assertFalse(second.communication_ids.filtered(lambda c: c.state in ("queued", "sent")))
        for customer in (self.customer, self.other_customer):
            self.assertEqual(len(self._mails_to(customer)), 1, customer.name)

    @freeze_time("2025-06-20 10:00:00")
    def test_the_daily_job_waits_while_another_run_of_the_company_works(self):
        self._invoice(self.customer, 100.0, "2025-06-01")
        other = self._held_by_another_worker()
        try:
            with self.enter_registry_test_mode(), self.assertNoLogs("odoo", "WARNING"):
                self.cron.method_direct_trigger()
            self.env.invalidate_all()
            run = self._runs()
            self.assertEqual((run.date, run.state), (date(2025, 6, 20), "running"))
            self.assertFalse(run.communication_ids)
        finally:
            other.rollback()
            other.close()
        with self.enter_registry_test_mode():
            self.cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual((self._runs(), run.state), (run, "done"))
        self.assertEqual(len(self._mails_to(self.customer)), 1)
