from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningRunPreview(DunningCommon):
    """The preview shows a page of customers at a time, each as the run would decide it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("odoo_automated_dunning.preview_page_size", 2)
        # In name order: Acme Corp, Beta, Cobalt, Delta, Echo (Globex owes nothing).
        cls.acme_invoice = cls._invoice(cls.customer, 100.0, "2025-06-01")
        cls.beta = cls._customer("Beta", False)  # no address: skipped
        cls._invoice(cls.beta, 200.0, "2025-06-01")
        cls.cobalt = cls._customer("Cobalt", "ap@cobalt.example.com")
        cls._invoice(cls.cobalt, 300.0, "2025-06-17")  # 3 days late: nothing due yet
        cls.delta = cls._customer("Delta", "ap@delta.example.com")
        cls._invoice(cls.delta, 400.0, "2025-05-01")
        cls.echo = cls._customer("Echo", "ap@echo.example.com")
        cls.echo_invoices = cls._invoice(cls.echo, 50.0, "2025-06-02") | cls._invoice(
            cls.echo, 60.0, "2025-06-05"
        )

    def _decisions(self, preview):
        return {
            line.partner_id: (line.action, line.skip_reason, line.level_id, line.invoice_ids)
            for line in preview.line_ids
        }

    def test_pages_follow_each_other_in_name_order_with_the_runs_decisions(self):
        run = self.env["dunning.run"].create({"date": "2025-06-20"})
        action = run.action_preview()
        preview = self.env["dunning.run.preview"].browse(action["res_id"])

        self.assertEqual((preview.page_start, preview.page_end, preview.customer_total), (0, 2, 5))
        self.assertEqual(preview.line_ids.partner_id, self.customer | self.beta)
        self.assertEqual((preview.send_count, preview.skip_count, preview.quiet_count), (1, 1, 0))
        self.assertIn("Customers 1 to 2 of 5", preview.page_note)
        decided = self._decisions(preview)

        again = preview.action_next_page()
        self.assertEqual((again["res_model"], again["res_id"]), (preview._name, preview.id))
        self.assertEqual((preview.page_start, preview.page_end), (2, 4))
        # Cobalt has nothing due: counted, no line.
        self.assertEqual(preview.line_ids.partner_id, self.delta)
        self.assertEqual((preview.send_count, preview.skip_count, preview.quiet_count), (1, 0, 1))
        self.assertIn("Customers 3 to 4 of 5", preview.page_note)
        self.assertIn("1 with nothing due today", preview.page_note)
        decided.update(self._decisions(preview))

        preview.action_next_page()
        self.assertEqual((preview.page_start, preview.page_end), (4, 5))
        self.assertEqual(preview.line_ids.partner_id, self.echo)
        decided.update(self._decisions(preview))
        self.assertEqual(decided[self.echo][3], self.echo_invoices)

        preview.action_previous_page()
        self.assertEqual((preview.page_start, preview.page_end), (2, 4))
        self.assertEqual(preview.line_ids.partner_id, self.delta)

        # Nothing was written by the preview; the run then does what its pages said.
        self.assertFalse(run.communication_ids)
        self.assertFalse(self.acme_invoice.dunning_level_id)
        with self._on_day(run.date):
            run.action_run()
        done = {}
        for communication in run.communication_ids:
            done[communication.partner_id] = (
                "skip" if communication.state == "skipped" else "send",
                communication.skip_reason,
                communication.level_id,
                communication.line_ids.move_id,
            )
        self.assertEqual(done, decided)
        self.assertEqual(decided[self.beta][:2], ("skip", "no_email"))
        self.assertEqual(run.customer_count, preview.customer_total)

    def test_a_run_for_a_few_customers_previews_only_them(self):
        run = self.env["dunning.run"].create(
            {"date": "2025-06-20", "partner_ids": [(6, 0, (self.delta | self.echo).ids)]}
        )
        preview = self.env["dunning.run.preview"].browse(run.action_preview()["res_id"])
        self.assertEqual((preview.customer_total, preview.page_end), (2, 2))
        self.assertEqual(preview.line_ids.partner_id, self.delta | self.echo)

    def test_pages_stay_put_and_each_is_decided_when_shown(self):
        run = self.env["dunning.run"].create({"date": "2025-06-20"})
        preview = self.env["dunning.run.preview"].browse(run.action_preview()["res_id"])
        self._pay(self.env["account.move"].search([("partner_id", "=", self.delta.id)]))
        preview.action_next_page()
        # The pages are those of the opening; Delta, paid since, has nothing due any more.
        self.assertEqual((preview.customer_total, preview.page_start), (5, 2))
        self.assertFalse(preview.line_ids)
        self.assertEqual(preview.quiet_count, 2)
        self.assertIn(
            "0 reminder(s) to send, 0 skipped, 2 with nothing due today", preview.page_note
        )
