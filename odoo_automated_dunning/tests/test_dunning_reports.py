from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import SQL

from .common import DunningCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningReports(DunningCommon):
    def _by(self, field, domain=None):
        groups = self.env["dunning.delinquency.report"]._read_group(
            [("partner_id", "in", (self.customer | self.other_customer).ids)] + (domain or []),
            [field],
            ["amount_residual:sum", "__count"],
        )
        return {key: (amount, count) for key, amount, count in groups}

    def test_delinquency_by_ageing_bucket_level_and_customer(self):
        self._invoice(self.customer, 100.0, "2025-06-20")  # 10 days late
        partly_paid = self._invoice(self.customer, 1000.0, "2025-05-16")  # 45 days
        self._pay(partly_paid, amount=400.0, date="2025-06-01")
        self._invoice(self.other_customer, 300.0, "2025-04-16")  # 75 days
        eur = self.setup_other_currency("EUR")  # 2 EUR for 1 company unit
        self._invoice(self.other_customer, 500.0, "2025-03-02", currency=eur)  # 120 days
        self._invoice(self.customer, 999.0, "2025-06-30")  # due today: not overdue
        paid = self._invoice(self.customer, 50.0, "2025-01-01")
        self._pay(paid, date="2025-02-01")
        self._run("2025-06-25")  # levels: the 10-day invoice stays without level

        self.assertEqual(
            self._by("bucket"),
            {
                "1_30": (100.0, 1),
                "31_60": (600.0, 1),
                "61_90": (300.0, 1),
                "over_90": (250.0, 1),
            },
        )
        self.assertEqual(
            self._by("partner_id"),
            {self.customer: (700.0, 2), self.other_customer: (550.0, 2)},
        )
        by_level = self._by("level_id")
        self.assertEqual(by_level[self.level1], (1150.0, 3))
        self.assertEqual(by_level[self.env["dunning.level"]], (100.0, 1))
        row = self.env["dunning.delinquency.report"].search([("move_id", "=", partly_paid.id)])
        self.assertEqual((row.days_overdue, row.policy_id), (45, self.policy))

    def test_delinquency_respects_companies(self):
        company_2 = self.setup_other_company()["company"]
        self._invoice(self.customer, 100.0, "2025-06-01")
        other = (
            self.env["account.move"]
            .with_company(company_2)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "invoice_date": "2025-06-01",
                    "invoice_payment_term_id": self.immediate.id,
                    "invoice_line_ids": [
                        (0, 0, {"name": "x", "quantity": 1, "price_unit": 70.0, "tax_ids": []})
                    ],
                }
            )
        )
        other.action_post()
        report = self.env["dunning.delinquency.report"].with_company(self.env.company)
        rows = report.with_context(allowed_company_ids=[self.env.company.id]).search([])
        self.assertNotIn(other, rows.move_id)
        self.assertEqual(
            rows.filtered(lambda r: r.partner_id == self.customer).amount_residual, 100.0
        )

    def test_effectiveness_of_reminders_by_level(self):
        initech = self._customer("Initech", "ar@initech.example.com")
        quick = self._invoice(self.customer, 1000.0, "2025-06-01")
        slow = self._invoice(self.other_customer, 500.0, "2025-06-01")
        self._invoice(initech, 300.0, "2025-06-01")  # never paid
        run = self._run("2025-06-10")
        self._pay(quick, date="2025-06-15")  # 5 days after the reminder
        self._pay(slow, amount=200.0, date="2025-06-20")  # 10 days
        self._pay(slow, amount=300.0, date="2025-07-05")  # 25 days: now fully paid

        report = self.env["dunning.effectiveness.report"]
        rows = {
            r.partner_id: r
            for r in report.search([("communication_id", "in", run.communication_ids.ids)])
        }
        self.assertEqual(
            (rows[self.customer].paid_7, rows[self.customer].days_to_pay), (1000.0, 5.0)
        )
        slow_row = rows[self.other_customer]
        self.assertEqual(
            (slow_row.paid_7, slow_row.paid_14, slow_row.paid_30, slow_row.days_to_pay),
            (0.0, 200.0, 500.0, 25.0),
        )
        self.assertEqual((slow_row.paid_14_rate, slow_row.paid_30_rate), (0.0, 100.0))
        self.assertFalse(rows[initech].days_to_pay)

        [(level, due, paid_7, rate_7, rate_30, days)] = report._read_group(
            [("communication_id", "in", run.communication_ids.ids)],
            ["level_id"],
            [
                "amount_due:sum",
                "paid_7:sum",
                "paid_7_rate:avg",
                "paid_30_rate:avg",
                "days_to_pay:avg",
            ],
        )
        self.assertEqual((level, due, paid_7), (self.level1, 1800.0, 1000.0))
        # One reminder in three fully paid within 7 days, two in three within 30; the two paid
        # ones took 5 and 25 days.
        self.assertAlmostEqual(rate_7, 100 / 3, places=6)
        self.assertAlmostEqual(rate_30, 200 / 3, places=6)
        self.assertEqual(days, 15.0)
        self.assertEqual(rows[self.customer].mail_template_id, self.templates["friendly"])

    def test_payment_behaviour_score_drives_a_policy_for_risky_customers(self):
        late = self._invoice(self.customer, 1000.0, "2025-03-01")
        self._pay(late, date="2025-03-31")  # 30 days late
        early = self._invoice(self.customer, 3000.0, "2025-04-01")
        self._pay(early, date="2025-03-30")  # before it was due
        self._invoice(
            self.customer,
            1500.0,
            "2025-06-25",
            invoice_payment_term_id=self.env.ref("account.account_payment_term_30days").id,
        )  # open, not due
        self._invoice(self.customer, 500.0, "2025-06-20")  # open, overdue
        self._invoice(self.other_customer, 100.0, "2025-06-20")

        self.env["dunning.partner.behaviour"]._compute_for_company(self.env.company)

        behaviour = self.customer.dunning_behaviour_id
        # 7.5 days late on average by amount; 75% paid on time; 500 of 2,000 open is overdue.
        self.assertEqual(
            (behaviour.avg_days_late, behaviour.on_time_share, behaviour.overdue_share),
            (7.5, 75.0, 25.0),
        )
        self.assertEqual(
            (behaviour.lateness_points, behaviour.punctuality_points, behaviour.overdue_points),
            (5.0, 7.5, 7.5),
        )
        self.assertEqual(self.customer.dunning_risk_score, 20.0)
        self.assertEqual(self.other_customer.dunning_risk_score, 30.0)  # all it owes is overdue

        firm = self.env["dunning.policy"].create(
            {
                "name": "Firm",
                "sequence": 1,
                "minimum_risk_score": 25.0,
                "level_ids": [(0, 0, self._level_vals("Firm reminder", 10, 1, "day", "formal", 0))],
            }
        )
        run = self._run("2025-06-30")
        by_partner = {c.partner_id: c for c in run.communication_ids}
        self.assertEqual(by_partner[self.other_customer].policy_id, firm)
        self.assertEqual(by_partner[self.customer].policy_id, self.policy)

    def test_worklist_orders_customers_by_expected_recovery(self):
        risky = self._customer("Risky Ltd", "ap@risky.example.com")
        self._invoice(self.customer, 1000.0, "2025-06-01")
        self._invoice(risky, 1500.0, "2025-06-01")
        disputed = self._invoice(self.other_customer, 5000.0, "2025-06-01")
        disputed.dunning_dispute = True
        self.env["dunning.partner.behaviour"].sudo().create(
            {"partner_id": risky.id, "company_id": self.env.company.id, "score": 60.0}
        )
        self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": risky.id,
                "summary": "Call about the overdue invoice",
                "date_deadline": "2025-07-02",
            }
        )

        rows = self.env["dunning.worklist"].search(
            [("partner_id", "in", (self.customer | risky | self.other_customer).ids)]
        )

        # 1,000 x 100% = 1,000 before 1,500 x 40% = 600; the disputed 5,000 is not chased.
        self.assertEqual(rows.partner_id.ids, [self.customer.id, risky.id])
        self.assertEqual(rows.mapped("expected_recovery"), [1000.0, 600.0])
        self.assertEqual(rows[1].likelihood, 40.0)
        self.assertEqual(
            (rows[1].activity_count, str(rows[1].next_activity_date)), (1, "2025-07-02")
        )

    def test_worklist_shows_open_promises_and_not_done_tasks(self):
        invoice = self._invoice(self.customer, 800.0, "2025-06-01")
        done = self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": self.customer.id,
                "summary": "Call made",
                "date_deadline": "2025-06-20",
            }
        )
        done.action_feedback(feedback="Reached")
        self._promise(invoice, 800.0, "2025-07-04", "open")

        row = self.env["dunning.worklist"].search([("partner_id", "=", self.customer.id)])

        self.assertEqual(row.activity_count, 0, "a done (archived) task is not open")
        self.assertEqual((row.open_promise_count, str(row.next_promise_date)), (1, "2025-07-04"))

    def test_worklist_sums_overdue_installments_and_shows_a_payment_at_once(self):
        halves = self.env["account.payment.term"].create(
            {
                "name": "Half now, half in 10 days",
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 0}),
                    Command.create({"value": "percent", "value_amount": 50.0, "nb_days": 10}),
                ],
            }
        )
        advance = self.env.ref("account.account_payment_term_advance_60days")
        plain = self._invoice(self.customer, 1000.0, "2025-06-01")
        # Both halves overdue (due 1 and 11 May): one invoice, counted once.
        self._invoice(self.customer, 400.0, "2025-05-01", invoice_payment_term_id=halves.id)
        # 30% due 1 June, the 70% due 31 July is not overdue yet.
        self._invoice(self.customer, 1000.0, "2025-06-01", invoice_payment_term_id=advance.id)
        self._invoice(self.other_customer, 50.0, "2025-06-01")
        Worklist = self.env["dunning.worklist"]
        domain = [("partner_id", "in", (self.customer | self.other_customer).ids)]
        spec = {"partner_id": {"fields": {"display_name": {}}}, "overdue_amount": {}}

        def acme():
            self.env.invalidate_all()
            row = Worklist.search([("partner_id", "=", self.customer.id)])
            return row.overdue_amount, row.invoice_count, str(row.oldest_due_date)

        self.assertEqual(acme(), (1700.0, 3, "2025-05-01"))
        # As the list asks: a page of one row (the largest first), and the count of all.
        page = Worklist.web_search_read(domain, spec, limit=1, count_limit=10001)
        self.assertEqual(page["length"], 2)
        self.assertEqual(
            [(r["partner_id"]["id"], r["overdue_amount"]) for r in page["records"]],
            [(self.customer.id, 1700.0)],
        )

        # A payment shows at the next reading: nothing to refresh.
        self._pay(plain, amount=600.0)
        self.assertEqual(acme(), (1100.0, 3, "2025-05-01"))
        self._pay(plain)
        self.assertEqual(acme(), (700.0, 2, "2025-05-01"))

    def test_worklist_follows_a_dispute_and_its_resolution_at_once(self):
        invoice = self._invoice(self.customer, 900.0, "2025-06-01")
        self._invoice(self.customer, 100.0, "2025-06-01")
        receivable = invoice.line_ids.filtered(lambda line: line.account_type == "asset_receivable")
        Worklist = self.env["dunning.worklist"]

        def acme():
            self.env.invalidate_all()
            row = Worklist.search([("partner_id", "=", self.customer.id)])
            return row.overdue_amount, row.invoice_count

        self.assertEqual(acme(), (1000.0, 2))
        self.assertTrue(receivable.dunning_chased)
        invoice._dunning_open_dispute("Goods not received", "portal")
        self.assertFalse(receivable.dunning_chased, "a disputed invoice's items are not chased")
        self.assertEqual(acme(), (100.0, 1))
        invoice.action_dunning_resolve_dispute()
        self.assertEqual(acme(), (1000.0, 2))
        self._pay(invoice)
        self.assertFalse(receivable.dunning_chased, "a paid invoice's items are not chased")
        self.assertEqual(acme(), (100.0, 1))
        # The install fills the column in SQL: it says what the compute says, item by item
        # (the customer's invoices, its payment, and the company's other entries).
        Line = self.env["account.move.line"]
        Line.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT line.id, COALESCE(line.dunning_chased, FALSE), %s FROM account_move_line"
                " line JOIN account_move move ON move.id = line.move_id",
                Line._dunning_chased_sql(),
            )
        )
        rows = self.env.cr.fetchall()
        self.assertIn(True, {row[1] for row in rows})
        self.assertEqual([row for row in rows if row[1] != row[2]], [])

    def _promise(self, invoice, amount, promised, state):
        return self.env["dunning.promise"].create(
            {
                "partner_id": invoice.commercial_partner_id.id,
                "date": promised,
                "date_promised": promised,
                "currency_id": invoice.currency_id.id,
                "amount": amount,
                "move_ids": invoice.ids,
                "residual_at_promise": invoice.amount_residual,
                "state": state,
            }
        )

    def test_behaviour_counts_promises_kept_over_twelve_months(self):
        invoice = self._invoice(self.customer, 800.0, "2025-05-01")
        self._promise(invoice, 100.0, "2025-05-10", "kept")
        self._promise(invoice, 100.0, "2025-06-10", "broken")
        self._promise(invoice, 100.0, "2025-06-12", "kept")
        self._promise(invoice, 100.0, "2025-07-10", "open")  # not due yet: not counted
        self._promise(invoice, 100.0, "2024-05-10", "broken")  # over a year ago

        self.env["dunning.partner.behaviour"]._compute_for_company(self.env.company)

        behaviour = self.customer.dunning_behaviour_id
        self.assertEqual((behaviour.promise_kept_count, behaviour.promise_count), (2, 3))
        self.assertAlmostEqual(behaviour.promise_kept_share, 66.67, places=2)
        self.assertEqual(
            self.other_customer.dunning_behaviour_id.promise_kept_share or 100.0, 100.0
        )

    def test_kpis_by_their_formulas(self):
        reminded = self._invoice(self.customer, 1000.0, "2025-05-10")  # before the period, unpaid
        paid_after_reminder = self._invoice(self.customer, 300.0, "2025-05-15")
        self._run("2025-06-01")  # one reminder: 1,300 at level 1
        self._pay(paid_after_reminder, date="2025-06-15")
        paid = self._invoice(self.other_customer, 600.0, "2025-06-05")
        self._pay(paid, date="2025-06-10")
        self._invoice(self.other_customer, 400.0, "2025-06-20")  # 10 days overdue
        self._invoice(
            self.other_customer,
            500.0,
            "2025-06-25",
            invoice_payment_term_id=self.env.ref("account.account_payment_term_30days").id,
        )  # not due
        self.assertEqual(reminded.dunning_level_id, self.level1)

        data = self.env["dunning.kpi.dashboard"].get_kpis(date_to="2025-06-30", period_days=30)

        kpis = {figure["name"]: figure["value"] for figure in data["figures"]}
        # Start 1,300; sales 1,500; end 1,300 + 1,500 - 300 - 600 = 1,900; current 500.
        self.assertEqual((kpis["receivables"], kpis["credit_sales"]), (1900.0, 1500.0))
        self.assertEqual(kpis["dso"], 38.0)  # 1,900 / 1,500 x 30
        self.assertEqual(kpis["cei"], 39.13)  # (1,300 + 1,500 - 1,900) / (1,300 + 1,500 - 500)
        self.assertEqual(kpis["overdue_share"], 73.68)  # 1,400 / 1,900
        self.assertEqual(kpis["average_days_late"], 39.29)  # (1,000 x 51 + 400 x 10) / 1,400
        self.assertEqual((data["date_from"], data["date_to"]), ("2025-06-01", "2025-06-30"))
        [line] = data["levels"]
        self.assertEqual((line["level_id"], line["reminder_count"]), (self.level1.id, 1))
        self.assertEqual(
            (line["amount_due"], line["paid_30"], line["recovery_rate"]), (1300.0, 300.0, 23.08)
        )
        # Each figure carries its formula, as the dashboard shows it.
        dso = next(figure for figure in data["figures"] if figure["name"] == "dso")
        self.assertEqual(dso["label"], "DSO (days)")
        self.assertIn("receivables at the end / credit sales", dso["formula"])

    def test_kpis_are_for_dunning_users_only(self):
        clerk = self.env["res.users"].create(
            {
                "name": "Billing Clerk",
                "login": "clerk_kpi",
                "group_ids": [Command.set([self.env.ref("account.group_account_invoice").id])],
            }
        )
        with self.assertRaises(AccessError):
            self.env["dunning.kpi.dashboard"].with_user(clerk).get_kpis()


