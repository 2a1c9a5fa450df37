import re

from odoo.tests import HttpCase, tagged

from odoo.addons.odoo_automated_dunning.tests.common import DunningCommon


@tagged("post_install", "-at_install")
class TestVoicePreferences(DunningCommon, HttpCase):
    """Automated calls on the preferences page a customer opens from a reminder: opt-in,
    recorded in the consent ledger with its source, legal basis and evidence."""

    def _url(self):
        return self.customer._dunning_preferences_url().replace(self.customer.get_base_url(), "")

    def _save(self, **choices):
        page = self.url_open(self._url())
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        data = {"email": "allowed", "sms": "allowed", "call": "allowed", "letter": "allowed"}
        data |= choices
        data["csrf_token"] = page.text[start : page.text.index('"', start)]
        return self.url_open(self._url(), data=data)

    @staticmethod
    def _checked(html):
        """The value of the "voice" radio button checked on the page."""
        for tag in re.findall(r"<input[^>]*>", html):
            if 'name="voice"' in tag and "checked" in tag:
                return re.search(r'value="(\w+)"', tag).group(1)
        return None

    def _voice_entries(self):
        return self.env["dunning.consent"].search(
            [("partner_id", "=", self.customer.id), ("channel", "=", "voice")], order="id"
        )

    def test_automated_calls_are_offered_off_until_the_customer_allows_them(self):
        self.customer.phone = "+1 202 555 0143"
        page = self.url_open(self._url())
        self.assertIn("Automated calls", page.text)
        self.assertEqual(self._checked(page.text), "refused", "opt-in: off at first")
        self.assertEqual(self.customer.dunning_consent_voice, "none")

        response = self._save(voice="allowed")

        self.assertIn("Your preferences are saved.", response.text)
        self.assertEqual(self._checked(response.text), "allowed")
        self.assertEqual(self.customer.dunning_consent_voice, "allowed")
        entry = self._voice_entries()
        self.assertEqual(
            (entry.status, entry.source, entry.legal_basis), ("allowed", "portal", "consent")
        )
        self.assertIn("preferences page", entry.evidence)
        self.assertIn("+1 202 555 0143", entry.evidence)

        self._save(voice="allowed")
        self.assertEqual(len(self._voice_entries()), 1, "no change, no entry")
        self._save(voice="refused")
        self.assertEqual(self._voice_entries()[-1].status, "refused")
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.dunning_consent_voice, "refused")

    def test_a_page_saved_without_the_voice_choice_still_saves_the_others(self):
        # A page rendered before the bridge was installed sends no "voice".
        response = self._save(sms="refused")
        self.assertIn("Your preferences are saved.", response.text)
        self.assertEqual(self.customer.dunning_consent_sms, "refused")
        self.assertFalse(self._voice_entries())
