from datetime import date

from odoo import Command
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import DunningCommon


@freeze_time("2025-06-20 09:00:00")
@tagged("post_install", "-at_install")
class TestDunningDispute(DunningCommon):
    """A dispute recorded in the back office: a note on each invoice (why, by whom, from
    where) and one To-Do for the customer's collector, due a week later."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.collector = new_test_user(
            cls.env,
            login="colette",
            name="Colette Collector",
            groups="odoo_automated_dunning.group_dunning_user",
            company_id=cls.env.company.id,
            company_ids=[Command.set(cls.env.company.ids)],
        )
        cls.customer.with_company(cls.env.company).dunning_responsible_id = cls.collector
        cls.invoice = cls._invoice(cls.customer, 500.0, "2025-05-01")
        cls.second = cls._invoice(cls.customer, 300.0, "2025-05-15")

    def _dispute(self, moves, reason):
        wizard = Form(self.env["dunning.dispute.wizard"].with_context(default_move_ids=moves.ids))
        wizard.reason = reason
        wizard.save().action_confirm()

    def _notes(self, move):
        return move.message_ids.filtered(lambda m: "Disputed by" in str(m.body))

    def test_a_dispute_is_noted_on_each_invoice_and_tasks_the_collector(self):
        self._dispute(self.invoice | self.second, 'Wrong <b>quantity</b>\n<a href="x">see</a>')
        for move in self.invoice | self.second:
            self.assertEqual(move.dunning_dispute_status, "open")
            note = self._notes(move)
            self.assertEqual(len(note), 1)
            self.assertEqual(note.subtype_id, self.env.ref("mail.mt_note"))
            self.assertEqual(note.author_id, self.env.user.partner_id)
            body = str(note.body)
            self.assertIn(f"Disputed by {self.env.user.name} (recorded in the back office)", body)
            self.assertIn("Wrong &lt;b&gt;quantity&lt;/b&gt;", body)
            self.assertNotIn("<b>", body)
            self.assertNotIn("<a ", body)
            activity = move.activity_ids
            self.assertEqual(len(activity), 1)
            self.assertEqual(activity.user_id, self.collector)
            self.assertEqual(
                activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo")
            )
            self.assertEqual(activity.summary, "Resolve the customer's dispute")
            self.assertEqual(activity.date_deadline, date(2025, 6, 27))
            self.assertIn("&lt;a href=", str(activity.note))
            self.assertIn("<br>", str(activity.note).replace("<br/>", "<br>"))

    def test_disputed_twice_one_task_two_notes(self):
        self._dispute(self.invoice, "Wrong quantity")
        self._dispute(self.invoice | self.second, "Also the price")
        self.assertEqual(len(self._notes(self.invoice)), 2)
        self.assertIn("Also the price", self.invoice.dunning_dispute_reason)
        self.assertEqual(len(self.invoice.activity_ids), 1, "the open task stands")
        self.assertEqual(len(self.second.activity_ids), 1)
        # Resolved, then disputed anew once the task is done: a new task.
        self.invoice.activity_ids.action_feedback(feedback="Credit note agreed")
        self.invoice.action_dunning_resolve_dispute()
        self._dispute(self.invoice, "The credit note never came")
        self.assertEqual(len(self.invoice.activity_ids), 1)
        self.assertEqual(self.invoice.dunning_dispute_status, "open")

    def test_without_a_collector_of_its_own_the_policys_responsible_gets_the_task(self):
        self.customer.with_company(self.env.company).dunning_responsible_id = False
        self.customer.with_company(self.env.company).dunning_policy_id = self.policy
        self.policy.responsible_id = self.collector
        self._dispute(self.invoice, "Wrong quantity")
        self.assertEqual(self.invoice.activity_ids.user_id, self.collector)

    def test_a_dispute_raised_on_a_call_goes_the_same_way(self):
        action = self.customer.action_dunning_call_outcome()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        wizard.write(
            {"outcome": "dispute", "note": "Goods never arrived", "move_ids": self.second.ids}
        )
        wizard.action_confirm()
        self.assertEqual(self.second.dunning_dispute_status, "open")
        self.assertIn("(call)", str(self._notes(self.second).body))
        self.assertEqual(self.second.activity_ids.user_id, self.collector)

    def test_a_dispute_recorded_by_a_scheduled_action_tasks_a_person_not_odoobot(self):
        """A reply read by the mail gateway's scheduled action runs as OdooBot: with no
        collector, policy responsible or salesperson, the task goes to the administrator."""
        self.customer.with_company(self.env.company).dunning_responsible_id = False
        self.customer.user_id = False
        odoobot = self.env.ref("base.user_root")
        self.invoice.with_user(odoobot)._dunning_open_dispute("Not ordered", "email reply")
        self.assertEqual(self.invoice.activity_ids.user_id, self.env.ref("base.user_admin"))
