from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Command
from odoo.tests import freeze_time, new_test_user, tagged

from .common import DunningCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningAccess(DunningCommon):
    """Who may configure, run and see dunning, and that companies never see each other."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_1 = cls.env.company
        cls.company_2 = cls.setup_other_company()["company"]
        cls.policy_2 = cls.env["dunning.policy"].create(
            {
                "name": "Company 2 reminders",
                "company_id": cls.company_2.id,
                "level_ids": [Command.create(cls._level_vals("Only", 10, 5, "day", "friendly", 0))],
            }
        )
        cls.billing = new_test_user(
            cls.env,
            login="billing",
            groups="account.group_account_invoice",
            company_id=cls.company_1.id,
        )
        cls.dunning_user = new_test_user(
            cls.env,
            login="dunning_user",
            groups="odoo_automated_dunning.group_dunning_user",
            company_id=cls.company_1.id,
        )
        cls.portal = new_test_user(cls.env, login="portal_customer", groups="base.group_portal")

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
                            {
                                "name": "Consulting",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
            )
        )
        move.action_post()
        return move

    def test_each_company_duns_only_its_own_invoices(self):
        invoice_1 = self._invoice(self.customer, 100.0, "2025-06-01")
        invoice_2 = self._invoice_in(self.company_2, self.customer, 200.0, "2025-06-01")

        run_1 = self._run("2025-06-20")
        run_2 = self._run("2025-06-20", company=self.company_2)

        self.assertEqual(run_1.communication_ids.line_ids.move_id, invoice_1)
        self.assertEqual(run_1.communication_ids.policy_id, self.policy)
        self.assertEqual(run_2.communication_ids.line_ids.move_id, invoice_2)
        self.assertEqual(run_2.communication_ids.policy_id, self.policy_2)
        self.assertEqual(run_2.communication_ids.amount_total, 200.0)

    def test_a_user_never_sees_another_companys_dunning(self):
        self._invoice_in(self.company_2, self.customer, 200.0, "2025-06-01")
        run_2 = self._run("2025-06-20", company=self.company_2)
        communication_2 = run_2.communication_ids
        self.assertTrue(communication_2)

        for model, record in (
            ("dunning.run", run_2),
            ("dunning.communication", communication_2),
            ("dunning.policy", self.policy_2),
        ):
            as_user = self.env[model].with_user(self.dunning_user)
            self.assertFalse(as_user.search([("id", "=", record.id)]), model)
            with self.assertRaises(AccessError, msg=model):
                as_user.browse(record.id).read(["company_id"])

    def test_a_billing_user_reads_policies_but_cannot_change_or_run(self):
        as_billing = self.env["dunning.policy"].with_user(self.billing)
        self.assertEqual(as_billing.browse(self.policy.id).name, "Test reminders")
        with self.assertRaises(AccessError):
            as_billing.browse(self.policy.id).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            as_billing.create({"name": "Mine", "active": False})
        with self.assertRaises(AccessError):
            self.env["dunning.run"].with_user(self.billing).create({"date": "2025-06-20"})
        with self.assertRaises(AccessError):
            self.env["dunning.communication"].with_user(self.billing).search([])

    def test_a_dunning_user_runs_and_disputes_but_does_not_configure(self):
        disputed = self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 100.0, "2025-06-01")
        env = self.env(user=self.dunning_user)

        env["dunning.dispute.wizard"].create(
            {"move_ids": disputed.ids, "reason": "Wrong quantity"}
        ).action_confirm()
        run = env["dunning.run"].create({"date": "2025-06-20"})
        run.action_run()

        self.assertEqual(run.sent_count, 1)
        self.assertEqual(run.communication_ids.partner_id, self.other_customer)
        self.assertTrue(env["dunning.communication"].search([("run_id", "=", run.id)]))
        with self.assertRaises(AccessError):
            env["dunning.policy"].browse(self.policy.id).write({"name": "Changed"})
        with self.assertRaises(AccessError):
            run.communication_ids.with_user(self.dunning_user).write({"state": "failed"})

    def test_a_portal_user_sees_no_dunning_data(self):
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._run("2025-06-20")
        for model in ("dunning.run", "dunning.communication", "dunning.policy", "dunning.level"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.portal).search([])

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
