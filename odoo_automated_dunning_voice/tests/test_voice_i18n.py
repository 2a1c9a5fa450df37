import xml.etree.ElementTree as ET

from odoo.tests import freeze_time, tagged

from .common import VoiceCommon


@freeze_time("2025-06-11 14:00:00")
@tagged("post_install", "-at_install")
class TestVoiceLanguages(VoiceCommon):
    """A call speaks the customer's language: Twilio's voice, the script and the answers."""

    SPOKEN = {
        # lang: (Twilio code, the script's opening, the amount, the answer to key 3)
        "fr_FR": ("fr-FR", "Bonjour, ici Northwind Credit", "480,00\xa0€", "promesse de payer"),
        "de_DE": ("de-DE", "Guten Tag, hier ist Northwind Credit", "480,00\xa0€", "Zusage"),
        "es_ES": ("es-ES", "Hola, le llama Northwind Credit", "480,00\xa0€", "compromiso de pagar"),
        "nl_NL": ("nl-NL", "Goedendag, u spreekt met Northwind Credit", "480,00\xa0€", "belofte"),
    }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in cls.SPOKEN:
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(
            ["odoo_automated_dunning_voice"], list(cls.SPOKEN), overwrite=True
        )
        cls.eur = cls.env.ref("base.EUR")
        cls.eur.active = True

    def test_each_language_is_spoken_with_its_voice_and_words(self):
        for lang, (code, opening, amount, promise) in self.SPOKEN.items():
            with self.subTest(lang=lang):
                customer = self._customer(
                    f"Client {lang}",
                    f"{lang}@example.eu",
                    phone="+33 6 12 34 56 78",
                    country_id=self.env.ref("base.fr").id,
                    is_company=False,
                    lang=lang,
                    tz="Europe/Paris",
                )
                self._allow_voice(customer)
                invoice = self._invoice(customer, 480.0, "2025-06-01", currency=self.eur)
                call = self._voice_reminder(customer, invoice)
                self.assertEqual(call.voice_language, code)
                self._place(call)

                say = ET.fromstring(self._answer(call).content).find("Gather/Say")

                self.assertEqual(say.get("language"), code)
                self.assertTrue(say.text.startswith(opening), say.text)
                self.assertIn(amount, say.text)
                self.assertNotIn("Press", say.text)
                answer = ET.fromstring(self._press(call, "3").content).find("Say")
                self.assertEqual(answer.get("language"), code)
                self.assertIn(promise, answer.text)
