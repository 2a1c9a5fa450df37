from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import DunningCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningSecurity(DunningCommon):
    """Who may configure, run and see dunning: companies never see each other's dunning, each
    role does what its group allows, and a bad configuration is refused with the fix."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_1 = cls.env.company
        cls.company_2 = cls.setup_other_company()["company"]
        # Earlier in sequence than company 1's policy: it must still never reach company 1.
        cls.policy_2 = cls.env["dunning.policy"].create(
            {
                "name": "Company 2 reminders",
                "company_id": cls.company_2.id,
                "sequence": 1,
                "level_ids": [
                    Command.create(cls._level_vals("C2 notice", 10, 5, "day", "formal", 0))
                ],
            }
        )
        cls.billing = cls._user("billing_clerk", "account.group_account_invoice", cls.company_1)
        cls.dunning_user = cls._user(
            "collector", "odoo_automated_dunning.group_dunning_user", cls.company_1
        )
        cls.dunning_manager = cls._user(
            "credit_manager", "odoo_automated_dunning.group_dunning_manager", cls.company_1
        )
        cls.dunning_user_2 = cls._user(
            "collector_2", "odoo_automated_dunning.group_dunning_user", cls.company_2
        )
        # The customer's own portal login.
        cls.portal = new_test_user(
            cls.env,
            login="acme_portal",
            groups="base.group_portal",
            partner_id=cls.customer.id,
            email=cls.customer.email,
        )

    @classmethod
    def _user(cls, login, groups, company):
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    def _invoice_in(self, company, partner, amount, invoice_date):
        move = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": invoice_date,
                    "invoice_payment_term_id": self.immediate.id,
                    "invoice_line_ids": [
                        Command.create(
                            {"name": "Hosting", "quantity": 1, "price_unit": amount, "tax_ids": []}
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def _assert_hidden(self, user, records):
        """``user`` finds none of ``records`` and may not read them by id."""
        as_user = records.with_user(user)
        self.assertFalse(as_user.search([("id", "in", records.ids)]), records._name)
        with self.assertRaises(AccessError, msg=records._name):
            as_user.browse(records.ids).read(["company_id"])

    # ------------------------------------------------------------ multi-company

    def test_each_company_duns_only_its_own_invoices(self):
        invoice_1 = self._invoice(self.customer, 100.0, "2025-06-01")
        invoice_2 = self._invoice_in(self.company_2, self.customer, 200.0, "2025-06-01")
        self.assertEqual(invoice_2.company_id, self.company_2)

        run_1 = self._run("2025-06-20")

        self.assertEqual(run_1.invoice_count, 1)
        self.assertEqual(run_1.communication_ids.line_ids.move_id, invoice_1)
        self.assertEqual(run_1.communication_ids.policy_id, self.policy)
        self.assertEqual(run_1.communication_ids.amount_total, 100.0)
        self.assertFalse(invoice_2.dunning_level_id)
        mail_1 = self._mails_to(self.customer)
        self.assertIn("100.00", mail_1.body_html)
        self.assertNotIn("200.00", mail_1.body_html)

        run_2 = self._run("2025-06-20", company=self.company_2)

        self.assertEqual(run_2.invoice_count, 1)
        self.assertEqual(run_2.communication_ids.line_ids.move_id, invoice_2)
        self.assertEqual(run_2.communication_ids.policy_id, self.policy_2)
        self.assertEqual(run_2.communication_ids.level_id, self.policy_2.level_ids)
        self.assertEqual(run_2.communication_ids.amount_total, 200.0)
        self.assertEqual(invoice_1.dunning_level_id, self.level1, "company 2 left it alone")
        self.assertEqual(invoice_2.dunning_level_id, self.policy_2.level_ids)
        mail_2 = self._mails_to(self.customer) - mail_1
        self.assertIn("200.00", mail_2.body_html)
        self.assertNotIn("100.00", mail_2.body_html)

    def test_a_company_without_overdue_invoices_sends_nothing(self):
        self._invoice_in(self.company_2, self.customer, 200.0, "2025-06-01")
        run_1 = self._run("2025-06-20")
        self.assertFalse(run_1.communication_ids)
        self.assertEqual((run_1.invoice_count, run_1.customer_count), (0, 0))
        self.assertFalse(self._mails_to(self.customer))

    def test_the_customers_own_policy_is_per_company(self):
        self.customer.with_company(self.company_2).dunning_policy_id = self.policy_2
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice_in(self.company_2, self.customer, 200.0, "2025-06-01")

        run_1 = self._run("2025-06-20")
        run_2 = self._run("2025-06-20", company=self.company_2)

        self.assertFalse(self.customer.with_company(self.company_1).dunning_policy_id)
        self.assertEqual(run_1.communication_ids.policy_id, self.policy)
        self.assertEqual(run_2.communication_ids.policy_id, self.policy_2)

    def test_a_user_never_sees_another_companys_dunning(self):
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice_in(self.company_2, self.customer, 200.0, "2025-06-01")
        run_1 = self._run("2025-06-20")
        run_2 = self._run("2025-06-20", company=self.company_2)
        self.assertTrue(run_1.communication_ids and run_2.communication_ids)

        for user, own_run, other_run, other_policy in (
            (self.dunning_user, run_1, run_2, self.policy_2),
            (self.dunning_manager, run_1, run_2, self.policy_2),
            (self.dunning_user_2, run_2, run_1, self.policy),
        ):
            with self.subTest(user=user.login):
                # Their own company's dunning is there...
                self.assertEqual(self.env["dunning.run"].with_user(user).search([]), own_run)
                self.assertEqual(
                    self.env["dunning.communication"].with_user(user).search([]),
                    own_run.communication_ids,
                )
                # ...the other company's is not.
                for records in (
                    other_run,
                    other_run.communication_ids,
                    other_run.communication_ids.line_ids,
                    other_policy,
                    other_policy.level_ids,
                ):
                    self._assert_hidden(user, records)

    def test_no_one_duns_or_configures_for_a_company_they_do_not_belong_to(self):
        self._invoice_in(self.company_2, self.customer, 200.0, "2025-06-01")
        with self.assertRaises(AccessError):
            self.env["dunning.run"].with_user(self.dunning_user).create(
                {"date": "2025-06-20", "company_id": self.company_2.id}
            )
        with self.assertRaises(AccessError):
            self.env["dunning.policy"].with_user(self.dunning_manager).create(
                {
                    "name": "Sneaky",
                    "company_id": self.company_2.id,
                    "level_ids": [
                        Command.create(self._level_vals("Sneak", 10, 1, "day", "final", 0))
                    ],
                }
            )
        self.assertFalse(self._mails_to(self.customer))
        # A policy only follows invoices of its own company's journals.
        journal_2 = self.env["account.journal"].search(
            [("company_id", "=", self.company_2.id), ("type", "=", "sale")], limit=1
        )
        with self.assertRaises(UserError):
            self.policy.journal_ids = journal_2

    # ------------------------------------------------------------ access rights

    def test_a_billing_user_reads_policies_but_cannot_change_them_nor_dun(self):
        policy = self.policy.with_user(self.billing)
        self.assertEqual(policy.name, "Test reminders")
        self.assertEqual(
            policy.level_ids.sorted("sequence").mapped("name"), ["Reminder", "Second", "Formal"]
        )
        self.assertEqual(self.level2.with_user(self.billing).delay, 2)

        with self.assertRaises(AccessError):
            policy.write({"name": "Changed"})
        with self.assertRaises(AccessError):
            policy.create({"name": "Mine", "active": False})
        with self.assertRaises(AccessError):
            self.level1.with_user(self.billing).write({"delay": 1})
        with self.assertRaises(AccessError):
            self.env["dunning.level"].with_user(self.billing).create(
                {**self._level_vals("Extra", 40, 2, "month", "final", 5), "policy_id": policy.id}
            )
        with self.assertRaises(AccessError):
            policy.unlink()
        self.assertEqual(self.policy.name, "Test reminders")

        self._invoice(self.customer, 100.0, "2025-06-01")
        run = self.env["dunning.run"].create({"date": "2025-06-20"})
        with self.assertRaises(AccessError):
            self.env["dunning.run"].with_user(self.billing).create({"date": "2025-06-20"})
        with self.assertRaises(AccessError):
            run.with_user(self.billing).action_run()
        self.assertEqual(run.state, "draft")
        self.assertFalse(self._mails_to(self.customer))
        with self.assertRaises(AccessError):
            self.env["dunning.communication"].with_user(self.billing).search([])

    def test_a_billing_user_still_reads_invoices_and_customers(self):
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")
        self._run("2025-06-20")
        self.env.invalidate_all()
        as_billing = invoice.with_user(self.billing)
        # An integration reading whole invoices (read without a field list) must not fail.
        with self.subTest("whole invoice"):
            self.assertEqual(as_billing.read()[0]["amount_total"], 100.0)
        # Nor may any dunning column an export offers them.
        for record in (invoice, self.customer):
            offered = [
                name
                for name in record.with_user(self.billing).fields_get()
                if name.startswith("dunning_")
            ]
            with self.subTest(model=record._name, fields=offered):
                self.assertTrue(offered)
                record.with_user(self.billing).read(offered)

    def test_a_dunning_user_runs_reads_and_disputes_but_does_not_configure(self):
        disputed = self._invoice(self.customer, 100.0, "2025-06-01")
        owed = self._invoice(self.other_customer, 150.0, "2025-06-01")
        env = self.env(user=self.dunning_user)

        # The invoice's "Mark as disputed" button opens the wizard.
        action = disputed.with_env(env).action_dunning_dispute()
        with Form(env[action["res_model"]].with_context(**action["context"])) as wizard:
            wizard.reason = "Delivered the wrong model"
        wizard.record.action_confirm()
        self.assertTrue(disputed.dunning_dispute)
        self.assertEqual(disputed.dunning_dispute_reason, "Delivered the wrong model")

        run = env["dunning.run"].create({"date": "2025-06-20"})
        run.action_run()

        self.assertEqual(run.state, "done")
        self.assertEqual(run.queued_count, 1)
        self.assertEqual(run.excluded_count, 1)
        communication = env["dunning.communication"].search([("run_id", "=", run.id)])
        self.assertEqual(communication.partner_id, self.other_customer)
        self.assertEqual(communication.line_ids.move_id, owed)
        self.assertEqual(communication.level_id.name, "Reminder")
        self.assertEqual(communication.amount_total, 150.0)
        self.assertEqual(len(self._mails_to(self.other_customer)), 1)
        self.assertFalse(self._mails_to(self.customer))
        self.assertEqual(owed.dunning_level_id, self.level1)

        with self.assertRaises(AccessError):
            env["dunning.policy"].create({"name": "Mine", "active": False})
        with self.assertRaises(AccessError):
            self.policy.with_env(env).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            self.level1.with_env(env).write({"delay": 1})
        with self.assertRaises(AccessError):
            communication.write({"state": "failed"})
        with self.assertRaises(AccessError):
            run.unlink()
        self.assertEqual(self.policy.name, "Test reminders")

    def test_a_dunning_manager_configures_policies(self):
        env = self.env(user=self.dunning_manager)

        policy = env["dunning.policy"].create(
            {
                "name": "Managed",
                "sequence": 1,
                "level_ids": [
                    Command.create(self._level_vals("First", 10, 3, "day", "friendly", 0)),
                    Command.create(self._level_vals("Last", 20, 3, "week", "final", 7)),
                ],
            }
        )
        policy.level_ids.sorted("sequence")[0].delay = 5
        policy.name = "Managed reminders"

        self.assertEqual(policy.company_id, self.company_1)
        self.assertEqual(policy.level_count, 2)
        self._invoice(self.customer, 100.0, "2025-06-01")
        communication = self._run("2025-06-20").communication_ids
        self.assertEqual(communication.policy_id, policy)
        self.assertEqual(communication.level_id.name, "First")

    def test_a_portal_user_reads_no_dunning_model(self):
        """Except its own payment plans (TestDunningPortalAccess: never another customer's)."""
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._run("2025-06-20")
        models = self.env["ir.model"].search([("model", "=like", "dunning.%")]).mapped("model")
        self.assertIn("dunning.communication", models)
        own_plans = {"dunning.payment.plan", "dunning.payment.plan.installment"}
        for model in set(models) - own_plans:
            with self.subTest(model=model):
                as_portal = self.env[model].with_user(self.portal)
                self.assertFalse(as_portal.has_access("read"))
                with self.assertRaises(AccessError):
                    as_portal.search([])

    def test_a_customer_never_sees_another_customers_reminders(self):
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 250.0, "2025-06-01")
        run = self._run("2025-06-20")
        theirs = run.communication_ids.filtered(lambda c: c.partner_id == self.other_customer)
        self.assertEqual(theirs.state, "queued")

        with self.assertRaises(AccessError):
            theirs.with_user(self.portal).read(["amount_total"])
        with self.assertRaises(AccessError):
            self.env["dunning.communication"].with_user(self.portal).search(
                [("partner_id", "=", self.other_customer.id)]
            )
        # Nor the message sent to them, which sits on their contact's chatter.
        messages = self.env["mail.message"].with_user(self.portal)
        self.assertFalse(messages.search([("id", "=", theirs.mail_message_id.id)]))
        self.assertFalse(
            messages.search(
                [("model", "=", "res.partner"), ("res_id", "=", self.other_customer.id)]
            )
        )
        with self.assertRaises(AccessError):
            theirs.mail_message_id.with_user(self.portal).read(["body"])

    def test_promises_consent_and_contact_hours_by_role_and_company(self):
        promise_1 = self.env["dunning.promise"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company_1.id,
                "date_promised": "2025-07-10",
                "currency_id": self.company_1.currency_id.id,
                "amount": 100.0,
            }
        )
        self.env["dunning.promise"].create(
            {
                "partner_id": self.customer.id,
                "company_id": self.company_2.id,
                "date_promised": "2025-07-10",
                "currency_id": self.company_2.currency_id.id,
                "amount": 200.0,
            }
        )
        window_2 = self.env["dunning.contact.window"].create(
            {"company_id": self.company_2.id, "country_id": self.env.ref("base.be").id}
        )
        consent = self.env["dunning.consent"].create(
            {"partner_id": self.customer.id, "channel": "sms", "status": "refused"}
        )

        # A company sees only its own promises and contact hours.
        promises = self.env["dunning.promise"].with_user(self.dunning_user).search([])
        self.assertEqual(promises, promise_1)
        windows = self.env["dunning.contact.window"].with_user(self.dunning_user).search([])
        self.assertNotIn(window_2, windows)
        # Billing clerks without the dunning groups see none of it.
        for model in ("dunning.promise", "dunning.consent", "dunning.contact.window"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.billing).search([])
        # Dunning users record consent but never rewrite it; contact hours are the manager's.
        with self.assertRaisesRegex(UserError, "append-only"):
            consent.with_user(self.dunning_user).write({"status": "allowed"})
        with self.assertRaises(AccessError):
            self.env["dunning.contact.window"].with_user(self.dunning_user).create(
                {"country_id": self.env.ref("base.fr").id}
            )
        self.env["dunning.consent"].with_user(self.dunning_user).create(
            {"partner_id": self.customer.id, "channel": "sms", "status": "allowed"}
        )
        self.assertEqual(self.customer.dunning_consent_sms, "allowed")
        # A portal customer reaches none of these models directly.
        with self.assertRaises(AccessError):
            self.env["dunning.consent"].with_user(self.portal).search([])

    # ------------------------------------------------------------ policies

    def test_bad_configuration_names_the_policy_the_level_and_the_fix(self):
        levels = self.policy.level_ids.sorted("sequence")
        cases = [
            (levels[0], {"delay": -3}, "the delay is -3"),
            (levels[1], {"delay": 3, "delay_unit": "day"}, "give each level a longer delay"),
            (levels[2], {"mail_template_id": False}, "no email template"),
        ]
        for level, vals, fix in cases:
            with self.subTest(fix=fix), self.assertRaises(ValidationError) as caught:
                level.write(vals)
            message = str(caught.exception)
            self.assertIn('Policy "Test reminders"', message)
            self.assertIn(f'level "{level.name}"', message)
            self.assertIn(fix, message)
        with self.assertRaises(ValidationError) as caught:
            self.env["dunning.policy"].create({"name": "Empty"})
        self.assertIn('Policy "Empty" has no levels', str(caught.exception))
        with self.assertRaises(ValidationError):
            self.policy.level_ids.unlink()
        with self.assertRaises(ValidationError) as caught:
            self.policy.domain = "[('state', '=='"
        self.assertIn("Test reminders", str(caught.exception))
        # A policy being drafted (archived) may have no levels yet.
        self.assertTrue(self.env["dunning.policy"].create({"name": "Draft", "active": False}))

    def test_customer_policy_wins_over_matching_policies(self):
        gentle = self.env["dunning.policy"].create(
            {
                "name": "Gentle",
                "sequence": 99,
                "level_ids": [
                    Command.create(self._level_vals("Nudge", 10, 3, "week", "friendly", 0))
                ],
            }
        )
        self.customer.with_company(self.company_1).dunning_policy_id = gentle
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 100.0, "2025-06-01")

        run = self._run("2025-06-20")  # 19 days: the test policy's first level, not Gentle's

        self.assertEqual(run.communication_ids.partner_id, self.other_customer)
        run = self._run("2025-06-22")
        self.assertEqual(run.communication_ids.policy_id, gentle)
        self.assertEqual(run.communication_ids.partner_id, self.customer)
        # In company 2 the customer has no own policy.
        self.assertFalse(self.customer.with_company(self.company_2).dunning_policy_id)

    def test_policy_criteria_select_the_invoices(self):
        tag = self.env["res.partner.category"].create({"name": "Subscriptions"})
        subscriptions = self.env["dunning.policy"].create(
            {
                "name": "Subscriptions",
                "sequence": 1,
                "partner_category_ids": [Command.link(tag.id)],
                "minimum_amount": 50.0,
                "domain": "[('ref', '=', 'SUB')]",
                "level_ids": [
                    Command.create(self._level_vals("Sub reminder", 10, 2, "day", "persuasive", 0))
                ],
            }
        )
        self.customer.category_id = tag
        matching = self._invoice(self.customer, 100.0, "2025-06-15", ref="SUB")
        too_small = self._invoice(self.customer, 20.0, "2025-06-15", ref="SUB")
        other_ref = self._invoice(self.customer, 100.0, "2025-06-15", ref="ONE-OFF")

        lines = self._run("2025-06-20").communication_ids.line_ids

        by_move = {line.move_id: line for line in lines}
        self.assertEqual(by_move[matching].level_id.policy_id, subscriptions)
        # The others follow the general policy, whose first level (7 days) is not due yet.
        self.assertFalse(by_move[too_small].level_id)
        self.assertFalse(by_move[other_ref].level_id)
