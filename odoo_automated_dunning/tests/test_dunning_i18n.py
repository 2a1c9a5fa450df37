import re

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import DunningCommon


def static_words(template_text):
    """The longest piece of a template's text outside its {{ }} placeholders."""
    pieces = re.split(r"\{\{.*?\}\}", template_text)
    return max((piece.strip(" :()") for piece in pieces), key=len)


@freeze_time("2025-06-30")
@tagged("post_install", "-at_install")
class TestDunningI18n(DunningCommon):
    """Reminders speak the customer's language, in words and in number formats."""

    LANGS = ("fr_FR", "de_DE", "es_ES", "nl_NL")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in cls.LANGS:
            cls.env["res.lang"]._activate_lang(lang)
        # The module's shipped translations, loaded as Odoo loads them when a language is added.
        cls.env["ir.module.module"]._load_module_terms(
            ["odoo_automated_dunning"], list(cls.LANGS), overwrite=True
        )
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True

    def _remind(self, name, lang, phone=False):
        customer = self._customer(name, "accounts@customer.example.eu", lang=lang, phone=phone)
        invoice = self._invoice(customer, 1234.56, "2025-06-01", currency=self.eur)
        self._run("2025-06-20")
        return customer, invoice

    def test_french_customer_gets_a_french_email_with_french_amounts(self):
        customer, invoice = self._remind("Atelier SARL", "fr_FR")

        mail = self._mails_to(customer)
        template = self.templates["friendly"]
        french = static_words(template.with_context(lang="fr_FR").subject)
        self.assertNotEqual(french, static_words(template.subject))
        self.assertIn(french, mail.subject)
        self.assertNotIn("Dear", mail.body_html)
        self.assertIn(invoice.name, mail.body_html)
        # French: a (narrow) no-break space between thousands, a decimal comma, the symbol after.
        self.assertRegex(mail.body_html, r"1\s234,56\s€")

    def test_german_spanish_and_dutch_emails(self):
        formats = {"de_DE": r"1\.234,56\s€", "es_ES": r"1\.234,56\s€", "nl_NL": r"1\.234,56\s€"}
        english = static_words(self.templates["friendly"].subject)
        for lang, pattern in formats.items():
            with self.subTest(lang=lang):
                customer, _invoice = self._remind(f"Customer {lang}", lang)
                mail = self._mails_to(customer)
                self.assertNotIn(english, mail.subject)
                self.assertIn(
                    static_words(self.templates["friendly"].with_context(lang=lang).subject),
                    mail.subject,
                )
                self.assertRegex(mail.body_html, pattern)

    def test_sms_in_the_customer_language(self):
        sms_template = self.env.ref("odoo_automated_dunning.sms_template_dunning_friendly")
        self.level1.write(
            {
                "sms_template_id": sms_template.id,
                "channel_ids": [Command.clear(), Command.create({"channel": "sms"})],
            }
        )
        customer, _invoice = self._remind("Atelier SARL", "fr_FR", phone="+33 1 42 68 53 00")

        sms = self.env["sms.sms"].search([("partner_id", "=", customer.id)])
        french = static_words(sms_template.with_context(lang="fr_FR").body)
        self.assertNotEqual(french, static_words(sms_template.body))
        self.assertIn(french, sms.body)
        self.assertRegex(sms.body, r"1\s234,56\s€")

    def test_the_run_gives_its_skip_reasons_in_the_readers_language(self):
        self._invoice(self.customer, 300.0, "2025-06-01")
        self._invoice(self.customer, 500.0, "2025-06-02", move_type="out_refund")
        run = self._run("2025-06-20")  # run by an English-speaking user, or the cron

        french = self.env(context=dict(self.env.context, lang="fr_FR"))
        label = dict(
            french["dunning.communication"]._fields["skip_reason"]._description_selection(french)
        )["credit_covers"]
        self.assertNotIn("Credits cover", label)
        self.assertIn(f"{label}: 1", run.with_env(french).skip_summary)
        self.assertIn("Credits cover the overdue amount: 1", run.skip_summary)
