"""Automated calls in the core's rules: a channel the engine accepts, a call for the
frequency rules, and the presets that count the number given for the debt as consent."""

from datetime import UTC, datetime, timedelta

from odoo_automated_dunning.core import (
    ALL_CHANNELS,
    CHANNELS,
    PRESETS,
    CapRule,
    Contact,
    Customer,
    Level,
    choose_channels,
    held_by,
)

NOW = datetime(2025, 6, 17, 12, tzinfo=UTC)
REG_F = CapRule("Regulation F", "call", 7, 7, True, 7)


def test_voice_is_known_to_the_engine_but_not_a_main_addon_channel():
    assert "voice" in ALL_CHANNELS
    assert "voice" not in CHANNELS
    level = Level(1, "Call", 7, channels=(("voice", False), ("email", True)))
    customer = Customer(1, email="a@b.c", reachable=frozenset({"voice", "email"}))
    assert choose_channels(level, customer) == ["voice"]
    assert choose_channels(level, Customer(1, reachable=frozenset({"email"}))) == ["email"]


def test_a_call_rule_holds_automated_calls_after_a_conversation_by_either():
    answered = Contact("voice", NOW - timedelta(days=5), frozenset({7}), conversation=True)
    assert held_by([REG_F], [answered], NOW, "voice", {7}) == REG_F
    assert held_by([REG_F], [answered], NOW, "call", {7}) == REG_F
    assert held_by([REG_F], [answered], NOW, "email", {7}) is None
    assert held_by([REG_F], [answered], NOW + timedelta(days=3), "voice", {7}) is None


def test_calls_and_automated_calls_count_together():
    two_in_seven = CapRule("Massachusetts", None, 2, 7, True)
    contacts = [
        Contact("call", NOW - timedelta(days=2), frozenset({7})),
        Contact("voice", NOW - timedelta(days=1), frozenset({7})),
    ]
    assert held_by([two_in_seven], contacts, NOW, "voice", {7}) == two_in_seven
    assert held_by([two_in_seven], contacts, NOW, "sms", {7}) is None
    assert held_by([two_in_seven], contacts, NOW, "voice", {8}) is None


def test_us_presets_count_the_number_given_for_the_debt_eu_ones_do_not():
    assert PRESETS["us_creditor"].voice_number_consent
    assert PRESETS["us_collector"].voice_number_consent
    for key in ("eu_gdpr", "uk", "de", "fr", "nl", "be"):
        assert not PRESETS[key].voice_number_consent, key
