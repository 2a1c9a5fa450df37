"""Consent per channel, contact hours in the customer's timezone, frequency caps."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from odoo_automated_dunning.core import (
    ALLOWED,
    OBJECTED,
    REFUSED,
    CapRule,
    ConsentEntry,
    Contact,
    ContactWindow,
    FrequencyCap,
    cap_allows,
    consent_state,
    held_by,
    next_allowed,
)

CHANNELS = ("email", "sms", "phone", "letter")
WINDOW = ContactWindow()  # 08:00 to 21:00


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def _entry(channel, status, day):
    return ConsentEntry(channel, status, utc(2025, 1, day, 12))


def test_without_entries_every_channel_is_allowed():
    assert consent_state([], CHANNELS) == dict.fromkeys(CHANNELS, ALLOWED)


def test_latest_entry_per_channel_wins_whatever_the_order_given():
    state = consent_state(
        [_entry("sms", ALLOWED, 5), _entry("sms", REFUSED, 2), _entry("email", REFUSED, 3)],
        CHANNELS,
    )
    assert state == {"email": REFUSED, "sms": ALLOWED, "phone": ALLOWED, "letter": ALLOWED}


def test_an_objection_stops_every_channel_until_one_is_allowed_again():
    state = consent_state([_entry("email", OBJECTED, 1), _entry("letter", ALLOWED, 4)], CHANNELS)
    assert state == {"email": OBJECTED, "sms": OBJECTED, "phone": OBJECTED, "letter": ALLOWED}


def test_unknown_status_is_refused():
    with pytest.raises(ValueError, match="Unknown consent status 'maybe'"):
        consent_state([_entry("email", "maybe", 1)], CHANNELS)


def test_inside_the_window_is_now():
    now = utc(2025, 3, 12, 10, 0)  # 11:00 in Paris
    assert next_allowed(now, "Europe/Paris", WINDOW) == now


def test_customer_time_not_company_time():
    # 15:00 UTC: afternoon for a company in Paris, 07:00 for a customer in Los Angeles.
    now = utc(2025, 3, 12, 15, 0)
    allowed = next_allowed(now, "America/Los_Angeles", WINDOW)
    assert allowed == utc(2025, 3, 12, 15, 0)  # PDT (UTC-7): 08:00 local is 15:00 UTC
    early = next_allowed(utc(2025, 3, 12, 14, 0), "America/Los_Angeles", WINDOW)
    assert early == utc(2025, 3, 12, 15, 0)


def test_after_closing_moves_to_the_next_morning():
    now = utc(2025, 3, 12, 21, 30)  # 22:30 in Paris
    assert next_allowed(now, "Europe/Paris", WINDOW) == utc(2025, 3, 13, 7, 0)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Paris switches to summer time on Sunday 30 March 2025: 08:00 is 06:00 UTC after it.
        (utc(2025, 3, 29, 22, 0), utc(2025, 3, 30, 6, 0)),
        # and back to winter time on Sunday 26 October 2025: 08:00 is 07:00 UTC after it.
        (utc(2025, 10, 25, 21, 0), utc(2025, 10, 26, 7, 0)),
    ],
)
def test_daylight_saving_changes(now, expected):
    assert next_allowed(now, "Europe/Paris", WINDOW) == expected


def test_new_york_spring_forward():
    # 9 March 2025, clocks jump from 02:00 to 03:00; 08:00 EDT is 12:00 UTC.
    assert next_allowed(utc(2025, 3, 9, 5, 0), "America/New_York", WINDOW) == utc(2025, 3, 9, 12)


def test_weekdays_only_friday_evening_goes_to_monday_morning():
    friday_evening = utc(2025, 3, 14, 20, 30)  # 21:30 in Paris
    window = ContactWindow(weekdays_only=True)
    assert next_allowed(friday_evening, "Europe/Paris", window) == utc(2025, 3, 17, 7, 0)


def test_closed_days_are_skipped():
    christmas_eve = utc(2025, 12, 24, 21, 0)  # 22:00 in Brussels
    closed = [date(2025, 12, 25), date(2025, 12, 26)]
    assert next_allowed(christmas_eve, "Europe/Brussels", WINDOW, closed) == utc(2025, 12, 27, 7)


def test_naive_times_and_empty_windows_are_refused():
    with pytest.raises(ValueError, match="aware"):
        next_allowed(datetime(2025, 1, 1, 12), "UTC", WINDOW)
    with pytest.raises(ValueError, match="must end after it starts"):
        ContactWindow(start=time(21), end=time(8))


MA = FrequencyCap("phone", count=2, days=7)  # Massachusetts: 2 calls per 7 days


def test_cap_counts_a_rolling_window():
    now = utc(2025, 5, 10, 12)
    assert cap_allows(MA, [now - timedelta(days=2)], now) == (True, None)
    calls = [now - timedelta(days=6), now - timedelta(days=1)]
    assert cap_allows(MA, calls, now) == (False, now + timedelta(days=1))
    # exactly 7 days later the first call has left the window
    assert cap_allows(MA, calls, now + timedelta(days=1))[0]
    # contacts older than the window do not count
    assert cap_allows(MA, [now - timedelta(days=8), now - timedelta(days=9)], now)[0]


NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
REG_F = CapRule("Regulation F", "call", count=7, days=7, per_debt=True, quiet_days=7)
MASSACHUSETTS = CapRule("Massachusetts", None, count=2, days=7, per_debt=True)


def _calls(days_ago, debts=frozenset({1}), conversation=False, channel="call"):
    return [
        Contact(channel, NOW - timedelta(days=d), frozenset(debts), conversation) for d in days_ago
    ]


def test_regulation_f_allows_seven_calls_per_debt_in_seven_days():
    six = _calls([1, 1, 2, 3, 4, 5])
    assert held_by([REG_F], six, NOW, "call", {1}) is None
    assert held_by([REG_F], six + _calls([6]), NOW, "call", {1}) == REG_F
    # Calls about another invoice do not count for this one; older than 7 days neither.
    assert held_by([REG_F], six + _calls([6], {2}), NOW, "call", {1}) is None
    assert held_by([REG_F], six + _calls([7]), NOW, "call", {1}) is None
    # The rule is about calls: emails go on.
    assert held_by([REG_F], six + _calls([6]), NOW, "email", {1}) is None


def test_no_call_within_seven_days_after_a_conversation():
    talked = _calls([6], conversation=True)
    assert held_by([REG_F], talked, NOW, "call", {1}) == REG_F
    assert held_by([REG_F], _calls([7], conversation=True), NOW, "call", {1}) is None
    assert held_by([REG_F], _calls([2], {9}, conversation=True), NOW, "call", {1}) is None


def test_massachusetts_two_contacts_per_channel_and_debt_in_seven_days():
    texts = _calls([1, 3], channel="sms")
    assert held_by([MASSACHUSETTS], texts, NOW, "sms", {1}) == MASSACHUSETTS
    assert held_by([MASSACHUSETTS], texts, NOW, "call", {1}) is None
    assert held_by([MASSACHUSETTS], texts[:1], NOW, "sms", {1}) is None
    # Without per debt, any contact on the channel counts.
    company = CapRule("Company", None, count=2, days=7)
    assert held_by([company], _calls([1, 2], {5}, channel="sms"), NOW, "sms", {1}) == company
