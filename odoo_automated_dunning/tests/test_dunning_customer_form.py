from odoo.tests import freeze_time, tagged

from .common import DunningCommon


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningCustomerForm(DunningCommon):
    def test_the_current_level_is_the_highest_of_the_invoices_still_open(self):
        old = self._invoice(self.customer, 300.0, "2025-05-01")
        self._run("2025-05-08")  # old: level 1
        recent = self._invoice(self.customer, 200.0, "2025-05-10")
        self._run("2025-05-17")  # old: level 2, recent: level 1
        contact = self.env["res.partner"].create({"name": "Jo", "parent_id": self.customer.id})
        self.assertEqual(
            (old.dunning_level_id, recent.dunning_level_id), (self.level2, self.level1)
        )

        def levels():
            self.env.invalidate_all()
            return self.customer.dunning_level_id, contact.dunning_level_id

        self.assertEqual(levels(), (self.level2, self.level2), "the contact shows its company's")
        self._pay(old, amount=100.0)
        self.assertEqual(levels(), (self.level2, self.level2), "partly paid: still open")
        self._pay(old)
        self.assertEqual(levels(), (self.level1, self.level1), "paid: its level no longer counts")
        self._pay(recent)
        self.assertEqual(levels(), (self.env["dunning.level"], self.env["dunning.level"]))
