from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from odoo.addons.odoo_automated_dunning.tests.common import DunningCommon

OVERRIDE_GROUP = "odoo_automated_dunning_sale.group_credit_hold_override"


@freeze_time("2026-03-02 10:00:00")
@tagged("post_install", "-at_install")
class TestSaleHold(DunningCommon):
    """A customer whose overdue invoice reached a level that holds sales cannot have a
    quotation confirmed, sees why beforehand, and is let through by a recorded override or,
    by itself, once the invoice is settled in any of the ways dunning respects."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.level2.hold_sales = True
        cls.salesperson = cls._user("seller", "sales_team.group_sale_salesman_all_leads")
        cls.override_user = cls._user(
            "credit_lead", f"sales_team.group_sale_salesman_all_leads,{OVERRIDE_GROUP}"
        )
        cls.invoice = cls._invoice(cls.customer, 1200.0, "2026-01-10")

    @classmethod
    def _user(cls, login, groups, company=None):
        company = company or cls.env.company
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    def setUp(self):
        super().setUp()
        # Two daily runs take the invoice through the first level to the second, which holds.
        self._run("2026-02-20")
        self._run("2026-03-02")
        self.assertEqual(self.invoice.dunning_level_id, self.level2)

    def _quotation(self, partner, user=None, company=None):
        orders = self.env["sale.order"].with_user(user or self.salesperson)
        if company:
            orders = orders.with_company(company)
        return orders.create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product_a.id, "product_uom_qty": 2, "price_unit": 50}
                    )
                ],
            }
        )

    def _assert_held(self, order, *invoices):
        with self.assertRaises(UserError) as caught:
            order.action_confirm()
        message = str(caught.exception)
        for invoice in invoices:
            self.assertIn(invoice.name, message)
        self.assertEqual(order.state, "draft")
        return message

    # ------------------------------------------------------------------ refusal

    def test_held_customer_is_refused_with_invoices_amount_and_what_lifts_it(self):
        order = self._quotation(self.customer)

        message = self._assert_held(order, self.invoice)

        self.assertIn(order.name, message)
        self.assertIn("$\xa01,200.00", message)
        self.assertIn("paid, disputed, covered by an active payment plan", message)
        self.assertIn("Credit Hold Override", message)

    def test_amounts_due_in_two_currencies_are_each_in_their_own(self):
        eur = self.setup_other_currency("EUR")
        in_euros = self._invoice(self.customer, 300.0, "2026-01-12", currency=eur)
        self._run("2026-02-21")
        self._run("2026-03-02")  # a rerun of today only brings the new invoice along
        in_euros.dunning_level_id = self.level2  # caught up with the first one's level

        message = self._assert_held(self._quotation(self.customer), self.invoice, in_euros)

        self.assertIn("$\xa01,200.00 + 300.00\xa0€", message)

    def test_quotation_shows_the_banner_before_confirming(self):
        form = Form(self.env["sale.order"].with_user(self.salesperson))
        form.partner_id = self.customer

        self.assertIn(self.invoice.name, form.dunning_hold_message)
        self.assertIn("Credit hold: Acme Corp owes $\xa01,200.00", form.dunning_hold_message)
        form.partner_id = self.other_customer
        self.assertFalse(form.dunning_hold_message)

    def test_a_contact_of_the_held_company_is_held_too(self):
        buyer = self.env["res.partner"].create(
            {"name": "Jane Buyer", "parent_id": self.customer.id, "type": "contact"}
        )
        self._assert_held(self._quotation(buyer), self.invoice)

    def test_a_level_without_hold_sales_does_not_hold(self):
        self.level2.hold_sales = False
        self.level1.hold_sales = True  # the invoice is past it: only its current level counts
        order = self._quotation(self.customer)

        self.assertFalse(order.dunning_hold_message)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_other_companys_invoices_do_not_hold(self):
        company_2 = self.setup_other_company()["company"]
        self.env.user.company_ids |= company_2
        seller_2 = self._user("seller_2", "sales_team.group_sale_salesman_all_leads", company_2)
        order_2 = self._quotation(self.customer, seller_2, company_2)

        self.assertFalse(order_2.dunning_hold_message)
        order_2.with_user(seller_2).with_company(company_2).action_confirm()
        self.assertEqual(order_2.state, "sale")
        # The same customer stays held in the company it owes to.
        self._assert_held(self._quotation(self.customer), self.invoice)

    # ----------------------------------------------------------------- override

    def test_override_with_a_reason_is_recorded_on_the_order_and_the_customer(self):
        order = self._quotation(self.customer, self.override_user)
        action = order.action_dunning_override_hold()
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(self.override_user)
            .with_context(**action["context"])
        )
        self.assertIn(self.invoice.name, wizard.hold_message)
        wizard.reason = "Paid by wire <b>this morning</b>, not booked yet."
        wizard.save().action_confirm()

        self.assertEqual(order.state, "sale")
        self.assertEqual(order.dunning_override_user_id, self.override_user)
        self.assertEqual(str(order.dunning_override_date), "2026-03-02 10:00:00")
        self.assertEqual(
            order.dunning_override_reason, "Paid by wire <b>this morning</b>, not booked yet."
        )
        for record in (order, self.customer):
            note = record.message_ids[0]
            self.assertIn(f"confirmed {order.name} despite the credit hold", note.body)
            # The reason is plain text: shown, never rendered as markup.
            self.assertIn("Paid by wire &lt;b&gt;this morning&lt;/b&gt;", note.body)
            self.assertEqual(note.author_id, self.override_user.partner_id)

    def test_a_reason_is_required(self):
        order = self._quotation(self.customer, self.override_user)
        wizard = (
            self.env["dunning.sale.hold.override"]
            .with_user(self.override_user)
            .create({"order_id": order.id, "reason": "   "})
        )
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertEqual(order.state, "draft")

    def test_override_is_refused_without_the_group(self):
        order = self._quotation(self.customer)

        with self.assertRaises(AccessError):
            order.action_dunning_override_hold()
        with self.assertRaises(AccessError):
            self.env["dunning.sale.hold.override"].with_user(self.salesperson).create(
                {"order_id": order.id, "reason": "Because"}
            )
        with self.assertRaises(AccessError):  # nor by writing the override itself
            order.write({"dunning_override_date": "2026-03-02 10:00:00"})
        self._assert_held(order, self.invoice)

    # -------------------------------------------------------------------- lifts

    def test_hold_lifts_when_the_invoice_is_paid(self):
        order = self._quotation(self.customer)
        self._pay(self.invoice)
        self.assertFalse(order.dunning_hold_message)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_a_partial_payment_keeps_the_hold_for_what_is_left(self):
        self._pay(self.invoice, amount=1000.0)
        message = self._assert_held(self._quotation(self.customer), self.invoice)
        self.assertIn("$\xa0200.00", message)

    def test_hold_lifts_when_the_invoice_is_disputed(self):
        order = self._quotation(self.customer)
        self.invoice._dunning_open_dispute("Goods arrived damaged", "test")
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_hold_lifts_while_an_active_payment_plan_covers_the_invoice(self):
        Plan = self.env["dunning.payment.plan"]
        plan = Plan.create(Plan._prepare_from_invoices(self.invoice))
        self._assert_held(self._quotation(self.customer), self.invoice)  # a draft plan: not yet
        plan.action_activate()
        order = self._quotation(self.customer)
        order.action_confirm()
        self.assertEqual(order.state, "sale")

    def test_hold_lifts_under_a_promise_to_pay_and_comes_back_when_it_is_broken(self):
        promise = self.env["dunning.promise"].create(
            {
                "partner_id": self.customer.id,
                "date": "2026-03-02",
                "date_promised": "2026-03-09",
                "currency_id": self.invoice.currency_id.id,
                "amount": 1200.0,
                "move_ids": self.invoice.ids,
                "residual_at_promise": 1200.0,
                "state": "open",
            }
        )
        order = self._quotation(self.customer)
        self.assertFalse(order.dunning_hold_message)

        with freeze_time("2026-03-25 10:00:00"):  # past the promised date and its grace days
            self.assertLess(promise.date_limit, self.invoice.company_id._dunning_today())
            order.invalidate_recordset(["dunning_hold_message"])
            self._assert_held(order, self.invoice)
        self.assertEqual(order.state, "draft")

    # --------------------------------------------------------------- languages

    def test_the_refusal_reads_in_the_salespersons_language(self):
        expected = {
            "fr_FR": ("ne peut pas être confirmé", "1\xa0200,00", "reste dû"),
            "de_DE": ("kann nicht bestätigt werden", "1.200,00", "Kreditsperre"),
            "es_ES": ("no se puede confirmar", "1.200,00", "bloqueo de crédito"),
            "nl_NL": ("kan niet worden bevestigd", "1.200,00", "Kredietblokkade"),
        }
        for lang in expected:
            self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(
            ["odoo_automated_dunning_sale"], list(expected), overwrite=True
        )
        for lang, words in expected.items():
            with self.subTest(lang=lang):
                # As the web client asks: in the user's language.
                self.salesperson.lang = lang
                order = self._quotation(self.customer).with_context(lang=self.salesperson.lang)
                message = self._assert_held(order, self.invoice)
                for word in words:
                    self.assertIn(word, message)
