from unittest.mock import patch

from odoo.tests import freeze_time, tagged

from odoo.addons.base.models.ir_qweb import IrQweb

from .common import DunningCommon

EDITED_BODY = (
    '<div style="font-size: 13px;">'
    '<p>Hello <t t-out="object.partner_id.name"/>, edited by our credit team.</p>'
    '<p>Your balance: <t t-out="object.total_display"/>.</p>'
    '<t t-call="odoo_automated_dunning.dunning_mail_invoice_table"/>'
    '<p t-if="len(object.line_ids) &gt; 1">Several invoices are late.</p>'
    "</div>"
)
FRENCH_TERMS = {
    "edited by our credit team.": "modifié par notre service recouvrement.",
    "Hello": "Bonjour",
    "Your balance:": "Votre solde :",
    "Several invoices are late.": "Plusieurs factures sont en retard.",
}
FIELDS = ["subject", "body_html", "email_from", "reply_to"]


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningRenderBatch(DunningCommon):
    """A batch of reminders compiles its template's body once per language, and every
    reminder reads exactly as Odoo renders it alone: the user's edits and translations
    included, the customer's own text escaped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.template = cls.templates["friendly"]
        # A user edits the template in English, then translates it into French.
        cls.template.write({"body_html": EDITED_BODY})
        terms = cls.template._fields["body_html"].get_trans_terms(cls.template.body_html)
        french = {}
        for term in terms:
            text = term
            for english, translated in FRENCH_TERMS.items():
                text = text.replace(english, translated)
            french[term] = text
        cls.template.update_field_translations("body_html", {"fr_FR": french})
        cls.customers = cls.env["res.partner"]
        for index, (name, lang) in enumerate(
            [
                ("Acme <b>Bold</b> & Sons", "en_US"),
                ("Atelier <script>alert(1)</script>", "fr_FR"),
                ("Globex", "en_US"),
                ("Boulangerie Dupont", "fr_FR"),
            ]
        ):
            customer = cls._customer(name, f"ap{index}@customer.example.com", lang=lang)
            cls._invoice(customer, 100.0 + index, "2025-06-01")
            if index % 2:
                cls._invoice(customer, 2000.5, "2025-06-05")
            cls.customers |= customer

    def _prepared(self):
        run = self.env["dunning.run"].create(
            {
                "date": "2025-06-20",
                "company_id": self.env.company.id,
                "prepare_only": True,
                "partner_ids": [(6, 0, self.customers.ids)],
            }
        )
        run.action_run()
        communications = run.communication_ids.filtered(lambda c: c.state == "draft")
        self.assertEqual(len(communications), 4)
        return communications

    def test_batch_render_is_byte_identical_to_odoo_per_record(self):
        communications = self._prepared()
        sender = self.env["dunning.send.email"]
        with patch.object(
            IrQweb, "_generate_code", autospec=True, side_effect=IrQweb._generate_code
        ) as compiled:
            batch = sender._render_email(communications, self.template)
        # Once per language for the body (and once per language for Odoo's safety check of
        # the template's expressions), where Odoo alone compiles once per reminder.
        self.assertLessEqual(compiled.call_count, 4)
        for communication in communications:
            alone = self.template._generate_template(communication.ids, FIELDS)[communication.id]
            self.assertEqual(batch[communication.id], alone, communication.partner_id.name)
        by_lang = {c.partner_id.lang: batch[c.id]["body_html"] for c in communications}
        self.assertIn("modifié par notre service recouvrement.", by_lang["fr_FR"])
        self.assertIn("edited by our credit team.", by_lang["en_US"])
        bodies = "".join(values["body_html"] for values in batch.values())
        self.assertNotIn("<script>", bodies)
        self.assertIn("&lt;script&gt;", bodies)
        self.assertIn("Acme &lt;b&gt;Bold&lt;/b&gt; &amp; Sons", bodies)

    def test_queued_mails_carry_the_edited_and_translated_text(self):
        communications = self._prepared()
        communications.run_id.action_send_prepared()
        for customer in self.customers:
            mail = self._mails_to(customer)
            self.assertEqual(len(mail), 1)
            communication = communications.filtered(
                lambda c, customer=customer: c.partner_id == customer
            )
            alone = self.template._generate_template(communication.ids, FIELDS)[communication.id]
            wrapped = self.env["dunning.mail.layout"]._wrap(
                communication, self.template, {communication.id: alone}
            )[communication.id]
            self.assertEqual(mail.body_html, wrapped["body_html"])
            self.assertEqual(mail.subject, alone["subject"])
            if customer.lang == "fr_FR":
                self.assertIn("Votre solde :", mail.body_html)
                self.assertNotIn("Your balance:", mail.body_html)
            else:
                self.assertIn("Your balance:", mail.body_html)
