from datetime import date

from odoo.tests import tagged
from odoo.tools import format_date

from .test_dunning_portal import DunningPortalCommon

DUE = date(2025, 12, 4)


@tagged("post_install", "-at_install")
class TestDunningPortalLanguage(DunningPortalCommon):
    """The portal speaks the customer's language, logged in or from a reminder's link."""

    LANGS = ["fr_FR", "de_DE"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in cls.LANGS:
            cls.env["res.lang"]._activate_lang(lang)
        # Shipped translations, as Odoo loads them when a language is added: ours, and the
        # portal's and the invoice page's for Odoo's own pages reached from ours (sudo: account
        # then translates the charts of every company, the test user's or not).
        cls.env["ir.module.module"].sudo()._load_module_terms(
            ["portal", "account", "payment", "account_payment", "odoo_automated_dunning"],
            cls.LANGS,
            overwrite=True,
        )
        cls.customer.lang = "fr_FR"
        cls.portal_user.partner_id.lang = "fr_FR"
        cls.other_customer.lang = "de_DE"
        cls.inv_fr = cls._invoice(cls.customer, 1234.56, DUE)
        cls.inv_de = cls._invoice(cls.other_customer, 1234.56, DUE)

    def _path(self, url):
        return url.replace(self.customer.get_base_url(), "")

    def test_the_languages_write_the_due_date_as_the_tours_expect(self):
        # The tours look for these strings: they are what each language's record makes of
        # 4 December 2025, not a format written down here.
        self.assertEqual(format_date(self.env, DUE, lang_code="fr_FR"), "04/12/2025")
        self.assertEqual(format_date(self.env, DUE, lang_code="de_DE"), "04.12.2025")

    def test_a_french_portal_user_reads_the_pages_in_french(self):
        self.start_tour("/my/dunning", "dunning_portal_lang_fr", login="jane")
        self.start_tour("/my/home", "dunning_portal_home_fr", login="jane")

    def test_a_french_customers_link_opens_the_pages_in_french(self):
        self.start_tour(self._path(self.customer._dunning_portal_url()), "dunning_portal_lang_fr")

    def test_a_german_customers_link_opens_the_pages_in_german(self):
        self.start_tour(
            self._path(self.other_customer._dunning_portal_url()), "dunning_portal_lang_de"
        )

    def test_a_link_moves_the_visitor_to_the_customers_language(self):
        page = self.url_open(self._path(self.customer._dunning_portal_url()))
        self.assertEqual(page.status_code, 200)
        self.assertTrue(page.url.split("/", 3)[3].startswith("fr/my/dunning?"), page.url)
        self.assertIn("Paiements dus", page.text)
        self.assertIn(format_date(self.env, DUE, lang_code="fr_FR"), page.text)
        self.assertNotIn("Payments due", page.text)

    def test_a_visitor_who_chose_a_language_keeps_it(self):
        self.opener.cookies.set("frontend_lang", "en_US")
        page = self.url_open(self._path(self.customer._dunning_portal_url()))
        self.assertIn("Payments due", page.text)
        self.assertIn(format_date(self.env, DUE, lang_code="en_US"), page.text)
        # ... and a language chosen in the URL (the footer's selector) wins over the customer's.
        self.opener.cookies.clear()
        page = self.url_open("/de" + self._path(self.customer._dunning_portal_url()))
        self.assertIn("Fällige Zahlungen", page.text)

    def test_the_plan_page_from_a_link_is_in_the_customers_language(self):
        plan = self._own_plan("proposed")
        page = self.url_open(self._path(plan.get_portal_url()))
        self.assertEqual(page.status_code, 200)
        self.assertIn("Échéancier de paiement", page.text)
        self.assertIn(
            format_date(self.env, plan.installment_ids[0].due_date, lang_code="fr_FR"), page.text
        )
        # The breadcrumb leads back to the payments page with the customer's token.
        self.assertIn(f"/fr/my/dunning?partner_id={self.customer.id}&amp;access_token=", page.text)

    def test_the_preferences_and_opt_out_links_are_in_the_customers_language(self):
        preferences = self._path(self.other_customer._dunning_preferences_url())
        page = self.url_open(preferences)
        self.assertIn("Wie dürfen wir Sie zu Zahlungen kontaktieren?", page.text)
        self.opener.cookies.clear()
        page = self.url_open(preferences.replace("/preferences/", "/optout/") + "/email")
        self.assertIn("/de/dunning/preferences/", page.url)
        self.assertIn("Wie dürfen wir Sie zu Zahlungen kontaktieren?", page.text)
