import math
from statistics import NormalDist

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import DunningCommon

CUSTOMERS = 240
RUN_DATE = "2025-06-10"


@tagged("post_install", "-at_install")
class TestDunningVariants(DunningCommon):
    """A level with two template variants weighted 3 to 1, over one run of 240 customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        friendly = cls.templates["friendly"]
        cls.template_a = friendly.copy(
            {"name": "Friendly A", "subject": "Variant A: {{ object.partner_id.name }}"}
        )
        cls.template_b = friendly.copy(
            {"name": "Friendly B", "subject": "Variant B: {{ object.partner_id.name }}"}
        )
        cls.level1.variant_ids = [
            Command.create({"name": "A", "mail_template_id": cls.template_a.id, "weight": 3}),
            Command.create({"name": "B", "mail_template_id": cls.template_b.id, "weight": 1}),
        ]
        cls.variant_a, cls.variant_b = cls.level1.variant_ids.sorted("name")
        # A second policy without variants, for a few customers: their reminders are as before.
        cls.plain_policy = cls.policy.copy({"name": "No experiment", "sequence": 50})
        cls.plain_level = cls.plain_policy.level_ids.sorted("sequence")[0]
        partners = cls.env["res.partner"].create(
            [
                {
                    "name": f"Customer {index:03d}",
                    "email": f"ap{index}@customer{index}.example.com",
                    "is_company": True,
                    "property_payment_term_id": cls.immediate.id,
                }
                for index in range(CUSTOMERS)
            ]
        )
        cls.plain_partners = partners[:4]
        for partner in cls.plain_partners:
            partner.dunning_policy_id = cls.plain_policy
        moves = cls.env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2025-06-01",
                    "invoice_payment_term_id": cls.immediate.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Consulting",
                                "quantity": 1,
                                "price_unit": 100.0,
                                "tax_ids": [],
                            }
                        )
                    ],
                }
                for partner in partners
            ]
        )
        moves.action_post()
        cls.invoice_of = {move.partner_id: move for move in moves}
        cls.dunning_run = cls.env["dunning.run"].create(
            {"date": RUN_DATE, "company_id": cls.env.company.id}
        )
        cls.dunning_run.action_run()
        emails = cls.dunning_run.communication_ids.filtered(lambda c: c.channel == "email")
        cls.experiment = emails.filtered(lambda c: c.level_id == cls.level1)
        cls.plain = emails.filtered(lambda c: c.level_id == cls.plain_level)

    def test_variants_are_drawn_in_proportion_to_their_weights(self):
        drawn = self.experiment.grouped("variant_id")
        n = len(self.experiment)
        self.assertEqual(n, CUSTOMERS - len(self.plain_partners))
        self.assertEqual(set(drawn), {self.variant_a, self.variant_b})
        # Weights 3:1 -> A in three reminders of four; binomial sd = sqrt(n * 3/4 * 1/4) = 6.7
        # for n = 236; four of them either side: 177 +- 27. Ignoring the weights (1:1, 118)
        # lies nine sds away.
        expected, sd = n * 0.75, math.sqrt(n * 0.75 * 0.25)
        self.assertLess(abs(len(drawn[self.variant_a]) - expected), 4 * sd)

    def test_each_mail_uses_its_variants_template(self):
        for communication in self.experiment:
            variant = communication.variant_id
            self.assertEqual(communication.mail_template_id, variant.mail_template_id)
            self.assertEqual(communication.state, "queued")
            self.assertEqual(
                communication.mail_id.subject,
                f"Variant {variant.name}: {communication.partner_id.name}",
            )

    def test_the_same_reminder_draws_the_same_variant(self):
        keys = [(c.partner_id.id, c.level_id.id, c.date) for c in self.experiment]
        drawn = self.env["dunning.level.variant"]._draw(list(reversed(keys)))
        self.assertEqual([drawn[key] for key in keys], [c.variant_id for c in self.experiment])

    def test_a_level_without_variants_sends_its_own_template(self):
        self.assertEqual(len(self.plain), len(self.plain_partners))
        self.assertFalse(self.plain.variant_id)
        self.assertEqual(self.plain.mail_template_id, self.templates["friendly"])
        for communication in self.plain:
            self.assertEqual(
                communication.mail_id.subject,
                f"{self.env.company.name}: Payment reminder ({communication.partner_id.name})",
            )

    def test_weight_must_be_positive(self):
        with self.assertRaisesRegex(ValidationError, "Test reminders / Reminder, variant C"):
            self.env["dunning.level.variant"].create(
                {
                    "level_id": self.level1.id,
                    "name": "C",
                    "mail_template_id": self.template_a.id,
                    "weight": 0,
                }
            )

    def _comparison(self, user=None):
        level = self.level1.with_user(user) if user else self.level1
        action = level.action_compare_variants()
        return (
            self.env["dunning.variant.comparison"]
            .with_user(user or self.env.user)
            .browse(action["res_id"])
        )

    def test_no_winner_while_both_arms_pay_alike(self):
        comparison = self._comparison()
        self.assertFalse(comparison.winner_id)
        self.assertIn("No significant difference yet", comparison.conclusion)
        lines = {line.variant_id: line for line in comparison.line_ids}
        self.assertEqual(sum(line.sent_count for line in lines.values()), len(self.experiment))
        self.assertEqual(lines[self.variant_a].paid_30_share, 0.0)
        with self.assertRaisesRegex(UserError, "no winning variant"):
            comparison.action_promote_winner()

    def _pay_variant_b_and_a_sixth_of_a(self):
        arm_a = self.experiment.filtered(lambda c: c.variant_id == self.variant_a)
        arm_b = self.experiment - arm_a
        paid_a = arm_a[: len(arm_a) // 6]
        # B within 5 days, a sixth of A after 10 days.
        self._pay(arm_b.line_ids.move_id, date="2025-06-15")
        self._pay(paid_a.line_ids.move_id, date="2025-06-20")
        return arm_a, arm_b, paid_a

    def test_comparison_names_the_winner_and_a_manager_promotes_it(self):
        arm_a, arm_b, paid_a = self._pay_variant_b_and_a_sixth_of_a()
        comparison = self._comparison()
        lines = {line.variant_id: line for line in comparison.line_ids}
        line_a, line_b = lines[self.variant_a], lines[self.variant_b]
        self.assertEqual((line_a.sent_count, line_a.measured_count), (len(arm_a), len(arm_a)))
        self.assertEqual((line_b.sent_count, line_b.measured_count), (len(arm_b), len(arm_b)))
        self.assertEqual((line_b.paid_7_share, line_b.paid_30_share), (1.0, 1.0))
        self.assertEqual(line_b.days_to_pay, 5.0)
        self.assertEqual(line_a.paid_7_share, 0.0)
        self.assertAlmostEqual(line_a.paid_14_share, len(paid_a) / len(arm_a))
        self.assertAlmostEqual(line_a.paid_30_share, len(paid_a) / len(arm_a))
        self.assertEqual(line_a.days_to_pay, 10.0)
        # The p-value of the pooled two-proportion test, computed here by hand.
        n_a, n_b, x_a, x_b = len(arm_a), len(arm_b), len(paid_a), len(arm_b)
        pooled = (x_a + x_b) / (n_a + n_b)
        z = (x_b / n_b - x_a / n_a) / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
        self.assertAlmostEqual(line_a.p_value, 2 * (1 - NormalDist().cdf(z)), places=10)
        self.assertLess(line_a.p_value, 0.05)
        self.assertEqual(line_a.p_value_display, "< 0.001")
        self.assertTrue(line_b.is_best)
        self.assertEqual(comparison.winner_id, self.variant_b)
        self.assertIn("Variant B wins: 100% of its reminders", comparison.conclusion)
        # In French: the numbers as a French reader writes them.
        self.env["res.lang"]._activate_lang("fr_FR")
        french = comparison.with_context(lang="fr_FR")
        self.assertEqual(french._percent(0.706), "71\u00a0%")
        self.assertEqual(french._p_text(0.0123), "0,012")
        self.assertEqual(french._p_text(0.0001), "< 0,001")
        # The effectiveness report groups by variant.
        groups = dict(
            self.env["dunning.effectiveness.report"]._read_group(
                [("level_id", "=", self.level1.id)], ["variant_id"], ["paid_30_rate:avg"]
            )
        )
        self.assertEqual(groups[self.variant_b], 100.0)
        # Promotion: a Dunning Manager only.
        collector = new_test_user(
            self.env,
            "variant_collector",
            groups="odoo_automated_dunning.group_dunning_user",
            company_id=self.env.company.id,
        )
        with self.assertRaises(AccessError):
            self._comparison(collector).action_promote_winner()
        self.assertEqual(self.level1.mail_template_id, self.templates["friendly"])

        self._comparison().action_promote_winner()
        self.assertEqual(self.level1.mail_template_id, self.template_b)
        self.assertFalse(self.level1.variant_ids.filtered("active"))
        # Past reminders keep their variant and template; the comparison still shows them.
        self.assertEqual(self.experiment.variant_id, self.variant_a | self.variant_b)
        comparison = self._comparison()
        self.assertEqual(len(comparison.line_ids), 2)
        self.assertEqual(comparison.winner_id, self.variant_b)
        # The next reminders of the level draw nothing: the promoted template for all.
        self.assertFalse(comparison.can_promote)
        self.assertIn("It was promoted", comparison.conclusion)
        self.assertFalse(
            self.env["dunning.level.variant"]._draw(
                [(self.customer.id, self.level1.id, self.dunning_run.date)]
            )
        )
