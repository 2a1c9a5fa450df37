from odoo.tests import freeze_time, tagged

from .common import DunningCommon
from .test_dunning_channels import pdf_text


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningStatement(DunningCommon):
    """A hand-built book: invoices 10, 45 and 100 days overdue, one not due, a credit note."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.external_report_layout_id = cls.env.ref("web.external_layout_standard")
        customer = cls.customer
        cls.old = cls._invoice(customer, 1500.0, "2025-03-22")  # 100 days
        cls._pay(cls.old, amount=500.0, date="2025-04-10")
        cls.mid = cls._invoice(customer, 450.0, "2025-05-16")  # 45 days
        cls.recent = cls._invoice(customer, 300.0, "2025-06-20")  # 10 days
        cls.future = cls._invoice(
            customer,
            200.0,
            "2025-06-30",
            invoice_date_due="2025-07-05",
            invoice_payment_term_id=False,
        )
        cls.credit = cls._invoice(customer, 120.0, "2025-06-10", move_type="out_refund")
        cls._invoice(cls.other_customer, 999.0, "2025-06-01")  # someone else's

    def _statement(self):
        report = self.env["report.odoo_automated_dunning.report_dunning_statement"]
        values = report._get_report_values(self.customer.ids)
        return values["statements"][self.customer.id]

    def test_buckets_and_running_balance(self):
        (statement,) = self._statement()

        self.assertEqual(
            [row.item.document for row in statement.rows],
            [self.old.name, self.mid.name, self.credit.name, self.recent.name, self.future.name],
        )
        self.assertEqual(
            [row.balance for row in statement.rows], [1000.0, 1450.0, 1330.0, 1630.0, 1830.0]
        )
        self.assertEqual(
            statement.buckets,
            {"not_due": 200.0, "1_30": 180.0, "31_60": 450.0, "61_90": 0.0, "over_90": 1000.0},
        )
        self.assertEqual(statement.rows[0].item.original, 1500.0)

    def test_statement_pdf_lists_the_open_items_and_totals(self):
        with self.allow_pdf_render():
            name, pdf = self.customer.with_context(
                force_report_rendering=True
            )._dunning_statement_pdf()

        self.assertEqual(name, "Statement - Acme Corp.pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))
        text = pdf_text(pdf)
        for move in (self.old, self.mid, self.recent, self.future, self.credit):
            self.assertIn(move.name, text)
        self.assertIn("$ 1,830.00", text)
        self.assertIn("$ 1,000.00", text)  # over 90 days
        self.assertIn("$ -120.00 $ -120.00 $ 1,330.00", text)  # the credit note's row
        self.assertNotIn("999.00", text, "another customer's invoice")

    def test_a_level_attaches_the_statement_to_its_email(self):
        self.level1.attach_statement = True
        with self.allow_pdf_render():
            run = (
                self.env["dunning.run"]
                .with_context(force_report_rendering=True)
                .create({"date": "2025-06-30", "company_id": self.env.company.id})
            )
            run.action_run()
        mail = self._mails_to(self.customer)
        self.assertEqual(mail.attachment_ids.mapped("name"), ["Statement - Acme Corp.pdf"])
        self.assertIn(self.mid.name, pdf_text(mail.attachment_ids.raw))
