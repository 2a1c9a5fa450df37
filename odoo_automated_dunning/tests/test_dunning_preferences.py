from odoo.tests import HttpCase, tagged

from .common import DunningCommon


@tagged("post_install", "-at_install")
class TestDunningPreferences(DunningCommon, HttpCase):
    """The links in every reminder change the consent ledger, without a login."""

    def _url(self, partner=None):
        return (
            (partner or self.customer)
            ._dunning_preferences_url()
            .replace(self.customer.get_base_url(), "")
        )

    def test_every_email_and_sms_carries_the_preferences_link(self):
        self._invoice(self.customer, 100.0, "2025-06-01")
        self.level1.write(
            {
                "sms_template_id": self.env.ref(
                    "odoo_automated_dunning.sms_template_dunning_friendly"
                ).id,
                "channel_ids": [
                    (5, 0, 0),
                    (0, 0, {"channel": "email"}),
                    (0, 0, {"channel": "sms"}),
                ],
            }
        )
        self.customer.phone = "+32 470 12 34 56"
        run = self._run("2025-06-20")
        url = self.customer._dunning_preferences_url()
        self.assertIn(url, self._mails_to(self.customer).body_html)
        sms = run.communication_ids.filtered(lambda c: c.channel == "sms").sms_id
        self.assertIn(f"Stop: {url}", sms.body)

    def test_the_page_shows_and_saves_preferences(self):
        page = self.url_open(self._url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("How may we contact you about payments?", page.text)
        self.assertIn("Acme Corp", page.text)

        response = self.url_open(
            self._url(),
            data={
                "email": "allowed",
                "sms": "refused",
                "phone": "allowed",
                "letter": "allowed",
                "csrf_token": self._csrf_token(),
            },
        )

        self.assertEqual(response.status_code, 200)
        self.assertIn("Your preferences are saved.", response.text)
        self.assertEqual(self.customer.dunning_consent_sms, "refused")
        self.assertEqual(self.customer.dunning_consent_email, "allowed")
        entry = self.env["dunning.consent"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual((entry.channel, entry.source), ("sms", "portal"))
        self.assertIn("preferences page", entry.evidence)

    def test_objecting_on_the_page(self):
        self.url_open(
            self._url(),
            data={"object": "1", "csrf_token": self._csrf_token()},
        )
        self.assertEqual(self.customer.dunning_consent_letter, "objected")

    def test_opt_out_link_proposes_and_save_confirms(self):
        token = self.customer._dunning_preferences_token()
        response = self.url_open(f"/dunning/optout/{self.customer.id}/{token}/email")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Press Save to stop these messages.", response.text)
        self.assertEqual(
            self.customer.dunning_consent_email, "allowed", "following a link changes nothing"
        )
        self.assertEqual(
            self.url_open(f"/dunning/optout/{self.customer.id}/{token}/fax").status_code, 404
        )
        self.url_open(
            self._url(),
            data={
                "email": "refused",
                "sms": "allowed",
                "phone": "allowed",
                "letter": "allowed",
                "csrf_token": self._csrf_token(),
            },
        )
        self.assertEqual(self.customer.dunning_consent_email, "refused")

    def test_calls_refused_on_a_page_rendered_before_the_upgrade_hold_call_tasks(self):
        """Consent and levels share one channel vocabulary: "call" (pages and links sent
        before it said "phone")."""
        self.level1.channel_ids = [(5, 0, 0), (0, 0, {"channel": "call"})]
        self.customer.phone = "+32 2 123 45 67"
        self._invoice(self.customer, 100.0, "2025-06-01")
        self.url_open(
            self._url(),
            data={
                "email": "allowed",
                "sms": "allowed",
                "phone": "refused",
                "letter": "allowed",
                "csrf_token": self._csrf_token(),
            },
        )
        self.assertEqual(self.customer.dunning_consent_call, "refused")
        entry = self.env["dunning.consent"].search([("partner_id", "=", self.customer.id)])
        self.assertEqual(entry.channel, "call")

        reminder = self._run("2025-06-20").communication_ids
        self.assertEqual((reminder.state, reminder.skip_reason), ("skipped", "refused"))
        self.assertFalse(self.customer.activity_ids, "no call task for a refused channel")

    def test_a_wrong_token_or_another_customers_token_is_refused(self):
        other_token = self.other_customer._dunning_preferences_token()
        for url in (
            f"/dunning/preferences/{self.customer.id}/not-the-token",
            f"/dunning/preferences/{self.customer.id}/{other_token}",
            f"/dunning/optout/{self.customer.id}/{other_token}/email",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.url_open(url).status_code, 404)
        self.assertEqual(self.customer.dunning_consent_email, "allowed")

    def _csrf_token(self):
        page = self.url_open(self._url())
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]
