"""TwiML, the XML that tells Twilio what a call says and which keys it listens for.

Every text is escaped: names and amounts come from records a customer may have typed.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

# Twilio's text-to-speech languages for the languages the addon speaks; a regional variant
# Twilio knows is kept (en-GB, fr-CA, es-MX), anything else falls back to the main one.
LANGUAGES = {"en": "en-US", "fr": "fr-FR", "de": "de-DE", "es": "es-ES", "nl": "nl-NL"}
REGIONAL = {"en-GB", "en-AU", "en-CA", "en-IN", "fr-CA", "es-MX", "de-AT", "nl-BE"}
# A voice that speaks all of the languages above (Twilio maps it to its current engine).
VOICE = "alice"
# The keys a reminder call listens for, and what each does.
KEY_PAY_LINK, KEY_CALL_BACK, KEY_PROMISE, KEY_STOP = "1", "2", "3", "9"
KEYS = (KEY_PAY_LINK, KEY_CALL_BACK, KEY_PROMISE, KEY_STOP)


def language(odoo_lang: str | None) -> str:
    """Twilio's language code for an Odoo language code: fr_FR -> fr-FR, pt_BR -> en-US."""
    code = (odoo_lang or "en_US").replace("_", "-")
    if code in REGIONAL:
        return code
    return LANGUAGES.get(code.split("-")[0].lower(), LANGUAGES["en"])


def _say(text: str, lang: str) -> str:
    return f"<Say language={quoteattr(lang)} voice={quoteattr(VOICE)}>{escape(text)}</Say>"


def _document(body: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><Response>{body}</Response>'


def gather(text: str, lang: str, action_url: str, goodbye: str = "", timeout: int = 8) -> str:
    """Say ``text`` while listening for one key; the key is posted to ``action_url``.

    Without a key press, Twilio goes on after the Gather: ``goodbye`` is said and the call
    ends.
    """
    body = (
        f'<Gather input="dtmf" numDigits="1" timeout="{int(timeout)}" method="POST" '
        f"action={quoteattr(action_url)}>{_say(text, lang)}</Gather>"
    )
    if goodbye:
        body += _say(goodbye, lang)
    return _document(body + "<Hangup/>")


def say(text: str, lang: str) -> str:
    """Say ``text``, then hang up."""
    return _document(_say(text, lang) + "<Hangup/>")


def hangup() -> str:
    return _document("<Hangup/>")
