import random

from odoo.tests import TransactionCase, freeze_time, tagged
from odoo.tools import sql

from ..models.dunning_bulk import _rounder
from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningBulkRounding(TransactionCase):
    def test_amounts_are_written_as_the_orm_writes_them(self):
        """The bulk insert's amounts, text for text, against the monetary field's own
        conversion: sums of rounded amounts, ties, negatives, zero, odd roundings."""
        field = self.env["dunning.communication"]._fields["amount_total"]
        rng = random.Random(16)
        amounts = [0.0, -0.0, 0.004, -0.004, 0.005, -0.005, 2.675, 1.005, 1e13 + 0.01, -12.345]
        amounts += [round(rng.uniform(-5000, 5000), 3) for _i in range(400)]
        amounts += [sum(round(rng.uniform(0, 900), 2) for _i in range(7)) for _j in range(400)]
        for rounding, places in ((0.01, 2), (0.05, 2), (0.001, 3), (1.0, 0), (0.1, 1)):
            currency = self.env["res.currency"].create(
                {
                    "name": f"X{places}{int(rounding * 1000)}",
                    "symbol": "¤",
                    "rounding": rounding,
                    "decimal_places": places,
                }
            )
            record = self.env["dunning.communication"].new({"currency_id": currency.id})
            convert = _rounder(record, "currency_id", ("currency_id", currency.id))
            for amount in amounts:
                expected = field.convert_to_column_insert(
                    amount, record, {"currency_id": currency.id}
                )
                self.assertEqual(convert(amount), expected, f"{amount} at {rounding}")


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningBulkRun(DunningCommon):
    def test_a_run_writes_what_the_orm_would_compute(self):
        """Reminders are inserted in bulk with their decision given: the ORM recomputing
        every stored computed field of them and of their run finds nothing to change."""
        no_email = self._customer("No Mail Ltd", False)
        for partner in (no_email, self.customer, self.other_customer):
            self._invoice(partner, 100.0, "2025-06-01")
            self._invoice(partner, 40.5, "2025-06-05")
        prepared = self.env["dunning.run"].create({"date": "2025-06-20", "prepare_only": True})
        prepared.action_run()
        sent = self._run("2025-06-28")
        runs = prepared | sent
        communications = runs.communication_ids
        self.assertEqual(
            sorted(communications.mapped("decision")),
            ["draft", "draft", "sent", "sent", "skipped", "skipped"],
        )
        written = {
            c.id: (c.decision, c.run_id.skipped_count, c.run_id.reminded_count)
            for c in communications
        }
        for model, names in (
            (communications, ["decision"]),
            (runs, ["reminded_count", "skipped_count", "queued_count", "message_count"]),
        ):
            for name in names:
                self.env.add_to_compute(model._fields[name], model)
        communications.invalidate_recordset()
        runs.invalidate_recordset()
        self.env.flush_all()
        self.assertEqual(
            {
                c.id: (c.decision, c.run_id.skipped_count, c.run_id.reminded_count)
                for c in communications
            },
            written,
        )
        self.assertEqual((sent.reminded_count, sent.skipped_count, sent.queued_count), (2, 1, 2))
        # The lines carry their reminder's company; who made them and when is the reminder's.
        lines = communications.line_ids
        self.assertEqual(len(lines), 12)
        self.assertEqual(lines.company_id, self.env.company)
        self.assertNotIn("create_uid", lines._fields)
        self.assertEqual(communications.create_uid, self.env.user)

    def test_lines_read_their_currency_and_company_through_invoice_and_reminder(self):
        """A line stores neither (a foreign key each, checked row by row in a large run):
        its amount is in its invoice's currency, rounded in it, and it is found, grouped and
        hidden by the reminder's company."""
        jpy = self.setup_other_currency("JPY", rounding=1.0, rates=[("2017-01-01", 150.0)])
        self._invoice(self.customer, 1000.0, "2025-06-01", currency=jpy)
        self._invoice(self.customer, 40.55, "2025-06-05")
        lines = self._run("2025-06-20").communication_ids.line_ids
        self.assertEqual(
            sorted((line.currency_id.name, line.amount_residual) for line in lines),
            [("JPY", 1000.0), ("USD", 40.55)],
        )
        Line = self.env["dunning.communication.line"]
        self.assertEqual(Line.search([("company_id", "=", self.env.company.id)]), lines)
        self.assertEqual(
            dict(
                Line._read_group(
                    [("id", "in", lines.ids)], ["currency_id"], ["amount_residual:sum"]
                )
            ),
            {jpy: 1000.0, self.env.company.currency_id: 40.55},
        )
        columns = sql.table_columns(self.env.cr, Line._table)
        self.assertFalse({"company_id", "currency_id"} & set(columns))