@tagged("post_install", "-at_install")
class TestDunningKpiDashboardTour(HttpCase):
    def test_the_kpi_dashboard_opens_as_a_dashboard(self):
        """The menu opens a dashboard named in the breadcrumb, not a record, and it reloads
        for another period."""
        self.env.ref("base.user_admin").group_ids += self.env.ref(
            "odoo_automated_dunning.group_dunning_user"
        )
        self.start_tour("/odoo/dunning-kpis", "dunning_kpi_dashboard", login="admin")


@tagged("post_install", "-at_install")
class TestDunningBackOfficeViews(DunningCommon):
    def _columns(self, action_xmlid):
        """The columns the action's list shows by default (not hidden, not optional-hidden)."""
        action = self.env.ref(action_xmlid)
        views = self.env[action.res_model].get_views([(action.view_id.id, "list")])
        arch = etree.fromstring(views["views"]["list"]["arch"])
        return [
            field.get("name")
            for field in arch.iterfind("field")
            if field.get("optional") != "hide"
            and field.get("column_invisible") not in ("1", "True", "true")
        ]

    def test_overdue_invoices_show_what_is_due_its_level_and_dispute(self):
        columns = self._columns("odoo_automated_dunning.account_move_action_dunning_overdue")
        for name in ("amount_residual", "dunning_level_id", "dunning_last_date", "dunning_dispute"):
            self.assertIn(name, columns)
        self.assertNotIn("amount_total_in_currency_signed", columns, "the total is not what is due")
