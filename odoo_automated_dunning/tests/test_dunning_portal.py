import json
import urllib.parse

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import DunningCommon


class DunningPortalCommon(DunningCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({"dunning_window_start": 0.0, "dunning_window_end": 24.0})
        today = fields.Date.today()
        cls.inv_old = cls._invoice(cls.customer, 300.0, fields.Date.subtract(today, days=40))
        cls.inv_new = cls._invoice(cls.customer, 200.0, fields.Date.subtract(today, days=20))
        cls.other_inv = cls._invoice(
            cls.other_customer, 900.0, fields.Date.subtract(today, days=30)
        )
        contact = cls.env["res.partner"].create(
            {"name": "Jane Buyer", "parent_id": cls.customer.id, "email": "jane@acme.example.com"}
        )
        cls.portal_user = new_test_user(
            cls.env,
            login="jane",
            groups="base.group_portal",
            partner_id=contact.id,
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )
        Plan = cls.env["dunning.payment.plan"]
        cls.other_plan = Plan.create(
            Plan._prepare_from_invoices(cls.other_inv, installment_count=3, first_due_date=today)
        )
        # Customers pay with Odoo's demo provider (test mode).
        provider = cls.env.ref("payment.payment_provider_demo").sudo()
        cls.env["payment.provider"].sudo().search(
            [("id", "!=", provider.id), ("company_id", "=", cls.env.company.id)]
        ).write({"state": "disabled"})
        method = cls.env.ref("payment_demo.payment_method_demo").sudo()
        method.active = True
        provider.write(
            {
                "state": "test",
                "is_published": True,
                "company_id": cls.env.company.id,
                "payment_method_ids": [Command.set(method.ids)],
                "journal_id": cls.company_data["default_journal_bank"].id,
                "allow_tokenization": False,
                "allow_express_checkout": False,
            }
        )

    def _csrf(self, url="/my/dunning"):
        """The form token of a page, as the browser would send it back."""
        page = self.url_open(url)
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def _own_plan(self, state="proposed"):
        Plan = self.env["dunning.payment.plan"]
        plan = Plan.create(
            Plan._prepare_from_invoices(
                self.inv_old | self.inv_new,
                installment_count=2,
                first_due_date=fields.Date.add(fields.Date.today(), days=10),
            )
        )
        if state == "proposed":
            plan.action_propose()
        elif state == "active":
            plan.action_activate()
        return plan


@tagged("post_install", "-at_install")
class TestDunningPortalAccess(DunningPortalCommon):
    """Every portal route shows and changes only the visitor's own customer's documents."""

    def test_portal_home_counts_payments_due(self):
        self.authenticate("jane", "jane")
        response = self.url_open(
            "/my/counters",
            data=json.dumps({"params": {"counters": ["dunning_due_count"]}}),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.json()["result"]["dunning_due_count"], 2)
        page = self.url_open("/my/home")
        self.assertIn("Payments due", page.text)

    def test_the_payments_page_lists_own_overdue_invoices_levels_and_plans(self):
        self._run(fields.Date.today())
        plan = self._own_plan("active")
        self.authenticate("jane", "jane")
        page = self.url_open("/my/dunning")
        self.assertEqual(page.status_code, 200)
        for text in (self.inv_old.name, self.inv_new.name, "Reminder", plan.name, "500.00"):
            self.assertIn(text, page.text)
        self.assertNotIn(self.other_inv.name, page.text)
        self.assertNotIn(self.other_plan.name, page.text)

    def test_reminder_links_open_the_page_without_login_and_wrong_tokens_are_refused(self):
        url = self.other_customer._dunning_portal_url().replace(self.customer.get_base_url(), "")
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.other_inv.name, page.text)
        self.assertNotIn(self.inv_old.name, page.text)
        forged = url.replace(
            self.other_customer._dunning_portal_token(), self.customer._dunning_portal_token()
        )
        self.assertEqual(self.url_open(forged).status_code, 404)
        self.assertIn("/web/login", self.url_open("/my/dunning").url)

    def test_login_returns_to_the_page_with_its_whole_query(self):
        wanted = f"/my/dunning/pay?invoice_ids={self.inv_old.id}&invoice_ids={self.inv_new.id}"
        login = self.url_open(wanted, allow_redirects=False)
        location = urllib.parse.urlsplit(login.headers["Location"])
        self.assertEqual(location.path, "/web/login")
        self.assertEqual(urllib.parse.parse_qs(location.query)["redirect"], [wanted])

    def test_another_customers_plan_is_refused(self):
        self.authenticate("jane", "jane")
        refused = self.url_open(f"/my/dunning/plan/{self.other_plan.id}")
        self.assertNotIn(self.other_plan.name, refused.text)
        self.assertTrue(refused.url.endswith("/my"))
        own = self._own_plan()
        self.assertIn(own.name, self.url_open(f"/my/dunning/plan/{own.id}").text)
        # Without a login, the plan's own token opens it; another plan's token does not.
        self.logout()
        self.assertIn(own.name, self.url_open(own.get_portal_url()).text)
        forged = f"/my/dunning/plan/{self.other_plan.id}?access_token={own.access_token}"
        self.assertNotIn(self.other_plan.name, self.url_open(forged).text)
        Plan = self.env["dunning.payment.plan"].with_user(self.portal_user)
        self.assertEqual(Plan.search([]), own)
        with self.assertRaises(AccessError):
            self.other_plan.with_user(self.portal_user).read(["name"])

    def test_another_customers_invoice_cannot_be_disputed_or_paid(self):
        self.authenticate("jane", "jane")
        response = self.url_open(
            f"/my/dunning/dispute/{self.other_inv.id}",
            data={"reason": "other", "message": "not mine", "csrf_token": self._csrf()},
        )
        self.assertIn("message=not_yours", response.url)
        self.assertFalse(self.other_inv.dunning_dispute)
        token = self.customer._dunning_portal_token()
        with self.assertLogs("odoo.http", "WARNING"):
            response = self.url_open(
                f"/my/dunning/transaction/{self.customer.id}/i{self.other_inv.id}",
                data=json.dumps({"params": {"access_token": token, "flow": "direct"}}),
                headers={"Content-Type": "application/json"},
            )
        self.assertIn("cannot be paid here", response.json()["error"]["data"]["message"])
        self.assertFalse(self.other_inv.transaction_ids)

    def test_a_dispute_sent_after_the_session_expired_comes_back_to_its_form(self):
        # The form is sent without a session: the customer is asked to log in, then Odoo's
        # login returns to the dispute URL with GET.
        sent = self.url_open(
            f"/my/dunning/dispute/{self.inv_old.id}",
            data={
                "reason": "other",
                "message": "Charged twice",
                "csrf_token": self._csrf("/web/login"),
            },
            allow_redirects=False,
        )
        location = urllib.parse.urlsplit(sent.headers["Location"])
        self.assertEqual(location.path, "/web/login")
        back = urllib.parse.parse_qs(location.query)["redirect"][0]
        self.assertEqual(urllib.parse.urlsplit(back).path, f"/my/dunning/dispute/{self.inv_old.id}")

        self.authenticate("jane", "jane")
        page = self.url_open(back)

        self.assertEqual(page.status_code, 200)
        self.assertEqual(urllib.parse.urlsplit(page.url).path, "/my/dunning")
        self.assertIn("your dispute was not sent: write it again below", page.text)
        self.assertIn(f'id="dispute_{self.inv_old.id}" class="collapse show', page.text)
        self.assertFalse(self.inv_old.dunning_dispute, "nothing recorded by a GET")
        # Another customer's invoice: the page says so and opens no form.
        page = self.url_open(f"/my/dunning/dispute/{self.other_inv.id}")
        self.assertIn("message=not_yours", page.url)
        self.assertNotIn(self.other_inv.name, page.text)

    def test_the_dispute_url_by_get_keeps_the_links_token(self):
        token = self.customer._dunning_portal_token()
        url = f"/my/dunning/dispute/{self.inv_new.id}?partner_id={self.customer.id}"
        page = self.url_open(f"{url}&access_token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"access_token={token}", page.url)
        self.assertIn(f'id="dispute_{self.inv_new.id}" class="collapse show', page.text)
        forged = self.url_open(f"{url}&access_token={self.other_customer._dunning_portal_token()}")
        self.assertEqual(forged.status_code, 404)
        self.assertNotIn(self.inv_new.name, forged.text)

    def test_a_portal_dispute_excludes_the_invoice_and_tells_the_responsible(self):
        self.customer.with_company(self.env.company).dunning_responsible_id = self.env.user
        self.authenticate("jane", "jane")
        self.url_open(
            f"/my/dunning/dispute/{self.inv_old.id}",
            data={
                "reason": "wrong_amount",
                "message": "Charged twice",
                "csrf_token": self._csrf(),
            },
        )
        self.assertTrue(self.inv_old.dunning_dispute)
        self.assertEqual(self.inv_old.dunning_dispute_status, "open")
        self.assertIn("Charged twice", self.inv_old.dunning_dispute_reason)
        self.assertEqual(self.inv_old.activity_ids.user_id, self.env.user)
        # The same path as a dispute recorded in the back office: the customer's note, a task
        # due a week later, and no second task when the accountant records it again.
        note = self.inv_old.message_ids.filtered(lambda m: "Disputed by" in str(m.body))
        self.assertEqual(note.author_id, self.portal_user.partner_id)
        self.assertIn(
            f"Disputed by {self.portal_user.partner_id.display_name} (customer portal)",
            str(note.body),
        )
        self.assertEqual(
            self.inv_old.activity_ids.date_deadline,
            fields.Date.add(self.env.company._dunning_today(), days=7),
        )
        self.env["dunning.dispute.wizard"].create(
            {"move_ids": self.inv_old.ids, "reason": "Charged twice, confirmed on the phone"}
        ).action_confirm()
        self.assertEqual(len(self.inv_old.activity_ids), 1)
        run = self._run(fields.Date.today())
        reminder = run.communication_ids.filtered(lambda c: c.partner_id == self.customer)
        self.assertEqual(reminder.line_ids.move_id, self.inv_new)
        self.inv_old.action_dunning_resolve_dispute()
        self.assertEqual(self.inv_old.dunning_dispute_status, "resolved")
        self.assertIn("Dispute resolved", self.url_open("/my/dunning").text)

    def test_a_portal_plan_request_within_limits_starts_at_once(self):
        self.policy.plan_portal_max_installments = 4
        self.authenticate("jane", "jane")
        response = self.url_open(
            "/my/dunning/plan/request",
            data={
                "invoice_ids": [self.inv_old.id, self.inv_new.id],
                "installment_count": "3",
                "frequency": "monthly",
                "name": "Jane Buyer",
                "csrf_token": self._csrf("/my/dunning/plan/request"),
            },
        )
        plan = self.env["dunning.payment.plan"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.amount_total, 500.0)
        self.assertEqual(plan.accepted_name, "Jane Buyer")
        self.assertIn("message=active", response.url)

    def test_the_next_installment_is_paid_through_a_provider_and_fills_the_plan(self):
        plan = self._own_plan("active")
        installment = plan.next_installment_id
        self.assertEqual(installment.amount, 250.0)
        self.authenticate("jane", "jane")
        page = self.url_open(f"/my/dunning/plan/{plan.id}/pay")
        self.assertIn("250.00", page.text)
        self.assertIn(f"/my/dunning/transaction/{self.customer.id}/plan{plan.id}", page.text)
        response = self.url_open(
            f"/my/dunning/transaction/{self.customer.id}/plan{plan.id}",
            data=json.dumps(
                {
                    "params": {
                        "access_token": self.customer._dunning_portal_token(),
                        "provider_id": self.env.ref("payment.payment_provider_demo").id,
                        "payment_method_id": self.env.ref("payment.payment_method_unknown").id,
                        "token_id": None,
                        # What the browser says is ignored: the server computes the amount.
                        "amount": 1.0,
                        "flow": "direct",
                        "tokenization_requested": False,
                        "landing_route": "/my/dunning",
                        "is_validation": False,
                        "payment_reference": "x",
                    }
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.json()["result"]["amount"], 250.0)
        transaction = self.inv_old.transaction_ids
        self.assertEqual(transaction.invoice_ids, self.inv_old | self.inv_new)
        transaction._set_done()
        transaction._post_process()
        self.assertEqual(plan.amount_paid, 250.0)
        self.assertEqual(installment.state, "paid")
        self.assertEqual(plan.next_installment_id, plan.installment_ids[1])


@tagged("post_install", "-at_install")
class TestDunningPortalTours(DunningPortalCommon):
    """The three customer flows, clicked through in a real headless Chromium."""

    def test_a_customer_pays_an_overdue_invoice_with_the_demo_provider(self):
        self.start_tour("/my/dunning", "dunning_portal_pay", login="jane")
        self.assertIn(self.inv_old.payment_state, ("paid", "in_payment"))
        self.assertEqual(self.inv_new.payment_state, "not_paid")
        self.assertEqual(self.inv_old.transaction_ids.amount, 300.0)

    def test_a_customer_accepts_a_proposed_plan(self):
        plan = self._own_plan("proposed")
        self.start_tour(plan.get_portal_url(), "dunning_portal_accept_plan", login="jane")
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.accepted_name, "Jane Buyer")
        self.assertTrue(plan.accepted_ip)

    def test_a_customer_disputes_an_invoice(self):
        self.start_tour("/my/dunning", "dunning_portal_dispute", login="jane")
        self.assertTrue(self.inv_old.dunning_dispute)
        self.assertIn("charged twice", self.inv_old.dunning_dispute_reason)
        self.assertTrue(self.inv_old.activity_ids)
