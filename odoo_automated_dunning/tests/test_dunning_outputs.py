import base64

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon
from .test_dunning_channels import pdf_text

# A 1x1 PNG: a company logo of its own (Odoo's default logo is never shown in mails).
LOGO = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cf000000030101009a5d2a590000000049454e44ae426082"
    )
)


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningOutputs(DunningCommon):
    """What the customer receives: who gets it, and the company's layout around it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.env["ir.module.module"]._load_module_terms(
            ["mail", "odoo_automated_dunning"], ["fr_FR"], overwrite=True
        )
        cls.env.company.write(
            {
                "name": "Fabrikam Receivables SA",
                "street": "12 Rue des Créanciers",
                "zip": "75002",
                "city": "Paris",
                "country_id": cls.env.ref("base.fr").id,
                "phone": "+33 1 40 00 00 00",
                "logo": LOGO,
            }
        )

    # -------------------------------------------------------------- recipients

    def _contact(self, parent, kind, email):
        return self.env["res.partner"].create(
            {"name": f"{kind} desk", "type": kind, "parent_id": parent.id, "email": email}
        )

    def test_dunning_contact_receives_before_the_invoice_contact(self):
        self._contact(self.customer, "invoice", "invoices@acme.example.com")
        dunning = self._contact(self.customer, "dunning", "receivables@acme.example.com")
        self._invoice(self.customer, 300.0, "2025-06-01")
        self.assertEqual(self.customer.dunning_recipient_id, dunning, "shown on the customer")

        communication = self._run("2025-06-20").communication_ids

        self.assertEqual(communication.recipient_id, dunning)
        self.assertEqual(communication.recipient_address, "receivables@acme.example.com")
        mail = self.env["mail.mail"].search([("id", "=", communication.mail_id.id)])
        self.assertEqual(mail.recipient_ids, dunning)

    def test_without_dunning_contact_the_invoice_contact_receives(self):
        invoice_contact = self._contact(self.customer, "invoice", "invoices@acme.example.com")
        # A dunning contact without email cannot receive: the invoice contact does.
        self._contact(self.customer, "dunning", False)
        self._invoice(self.customer, 300.0, "2025-06-01")
        self.assertEqual(self.customer.dunning_recipient_id, invoice_contact)

        communication = self._run("2025-06-20").communication_ids

        self.assertEqual(communication.recipient_id, invoice_contact)
        self.assertEqual(communication.mail_id.recipient_ids, invoice_contact)

    def test_dunning_contact_type_is_offered_on_contacts(self):
        types = dict(self.env["res.partner"]._fields["type"]._description_selection(self.env))
        self.assertEqual(types["dunning"], "Receivables/Dunning contact")

    # ----------------------------------------------------------------- layout

    def _assert_company_layout(self, body):
        company = self.env.company
        self.assertIn("Fabrikam Receivables SA", body)
        self.assertIn("12 Rue des Créanciers", body, "the company's address in the footer")
        self.assertIn("75002 Paris", body)
        self.assertIn(f"/logo.png?company={company.id}", body, "the company's logo")
        self.assertIn("+33 1 40 00 00 00", body)

    def test_reminder_email_carries_the_company_layout_in_english(self):
        invoice = self._invoice(self.customer, 1200.0, "2025-06-10")

        communication = self._run("2025-06-20").communication_ids

        body = communication.mail_id.body_html
        self._assert_company_layout(body)
        self.assertIn(invoice.name, body, "the reminder itself inside the layout")
        self.assertIn(communication.subject, body, "the layout's title is the subject")
        self.assertIn("Powered by", body)

    def test_reminder_email_carries_the_company_layout_in_french(self):
        customer = self._customer("Atelier SARL", "compta@atelier.example.fr", lang="fr_FR")
        invoice = self._invoice(customer, 1200.0, "2025-06-10")

        communication = self._run("2025-06-20").communication_ids

        body = communication.mail_id.body_html
        self._assert_company_layout(body)
        self.assertIn(invoice.name, body)
        self.assertIn("Généré par", body, "Odoo's layout in the customer's language")
        self.assertNotIn("Powered by", body)


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningLetterOutputs(DunningCommon):
    """The letter and the statement say who writes, where to pay and how, on Debian's
    wkhtmltopdf (which drops the layout's header)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.env["ir.module.module"]._load_module_terms(
            ["odoo_automated_dunning"], ["de_DE"], overwrite=True
        )
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True
        company = cls.env.company
        company.write(
            {
                "name": "Fabrikam Forderungen GmbH",
                "street": "Hauptstraße 5",
                "zip": "10115",
                "city": "Berlin",
                "country_id": cls.env.ref("base.de").id,
                "vat": "DE123456788",
                "company_registry": "HRB 12345",
                "logo": LOGO,
                "external_report_layout_id": cls.env.ref("web.external_layout_standard").id,
            }
        )
        bank = cls.env["res.bank"].create({"name": "Commerzbank", "bic": "COBADEFFXXX"})
        cls.bank = cls.env["res.partner.bank"].create(
            {
                "acc_number": "DE89370400440532013000",
                "partner_id": company.partner_id.id,
                "bank_id": bank.id,
            }
        )
        cls.level1.write(
            {
                "channel_ids": [
                    Command.clear(),
                    Command.create({"channel": "email", "fallback": False, "sequence": 0}),
                    Command.create({"channel": "letter", "fallback": True, "sequence": 1}),
                ]
            }
        )

    def _letter_customer(self, name, lang, country, street, city, zip_code, state=None):
        return self._customer(
            name,
            False,
            lang=lang,
            street=street,
            city=city,
            zip=zip_code,
            country_id=self.env.ref(country).id,
            state_id=state and self.env.ref(state).id,
        )

    def _letter(self, day="2025-06-20"):
        run = (
            self.env["dunning.run"]
            .with_context(force_report_rendering=True)
            .create({"date": day, "company_id": self.env.company.id})
        )
        with self.allow_pdf_render():
            run.action_run()
        letter = run.communication_ids.filtered(lambda c: c.channel == "letter")
        self.assertEqual(letter.state, "sent", letter.error_message)
        return letter

    def test_eur_letter_names_the_sender_and_carries_the_epc_code(self):
        customer = self._letter_customer(
            "Müller Maschinenbau AG", "de_DE", "base.de", "Industriestraße 7", "München", "80331"
        )
        invoice = self._invoice(customer, 1234.5, "2025-06-01", currency=self.eur)

        letter = self._letter()

        text = pdf_text(letter.letter_attachment_id.raw)
        self.assertIn("Fabrikam Forderungen GmbH", text)
        self.assertIn("Hauptstraße 5", text)
        self.assertIn("10115 Berlin", text)
        self.assertIn("DE89 3704 0044 0532 0130 00", text, "the IBAN, as banks print it")
        self.assertIn("COBADEFFXXX", text)
        self.assertIn("DE123456788", text)
        self.assertIn("HRB 12345", text)
        self.assertIn("Industriestraße 7", text, "the addressee for the envelope window")
        self.assertIn(invoice.payment_reference, text)
        self.assertIn("Zahlungserinnerung", text, "the letter in German")
        short_link = self.env["dunning.short.link"]
        self.assertIn(f"/d/{short_link._code(letter)}", text)
        self.assertNotIn(letter.pay_url, text, "no 100-character tokenised URL")

        payment = self.env["report.odoo_automated_dunning.report_dunning_letter"]._payment(letter)
        # The European Payments Council's SCT QR code (EPC069-12), as Odoo builds it.
        self.assertEqual(
            payment["epc"],
            "\n".join(
                [
                    "BCD",
                    "002",
                    "1",
                    "SCT",
                    "COBADEFFXXX",
                    "Fabrikam Forderungen GmbH",
                    "DE89370400440532013000",
                    "EUR1234.5",
                    "",
                    "",
                    invoice.payment_reference,
                    "",
                ]
            ),
        )
        self.assertTrue(payment["qr"].startswith("data:image/png;base64,"))

    def test_usd_letter_has_a_pay_link_code_and_odoo_address_format(self):
        customer = self._letter_customer(
            "Contoso Ltd",
            "en_US",
            "base.us",
            "1 Microsoft Way",
            "Redmond",
            "98052",
            state="base.state_us_48",
        )
        invoice = self._invoice(customer, 500.0, "2025-06-01")

        letter = self._letter()

        self.assertEqual(
            letter.recipient_address,
            "Contoso Ltd, 1 Microsoft Way, Redmond WA 98052, United States",
        )
        text = pdf_text(letter.letter_attachment_id.raw)
        self.assertIn("Fabrikam Forderungen GmbH", text)
        self.assertIn("Hauptstraße 5", text)
        self.assertIn("DE89 3704 0044 0532 0130 00", text)
        self.assertIn(invoice.payment_reference, text)
        self.assertIn("Redmond WA 98052", text)
        payment = self.env["report.odoo_automated_dunning.report_dunning_letter"]._payment(letter)
        self.assertFalse(payment["epc"], "no SEPA transfer code for dollars")
        self.assertTrue(payment["qr"].startswith("data:image/png;base64,"), "the pay link's")
        self.assertIn(f"/d/{self.env['dunning.short.link']._code(letter)}", text)

    def test_short_link_opens_only_its_own_reminder(self):
        customer = self._letter_customer(
            "Contoso Ltd", "en_US", "base.us", "1 Microsoft Way", "Redmond", "98052"
        )
        self._invoice(customer, 500.0, "2025-06-01")
        letter = self._letter()
        links = self.env["dunning.short.link"]
        code = links._code(letter)

        self.assertEqual(links._resolve(code), letter)
        self.assertEqual(links._resolve(code.upper()), letter, "typed in capitals")
        number, tag = code.split("-")
        other = f"{int(number) + 1}-{tag}"
        self.assertFalse(links._resolve(other), "a tag is valid for its reminder only")
        self.assertFalse(links._resolve(f"{number}-{'0' * 16}"))
        for junk in ("", "1", "abc", f"{number}-{tag}x", "٣-" + tag, "9" * 40):
            self.assertFalse(links._resolve(junk), junk)

    def test_statement_has_the_same_sender_header(self):
        customer = self._letter_customer(
            "Müller Maschinenbau AG", "de_DE", "base.de", "Industriestraße 7", "München", "80331"
        )
        invoice = self._invoice(customer, 1234.5, "2025-06-01", currency=self.eur)
        with self.allow_pdf_render():
            _name, pdf = customer.with_context(force_report_rendering=True)._dunning_statement_pdf()
        text = pdf_text(pdf)
        self.assertIn("Fabrikam Forderungen GmbH", text)
        self.assertIn("Hauptstraße 5", text)
        self.assertIn("DE89 3704 0044 0532 0130 00", text)
        self.assertIn("Industriestraße 7", text)
        self.assertIn(invoice.name, text)
