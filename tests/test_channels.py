"""Which channels a reminder goes out on, and how promises to pay hold or speed up dunning."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from odoo_automated_dunning.core import (
    EXCLUDED_PROMISED,
    SKIP_BLACKLISTED,
    SKIP_CAPPED,
    SKIP_NO_CHANNEL,
    SKIP_NO_EMAIL,
    SKIP_OBJECTED,
    Customer,
    Invoice,
    Level,
    Policy,
    choose_channels,
    decide_customer,
    next_reminder_date,
)

RUN = date(2025, 3, 1)
FIRST = Level(id=1, name="First", delay=7, tone="friendly")
SECOND = Level(id=2, name="Second", delay=30, tone="formal", minimum_gap_days=7)


def _policy(*levels):
    return Policy(id=1, name="Standard", levels=levels or (FIRST, SECOND))


def _invoice(**values):
    values.setdefault("due_date", RUN - timedelta(days=10))
    return Invoice(
        id=1, customer_id=1, residual=100.0, residual_company=100.0, currency_id=1, **values
    )


def _customer(reachable, **values):
    values.setdefault("net_balance", 100.0)
    return Customer(id=1, reachable=frozenset(reachable), **values)


def _decide(invoice, customer, policy=None):
    policy = policy or _policy()
    return decide_customer(customer, [invoice], {policy.id: policy}, RUN)[0]


EMAIL_ELSE_LETTER = (("email", False), ("letter", True))


@pytest.mark.parametrize(
    ("channels", "reachable", "expected"),
    [
        ((("email", False),), {"email", "sms"}, ["email"]),
        (EMAIL_ELSE_LETTER, {"email", "letter"}, ["email"]),
        (EMAIL_ELSE_LETTER, {"letter"}, ["letter"]),
        (EMAIL_ELSE_LETTER, set(), []),
        # several at once: a final notice by email and by letter
        ((("email", False), ("letter", False)), {"email", "letter"}, ["email", "letter"]),
        ((("email", False), ("letter", False)), {"letter"}, ["letter"]),
        # an ordered chain: email, else SMS, else letter
        ((("email", False), ("sms", True), ("letter", True)), {"sms", "letter"}, ["sms"]),
        ((("email", False), ("sms", True), ("letter", True)), {"letter"}, ["letter"]),
        # a channel after the fallbacks is used whenever it reaches the customer
        ((("email", False), ("letter", True), ("call", False)), {"call"}, ["call"]),
        (
            (("email", False), ("letter", True), ("call", False)),
            {"letter", "call"},
            ["letter", "call"],
        ),
    ],
)
def test_channels_and_fallbacks(channels, reachable, expected):
    level = replace(FIRST, channels=channels)
    assert choose_channels(level, _customer(reachable)) == expected


def test_unknown_channel_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="fax.*email, letter, sms, call"):
        choose_channels(replace(FIRST, channels=(("fax", False),)), _customer({"email"}))


def test_without_reachability_facts_only_a_clean_email_reaches():
    assert choose_channels(FIRST, Customer(id=1, email="a@b.example")) == ["email"]
    assert choose_channels(FIRST, Customer(id=1, email="a@b.example", blacklisted=True)) == []


def test_decision_carries_the_channels_to_send_on():
    level = replace(FIRST, channels=EMAIL_ELSE_LETTER)
    decision = _decide(_invoice(), _customer({"letter"}), _policy(level))
    assert decision.action == "send"
    assert decision.channels == ["letter"]


def test_no_reachable_channel_is_a_skip_with_its_reason():
    level = replace(FIRST, channels=EMAIL_ELSE_LETTER)
    decision = _decide(_invoice(), _customer(set()), _policy(level))
    assert (decision.action, decision.skip_reason) == ("skip", SKIP_NO_CHANNEL)
    assert decision.channels == []


def test_email_only_levels_keep_the_precise_reason():
    decision = _decide(_invoice(), Customer(id=1, net_balance=100.0))
    assert decision.skip_reason == SKIP_NO_EMAIL
    decision = _decide(
        _invoice(), Customer(id=1, net_balance=100.0, email="a@b.example", blacklisted=True)
    )
    assert decision.skip_reason == SKIP_BLACKLISTED


def test_open_promise_pauses_the_invoice_up_to_its_date_inclusive():
    customer = _customer({"email"})
    decision, excluded = decide_customer(
        customer, [_invoice(promised_until=RUN)], {1: _policy()}, RUN
    )
    assert decision.action == "none"
    assert excluded == {EXCLUDED_PROMISED: 1}
    # the day after, dunning resumes at the level that was due
    decision = _decide(_invoice(promised_until=RUN - timedelta(days=1)), customer)
    assert decision.action == "send"
    assert decision.level == FIRST


def test_broken_promise_escalates_without_waiting_for_the_next_delay():
    customer = _customer({"email"})
    at_first = _invoice(level_id=FIRST.id, last_date=RUN - timedelta(days=2))
    # kept to the rules, the second level waits for 30 days after the due date
    assert _decide(at_first, customer).action == "none"
    decision = _decide(replace(at_first, promise_broken=True), customer)
    assert decision.action == "send"
    assert decision.level == SECOND


def test_broken_promise_still_respects_the_level_minimum():
    customer = _customer({"email"})
    second = replace(SECOND, minimum_amount=500.0)
    invoice = _invoice(level_id=FIRST.id, last_date=RUN - timedelta(days=2), promise_broken=True)
    decision = _decide(invoice, customer, _policy(FIRST, second))
    assert decision.action == "skip"


def test_next_reminder_date_waits_for_the_promise():
    customer = _customer({"email"})
    promised = RUN + timedelta(days=20)
    assert next_reminder_date(_invoice(promised_until=promised), customer, [_policy()]) == (
        promised + timedelta(days=1)
    )


def test_an_objection_stops_every_reminder():
    decision = _decide(_invoice(), _customer({"email", "letter"}, objected=True))
    assert (decision.action, decision.skip_reason) == ("skip", SKIP_OBJECTED)


def test_a_capped_channel_is_held_back_with_its_reason():
    level = replace(FIRST, channels=(("call", False),))
    customer = _customer(set(), capped=frozenset({"call"}))
    decision = _decide(_invoice(), customer, _policy(level))
    assert (decision.action, decision.skip_reason) == ("skip", SKIP_CAPPED)
    # another channel still reaching the customer is used
    level = replace(FIRST, channels=(("call", False), ("email", False)))
    decision = _decide(_invoice(), _customer({"email"}, capped=frozenset({"call"})), _policy(level))
    assert decision.channels == ["email"]


def test_a_refused_channel_says_so():
    from odoo_automated_dunning.core import SKIP_REFUSED  # noqa: PLC0415

    customer = Customer(
        id=1, net_balance=100.0, email="a@b.example", reachable=frozenset(), refused={"email"}
    )
    decision = _decide(_invoice(), customer)
    assert (decision.action, decision.skip_reason) == ("skip", SKIP_REFUSED)
