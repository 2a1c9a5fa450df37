"""Send quotas: slots in priority order, never dropped, never over the hour or day quota."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from odoo_automated_dunning.core import compliance
from odoo_automated_dunning.core.quota import (
    Message,
    Quota,
    allocate,
    by_moment,
    hour_of,
    priority,
    waiting_summary,
)

NOW = datetime(2026, 3, 2, 9, 15, tzinfo=UTC)  # a Monday


def _messages(count, earliest=NOW, **vals):
    return [
        Message(key=i, earliest=earliest, amount=100.0 + i, risk=50.0, **vals) for i in range(count)
    ]


def _per_hour(slots):
    return Counter(hour_of(moment) for moment in slots.values())


def test_no_quota_sends_everything_at_its_earliest_moment():
    messages = _messages(5)
    assert allocate(Quota(), messages) == {m.key: NOW for m in messages}


def test_a_day_quota_sends_n_now_and_the_rest_on_the_next_days_in_priority_order():
    messages = _messages(30)
    slots = allocate(Quota(per_day=10), messages)
    assert len(slots) == 30, "none dropped"
    ordered = sorted(messages, key=priority)
    assert [slots[m.key] for m in ordered[:10]] == [NOW] * 10
    second_day = datetime(2026, 3, 3, tzinfo=UTC)
    assert [slots[m.key] for m in ordered[10:20]] == [second_day] * 10
    assert [slots[m.key] for m in ordered[20:]] == [second_day + timedelta(days=1)] * 10
    # The largest amounts go first.
    assert ordered[0].key == 29
    assert waiting_summary(slots, {m.key: NOW for m in messages}) == (
        20,
        second_day + timedelta(days=1),
    )


def test_priority_is_amount_times_risk_then_the_older_debt():
    low_risk_big = Message(1, NOW, amount=1000.0, risk=10.0, due_date=date(2026, 1, 1))
    high_risk_small = Message(2, NOW, amount=300.0, risk=80.0, due_date=date(2026, 2, 1))
    same_weight_older = Message(3, NOW, amount=300.0, risk=80.0, due_date=date(2025, 12, 1))
    unknown_risk = Message(4, NOW, amount=400.0, due_date=date(2026, 1, 1))  # counts as 50
    order = [
        m.key
        for m in sorted(
            [low_risk_big, high_risk_small, same_weight_older, unknown_risk], key=priority
        )
    ]
    assert order == [3, 2, 4, 1]
    slots = allocate(
        Quota(per_hour=1), [low_risk_big, high_risk_small, same_weight_older, unknown_risk]
    )
    assert [slots[key] for key in order] == sorted(slots.values())


def test_the_hour_quota_spreads_a_day_and_the_day_quota_still_holds():
    slots = allocate(Quota(per_hour=3, per_day=10), _messages(25))
    hours = _per_hour(slots)
    assert max(hours.values()) == 3
    days = Counter(moment.date() for moment in slots.values())
    assert days == {date(2026, 3, 2): 10, date(2026, 3, 3): 10, date(2026, 3, 4): 5}
    # First hour from now, then the next clock hours.
    assert sorted(slots.values())[:4] == [NOW] * 3 + [datetime(2026, 3, 2, 10, tzinfo=UTC)]


def test_mails_already_sent_or_scheduled_fill_their_windows_first():
    taken = {NOW - timedelta(hours=2): 6, datetime(2026, 3, 3, 0, tzinfo=UTC): 10}
    slots = allocate(Quota(per_day=10), _messages(6), taken)
    moments = sorted(slots.values())
    assert moments[:4] == [NOW] * 4, "4 left today"
    assert moments[4:] == [datetime(2026, 3, 4, tzinfo=UTC)] * 2, "tomorrow is full already"


def test_days_are_the_company_calendar_days():
    tz = "America/New_York"  # UTC-5 in March before DST
    slots = allocate(Quota(per_day=1, tz=tz), _messages(2))
    local = sorted(moment.astimezone(ZoneInfo(tz)) for moment in slots.values())
    assert local[0].date() == date(2026, 3, 2)
    assert local[1] == datetime(2026, 3, 3, 0, 0, tzinfo=ZoneInfo(tz))


def test_a_deferred_message_stays_within_its_contact_window():
    window = compliance.ContactWindow()  # 08:00-21:00

    def opening(key, moment):
        return compliance.next_allowed(moment, key, window)

    late = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)  # 20:30 in Paris
    messages = _messages(4, earliest=late, window="Europe/Paris")
    slots = allocate(Quota(per_hour=2), messages, opening=opening)
    local = sorted(m.astimezone(ZoneInfo("Europe/Paris")) for m in slots.values())
    assert [m.strftime("%d %H:%M") for m in local] == [
        "02 20:30",
        "02 20:30",
        "03 08:00",
        "03 08:00",
    ]


def test_windows_of_different_customers_share_the_quota_without_overlap():
    window = compliance.ContactWindow(
        start=datetime.min.time().replace(hour=9), end=datetime.min.time().replace(hour=17)
    )

    def opening(key, moment):
        return compliance.next_allowed(moment, key, window)

    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    paris = [
        Message(
            i,
            compliance.next_allowed(start, "Europe/Paris", window),
            10.0 + i,
            50.0,
            window="Europe/Paris",
        )
        for i in range(20)
    ]
    tokyo = [
        Message(
            100 + i,
            compliance.next_allowed(start, "Asia/Tokyo", window),
            10.0 + i,
            50.0,
            window="Asia/Tokyo",
        )
        for i in range(20)
    ]
    slots = allocate(Quota(per_hour=2), paris + tokyo, opening=opening)
    assert len(slots) == 40
    assert max(_per_hour(slots).values()) <= 2
    for message in paris + tokyo:
        moment = slots[message.key]
        assert moment >= message.earliest
        assert opening(message.window, moment) == moment, "inside its contact hours"


def test_negative_quota_is_refused():
    with pytest.raises(ValueError):
        Quota(per_hour=-1)


def test_the_same_input_gives_the_same_slots():
    messages = _messages(50)
    assert allocate(Quota(per_hour=7), messages) == allocate(
        Quota(per_hour=7), list(reversed(messages))
    )


def test_by_moment_groups_keys_for_one_write_per_moment():
    slots = allocate(Quota(per_hour=2), _messages(5))
    grouped = by_moment(slots)
    assert sorted(len(keys) for keys in grouped.values()) == [1, 2, 2]


def test_twenty_thousand_messages_are_placed_with_work_linear_in_their_number():
    """The allocation's work, counted as the contact-window lookups it makes (its costly step),
    grows in step with the messages: none dropped, none looked up over and over. (Its time is
    measured in bench/, never here.)"""
    window = compliance.ContactWindow()
    zones = ["Europe/Paris", "America/New_York", "Asia/Tokyo", "UTC"]
    lookups = {}
    for count in (2000, 20000):
        calls = Counter()

        def opening(key, moment, calls=calls):
            calls["lookups"] += 1
            return compliance.next_allowed(moment, key, window)

        messages = [
            Message(i, NOW, amount=float(i % 997), risk=float(i % 100), window=zones[i % 4])
            for i in range(count)
        ]
        slots = allocate(Quota(per_hour=50, per_day=200), messages, opening=opening)
        assert len(slots) == count
        assert max(_per_hour(slots).values()) <= 50
        assert max(Counter(m.date() for m in slots.values()).values()) <= 200
        lookups[count] = calls["lookups"]
    assert lookups[20000] <= 4 * 20000, lookups
    assert lookups[20000] <= 11 * lookups[2000], lookups
