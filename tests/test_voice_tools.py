"""The automated-call bridge's plain Python: Twilio's request signature and the TwiML."""

import importlib.util
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

TOOLS_DIR = Path(__file__).resolve().parent.parent / "odoo_automated_dunning_voice" / "tools"


def _load_tools():
    # The addon's package imports Odoo; its tools folder does not: load it on its own.
    if "voice_tools" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "voice_tools", TOOLS_DIR / "__init__.py", submodule_search_locations=[str(TOOLS_DIR)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules["voice_tools"] = module
        spec.loader.exec_module(module)
    return sys.modules["voice_tools"]


tools = _load_tools()
signature, twiml = tools.signature, tools.twiml

URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675310",
    "Digits": "1234",
    "From": "+14158675310",
    "To": "+18005551212",
}


def test_signature_matches_twilios_published_example():
    # The example of Twilio's "Validating requests" documentation (auth token 12345).
    assert signature.compute("12345", URL, PARAMS) == "GvWf1cFY/Q7PnoempGyD5oXAezc="
    other = {**PARAMS, "Caller": "+12349013030", "From": "+12349013030"}
    assert signature.compute("12345", URL, other) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_signature_refuses_any_change():
    good = signature.compute("12345", URL, PARAMS)
    assert signature.is_valid("12345", URL, PARAMS, good)
    assert not signature.is_valid("54321", URL, PARAMS, good)
    assert not signature.is_valid("12345", URL + "&x=1", PARAMS, good)
    assert not signature.is_valid("12345", URL, {**PARAMS, "Digits": "9"}, good)
    assert not signature.is_valid("12345", URL, PARAMS, None)
    assert not signature.is_valid("", URL, PARAMS, good)


def test_signature_sorts_parameters_and_repeated_values():
    pairs = [("b", "2"), ("a", "1"), ("a", "0")]
    assert signature.compute("t", "u", pairs) == signature.compute(
        "t", "u", [("a", "0"), ("a", "1"), ("b", "2")]
    )
    with pytest.raises(ValueError):
        signature.compute("", "u", {})


@pytest.mark.parametrize(
    ("odoo", "twilio"),
    [
        ("en_US", "en-US"),
        ("en_GB", "en-GB"),
        ("fr_FR", "fr-FR"),
        ("fr_BE", "fr-FR"),
        ("de_DE", "de-DE"),
        ("es_ES", "es-ES"),
        ("es_MX", "es-MX"),
        ("nl_NL", "nl-NL"),
        ("nl_BE", "nl-BE"),
        ("pt_BR", "en-US"),
        (None, "en-US"),
    ],
)
def test_language_codes(odoo, twilio):
    assert twiml.language(odoo) == twilio


def test_gather_escapes_text_and_listens_for_one_key():
    document = twiml.gather(
        'Owed by <Acme & "Sons">', "fr-FR", "https://x.example/g?a=1&b=2", "Bye"
    )
    root = ET.fromstring(document)
    gather = root.find("Gather")
    assert gather.get("numDigits") == "1"
    assert gather.get("action") == "https://x.example/g?a=1&b=2"
    say = gather.find("Say")
    assert say.text == 'Owed by <Acme & "Sons">'
    assert say.get("language") == "fr-FR"
    assert [child.tag for child in root] == ["Gather", "Say", "Hangup"]


def test_say_and_hangup():
    root = ET.fromstring(twiml.say("Goodbye", "de-DE"))
    assert [child.tag for child in root] == ["Say", "Hangup"]
    assert ET.fromstring(twiml.hangup()).find("Hangup") is not None
