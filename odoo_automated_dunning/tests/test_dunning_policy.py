from datetime import date

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningPolicy(DunningCommon):
    """Which policy and level an invoice follows, and the configurations that are refused."""

    def _policy(self, name, sequence, levels=None, **vals):
        """A policy whose single default level fires one day after the due date."""
        return self.env["dunning.policy"].create(
            {
                "name": name,
                "sequence": sequence,
                "level_ids": [
                    Command.create(level)
                    for level in levels or [self._level_vals(name, 10, 1, "day", "persuasive", 0)]
                ],
                **vals,
            }
        )

    @staticmethod
    def _by_customer(run):
        return {communication.partner_id: communication for communication in run.communication_ids}

    def _assert_refused(self, action, *fragments):
        """``action`` raises a ValidationError whose message holds every fragment."""
        with self.assertRaises(ValidationError) as caught:
            action()
        message = str(caught.exception)
        for fragment in fragments:
            self.assertIn(fragment, message)
        return message

    # ------------------------------------------------------------ configuration

    def test_negative_values_on_a_level_are_refused_with_the_fix(self):
        for vals, fix in (
            ({"delay": -3}, "the delay is -3; set 0 or more"),
            ({"minimum_gap_days": -1}, "the minimum gap is -1 days; set 0 or more"),
            ({"minimum_amount": -10.0}, "the minimum amount is negative; set 0 or more"),
        ):
            with self.subTest(vals=vals):
                self._assert_refused(
                    lambda vals=vals: self.level1.write(vals),
                    'Policy "Test reminders"',
                    'level "Reminder"',
                    fix,
                )
        self.assertEqual((self.level1.delay, self.level1.minimum_gap_days), (7, 0))

    def test_a_level_that_does_not_fall_due_after_the_one_before_is_refused(self):
        fix = "give each level a longer delay than the one before"
        for vals in (
            {"delay": 3, "delay_unit": "day"},  # 3 days after 7 days
            {"delay": 7, "delay_unit": "day"},  # the same day as the level before
            {"delay": 1, "delay_unit": "week"},  # one week is 7 days, too
        ):
            with self.subTest(vals=vals):
                self._assert_refused(
                    lambda vals=vals: self.level2.write(vals),
                    'Policy "Test reminders"',
                    'level "Second"',
                    'comes after "Reminder"',
                    fix,
                )
        # Moving the two-week level before the seven-day one puts them out of order.
        self._assert_refused(
            lambda: self.level2.write({"sequence": 1}), 'level "Reminder"', 'after "Second"', fix
        )
        self.assertEqual(self.policy.level_ids.sorted("sequence")[0], self.level1)

    def test_a_month_may_be_28_days_so_it_must_follow_more_than_four_weeks(self):
        def create(first_delay, first_unit):
            return self._policy(
                "Monthly",
                5,
                levels=[
                    self._level_vals("Weekly", 10, first_delay, first_unit, "friendly", 0),
                    self._level_vals("Monthly", 20, 1, "month", "formal", 0),
                ],
            )

        self._assert_refused(
            lambda: create(4, "week"),
            'Policy "Monthly", level "Monthly"',
            "is not later than 4 week(s)",
            "give each level a longer delay than the one before",
        )
        self._assert_refused(lambda: create(28, "day"), 'level "Monthly"')
        # 27 days is shorter than any month.
        self.assertEqual(create(27, "day").level_count, 2)

    def test_a_level_without_email_template_is_refused(self):
        self._assert_refused(
            lambda: self.level3.write({"mail_template_id": False}),
            'Policy "Test reminders", level "Formal"',
            "no email template; choose the template this level sends",
        )
        self._assert_refused(
            lambda: self._policy(
                "Silent",
                5,
                levels=[
                    {
                        **self._level_vals("Mute", 10, 3, "day", "friendly", 0),
                        "mail_template_id": False,
                    }
                ],
            ),
            'Policy "Silent", level "Mute"',
            "no email template",
        )

    def test_an_active_policy_needs_a_level(self):
        fix = "add at least one level with a delay and an email template"
        self._assert_refused(
            lambda: self.env["dunning.policy"].create({"name": "Empty"}),
            'Policy "Empty" has no levels',
            fix,
        )
        # A policy being drafted may be saved without levels while archived...
        draft = self.env["dunning.policy"].create({"name": "Draft", "active": False})
        self.assertFalse(draft.level_ids)
        # ...but cannot be activated before it has one.
        self._assert_refused(lambda: draft.write({"active": True}), 'Policy "Draft"', fix)
        draft.level_ids = [Command.create(self._level_vals("First", 10, 5, "day", "friendly", 0))]
        draft.active = True
        self.assertTrue(draft.active)

    def test_removing_the_last_level_of_an_active_policy_is_refused(self):
        single = self._policy("Single", 5)
        level = single.level_ids

        self._assert_refused(level.unlink, 'Policy "Single" has no levels')
        self.assertTrue(level.exists())
        self._assert_refused(
            lambda: single.write({"level_ids": [Command.delete(level.id)]}),
            'Policy "Single" has no levels',
        )
        self.assertTrue(level.exists())
        # Any level but the last may go; an archived policy may lose all of them.
        self.level3.unlink()
        self.assertEqual(self.policy.level_count, 2)
        single.active = False
        level.unlink()
        self.assertFalse(single.level_ids)

    def test_an_invalid_invoice_filter_is_refused_naming_the_policy(self):
        for domain in (
            "[('state', '=='",  # cut short
            "state = posted",  # not a Python literal
            "[('no_such_field', '=', 1)]",  # unknown field
            "[('ref', 'resembles', 'SUB')]",  # unknown operator
        ):
            with self.subTest(domain=domain):
                self._assert_refused(
                    lambda domain=domain: self.policy.write({"domain": domain}),
                    'Policy "Test reminders"',
                    "the invoice filter is not a valid domain",
                    "Fix it or reset it to []",
                )
        self.assertEqual(self.policy.domain, "[]")
        self.policy.domain = "[('ref', '=', 'SUB')]"
        self.assertEqual(self.policy.domain, "[('ref', '=', 'SUB')]")

    # ----------------------------------------------------------------- matching

    def test_the_customers_own_policy_wins_over_an_earlier_matching_policy(self):
        priority = self._policy("Priority", 1)
        self.customer.with_company(self.env.company).dunning_policy_id = self.policy
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 100.0, "2025-06-01")

        sent = self._by_customer(self._run("2025-06-20"))

        self.assertEqual(sent[self.customer].policy_id, self.policy)
        self.assertEqual(sent[self.customer].level_id, self.level1)
        self.assertEqual(sent[self.other_customer].policy_id, priority)
        self.assertEqual(sent[self.other_customer].level_id, priority.level_ids)

    def test_the_first_matching_policy_by_sequence_applies(self):
        tag = self.env["res.partner.category"].create({"name": "Key account"})
        later = self._policy("Later", 20, partner_category_ids=[Command.link(tag.id)])
        earlier = self._policy("Earlier", 5, partner_category_ids=[Command.link(tag.id)])
        self.assertGreater(earlier.id, later.id, "the sequence decides, not the creation order")
        self.customer.category_id = tag
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 100.0, "2025-06-01")

        sent = self._by_customer(self._run("2025-06-20"))

        self.assertEqual(sent[self.customer].policy_id, earlier)
        self.assertEqual(sent[self.customer].level_id, earlier.level_ids)
        # Without the tag the earlier policy does not match: the general one applies.
        self.assertEqual(sent[self.other_customer].policy_id, self.policy)

    def test_journal_criterion(self):
        sales = self.company_data["default_journal_sale"]
        journal = sales.copy(
            {
                "name": "Subscriptions",
                "code": "SUBS",
                "default_account_id": sales.default_account_id.id,
            }
        )
        by_journal = self._policy("Subscription journal", 1, journal_ids=[Command.link(journal.id)])
        subscription = self._invoice(self.customer, 100.0, "2025-06-01", journal_id=journal.id)
        self.assertEqual(subscription.journal_id, journal)
        self._invoice(self.other_customer, 100.0, "2025-06-01")

        sent = self._by_customer(self._run("2025-06-20"))

        self.assertEqual(sent[self.customer].policy_id, by_journal)
        self.assertEqual(sent[self.other_customer].policy_id, self.policy)

    def test_payment_term_criterion(self):
        thirty_days = self.env.ref("account.account_payment_term_30days")
        by_term = self._policy("30 days", 1, payment_term_ids=[Command.link(thirty_days.id)])
        on_terms = self._invoice(
            self.customer, 100.0, "2025-05-01", invoice_payment_term_id=thirty_days.id
        )
        self.assertEqual(on_terms.invoice_date_due, date(2025, 5, 31))
        self._invoice(self.other_customer, 100.0, "2025-06-01")

        sent = self._by_customer(self._run("2025-06-20"))

        self.assertEqual(sent[self.customer].policy_id, by_term)
        self.assertEqual(sent[self.other_customer].policy_id, self.policy)

    def test_product_category_criterion_includes_subcategories(self):
        hardware = self.env["product.category"].create({"name": "Hardware"})
        laptops = self.env["product.category"].create({"name": "Laptops", "parent_id": hardware.id})
        laptop = self._create_product(name="Laptop", categ_id=laptops.id)
        service = self._create_product(name="Support", categ_id=self.product_category.id)
        by_category = self._policy("Hardware", 1, product_category_ids=[Command.link(hardware.id)])
        for partner, product in ((self.customer, laptop), (self.other_customer, service)):
            self._invoice(
                partner,
                0.0,
                "2025-06-01",
                invoice_line_ids=[
                    Command.create(
                        {
                            "product_id": product.id,
                            "quantity": 1,
                            "price_unit": 900.0,
                            "tax_ids": [],
                        }
                    )
                ],
            )

        sent = self._by_customer(self._run("2025-06-20"))

        self.assertEqual(sent[self.customer].policy_id, by_category)
        self.assertEqual(sent[self.customer].amount_total, 900.0)
        self.assertEqual(sent[self.other_customer].policy_id, self.policy)

    def test_customer_tag_criterion(self):
        public_sector = self.env["res.partner.category"].create({"name": "Public sector"})
        by_tag = self._policy(
            "Public sector", 1, partner_category_ids=[Command.link(public_sector.id)]
        )
        self.other_customer.category_id = public_sector
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(self.other_customer, 100.0, "2025-06-01")

        sent = self._by_customer(self._run("2025-06-20"))

        self.assertEqual(sent[self.other_customer].policy_id, by_tag)
        self.assertEqual(sent[self.customer].policy_id, self.policy)

    def test_customer_type_criterion(self):
        consumers = self._policy("Consumers", 1, partner_type="individual")
        businesses = self._policy("Businesses", 2, partner_type="company")
        person = self._customer("Jane Doe", "jane@example.com", is_company=False)
        # An invoice addressed to a person of a company is the company's debt.
        employee = self.env["res.partner"].create(
            {
                "name": "John Smith",
                "parent_id": self.other_customer.id,
                "email": "john@globex.example.com",
            }
        )
        self._invoice(person, 100.0, "2025-06-01")
        self._invoice(self.customer, 100.0, "2025-06-01")
        self._invoice(employee, 100.0, "2025-06-01")

        sent = self._by_customer(self._run("2025-06-20"))

        self.assertEqual(set(sent), {person, self.customer, self.other_customer})
        self.assertEqual(sent[person].policy_id, consumers)
        self.assertEqual(sent[self.customer].policy_id, businesses)
        self.assertEqual(sent[self.other_customer].policy_id, businesses)

    def test_minimum_amount_criterion_counts_in_company_currency(self):
        large = self._policy("Large invoices", 1, minimum_amount=1000.0)
        eur = self.setup_other_currency("EUR")  # 2 EUR per company unit
        third = self._customer("Initech", "ap@initech.example.com")
        self._invoice(self.customer, 1000.0, "2025-06-01")
        self._invoice(self.other_customer, 999.0, "2025-06-01")
        # 1,500 EUR are 750 in company currency.
        self._invoice(third, 1500.0, "2025-06-01", currency=eur)

        sent = self._by_customer(self._run("2025-06-20"))

        self.assertEqual(sent[self.customer].policy_id, large)
        self.assertEqual(sent[self.other_customer].policy_id, self.policy)
        self.assertEqual(sent[third].policy_id, self.policy)
        self.assertEqual(sent[third].amount_total, 1500.0)

    def test_invoice_filter_criterion(self):
        by_origin = self._policy(
            "Subscriptions", 1, domain="[('invoice_origin', '=like', 'SUB/%')]"
        )
        self._invoice(self.customer, 100.0, "2025-06-01", invoice_origin="SUB/2025/0042")
        self._invoice(self.other_customer, 100.0, "2025-06-01", invoice_origin="SO0042")

        sent = self._by_customer(self._run("2025-06-20"))

        self.assertEqual(sent[self.customer].policy_id, by_origin)
        self.assertEqual(sent[self.other_customer].policy_id, self.policy)

    def test_an_invoice_under_no_policy_is_not_dunned_and_counted_as_excluded(self):
        tag = self.env["res.partner.category"].create({"name": "Dunned"})
        self.policy.domain = "[('ref', '!=', 'NO-DUN')]"
        self.policy.partner_category_ids = tag
        self.customer.category_id = tag
        dunned = self._invoice(self.customer, 100.0, "2025-06-01", ref="ORDER-7")
        untagged = self._invoice(self.other_customer, 100.0, "2025-06-01")
        filtered_out = self._invoice(self.customer, 50.0, "2025-06-01", ref="NO-DUN")

        run = self._run("2025-06-20")

        self.assertEqual(run.communication_ids.partner_id, self.customer)
        self.assertEqual(run.communication_ids.line_ids.move_id, dunned)
        self.assertEqual(run.communication_ids.amount_total, 100.0)
        self.assertEqual((run.invoice_count, run.excluded_count), (3, 2))
        self.assertFalse(self._mails_to(self.other_customer))
        self.assertFalse(untagged.dunning_level_id)
        self.assertFalse(filtered_out.dunning_level_id)

    def test_an_archived_policy_is_not_used(self):
        retired = self._policy("Retired", 1)
        retired.active = False
        invoice = self._invoice(self.customer, 100.0, "2025-06-01")

        run = self._run("2025-06-20")

        self.assertEqual(run.communication_ids.policy_id, self.policy)
        self.assertEqual(invoice.dunning_level_id, self.level1)
        # With the only active policy archived, nothing is dunned any more.
        self.policy.active = False
        self._invoice(self.other_customer, 100.0, "2025-06-01")
        run = self._run("2025-06-25")
        self.assertFalse(run.communication_ids)
        self.assertEqual(run.excluded_count, 2)
        self.assertEqual(invoice.dunning_level_id, self.level1)

    def test_a_customer_whose_own_policy_is_archived_follows_the_matching_policies(self):
        own = self._policy("Own", 20)
        self.customer.with_company(self.env.company).dunning_policy_id = own
        own.active = False
        self._invoice(self.customer, 100.0, "2025-06-01")

        run = self._run("2025-06-20")

        self.assertEqual(run.communication_ids.partner_id, self.customer)
        self.assertEqual(run.communication_ids.policy_id, self.policy)

    # ------------------------------------------------------------------- levels

    def test_week_and_month_delays_count_from_the_due_date(self):
        monthly = self._policy(
            "Weekly then monthly",
            1,
            levels=[
                self._level_vals("After a week", 10, 1, "week", "friendly", 0),
                self._level_vals("After a month", 20, 1, "month", "formal", 0),
            ],
        )
        week, month = monthly.level_ids.sorted("sequence")
        invoice = self._invoice(self.customer, 100.0, "2025-01-31")

        self.assertFalse(self._run("2025-02-06").communication_ids)
        self.assertEqual(self._run("2025-02-07").communication_ids.level_id, week)
        # One month after 31 January is the last day of February, not a month after the
        # first reminder.
        self.assertEqual(invoice.dunning_next_date, date(2025, 2, 28))
        self.assertFalse(self._run("2025-02-27").communication_ids)
        communication = self._run("2025-02-28").communication_ids
        self.assertEqual(communication.level_id, month)
        self.assertEqual(communication.tone, "formal")
        self.assertEqual(communication.line_ids.days_overdue, 28)
        self.assertEqual(invoice.dunning_level_id, month)

    def test_a_level_waits_until_the_overdue_total_reaches_its_minimum(self):
        self.level1.minimum_amount = 500.0
        small = self._invoice(self.customer, 300.0, "2025-06-01")
        self._invoice(self.other_customer, 300.0, "2025-06-01")
        self._invoice(self.other_customer, 250.0, "2025-06-05")

        run = self._run("2025-06-20")

        by_customer = self._by_customer(run)
        skipped = by_customer[self.customer]
        self.assertEqual((skipped.state, skipped.skip_reason), ("skipped", "below_minimum"))
        self.assertFalse(self._mails_to(self.customer))
        self.assertFalse(small.dunning_level_id)
        # Two invoices together reach the minimum.
        self.assertEqual(by_customer[self.other_customer].state, "queued")
        self.assertEqual(by_customer[self.other_customer].amount_total, 550.0)
        self.assertEqual((run.queued_count, run.skipped_count), (1, 1))
        self.assertIn("Below the level's minimum amount: 1", run.skip_summary)

        # A new overdue invoice lifts the customer's total over the minimum.
        self._invoice(self.customer, 200.0, "2025-06-15")
        communication = self._run("2025-06-22").communication_ids
        self.assertEqual((communication.partner_id, communication.state), (self.customer, "queued"))
        self.assertEqual(communication.amount_total, 500.0)
        self.assertEqual(small.dunning_level_id, self.level1)

    def test_the_customer_and_the_invoice_show_where_dunning_stands(self):
        old = self._invoice(self.customer, 300.0, "2025-05-01")
        self._run("2025-05-08")  # old: level 1
        recent = self._invoice(self.customer, 200.0, "2025-05-10")
        self._invoice(self.other_customer, 100.0, "2025-05-01")
        self._run("2025-05-17")  # old: level 2 (2 weeks after due), recent: level 1

        self.assertEqual(self.customer.dunning_communication_count, 2)
        self.assertEqual(self.customer.dunning_level_id, self.level2)
        self.assertEqual(self.other_customer.dunning_communication_count, 1)
        self.assertEqual(self.other_customer.dunning_level_id, self.level1)
        self.assertEqual(
            (old.dunning_level_id, recent.dunning_level_id), (self.level2, self.level1)
        )
        # The old invoice's level 3 falls due a month after its due date; the recent one's
        # level 2 two weeks after its due date (its 5-day gap ends earlier).
        self.assertEqual(old.dunning_next_date, date(2025, 6, 1))
        self.assertEqual(recent.dunning_next_date, date(2025, 5, 24))

    def test_the_shipped_policy_has_the_shipped_plan_templates(self):
        """The Payment Plans tab of the shipped policy shows the four plan emails it uses."""
        # The shipped policy belongs to the main company, not to the test's.
        policy = self.env.ref("odoo_automated_dunning.dunning_policy_standard").sudo()
        ref = self.env.ref
        self.assertEqual(
            (
                policy.plan_proposal_template_id,
                policy.plan_reminder_template_id,
                policy.plan_overdue_template_id,
                policy.plan_default_template_id,
            ),
            (
                ref("odoo_automated_dunning.mail_template_plan_proposal"),
                ref("odoo_automated_dunning.mail_template_plan_reminder"),
                ref("odoo_automated_dunning.mail_template_plan_overdue"),
                ref("odoo_automated_dunning.mail_template_plan_default"),
            ),
        )
