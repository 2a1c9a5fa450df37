"""Installment plans in the core: schedules that add up, allocation, states, reminders, limits."""

from datetime import date

import pytest

from odoo_automated_dunning.core import (
    EXCLUDED_IN_PLAN,
    Customer,
    Installment,
    Invoice,
    Level,
    Policy,
    PortalLimits,
    allocate,
    build_schedule,
    decide_customer,
    plan_state,
    reminder_due,
    request_problems,
    schedule_problems,
)

START = date(2026, 1, 31)


def test_schedule_adds_up_and_rounding_goes_to_the_last_installment():
    schedule = build_schedule(100.0, 0.0, 3, "monthly", START)
    assert [i.amount for i in schedule] == [33.33, 33.33, 33.34]
    assert sum(round(i.amount * 100) for i in schedule) == 10000
    # Month ends are clamped, as a person would expect: 31 Jan, 28 Feb, 31 Mar.
    assert [i.due_date for i in schedule] == [START, date(2026, 2, 28), date(2026, 3, 31)]


def test_down_payment_comes_first_and_installments_follow_one_period_later():
    schedule = build_schedule(1000.0, 250.0, 4, "biweekly", date(2026, 3, 2))
    assert schedule[0].down_payment and schedule[0].amount == 250.0
    assert schedule[0].due_date == date(2026, 3, 2)
    assert [i.amount for i in schedule[1:]] == [187.5] * 4
    assert [i.due_date for i in schedule[1:]] == [
        date(2026, 3, 16),
        date(2026, 3, 30),
        date(2026, 4, 13),
        date(2026, 4, 27),
    ]


def test_zero_decimal_currency_and_weekly():
    schedule = build_schedule(1000, 0, 3, "weekly", date(2026, 1, 5), digits=0)
    assert [i.amount for i in schedule] == [333, 333, 334]
    assert schedule[2].due_date == date(2026, 1, 19)


@pytest.mark.parametrize(
    ("total", "down", "count", "frequency", "words"),
    [
        (0, 0, 3, "monthly", "total must be positive"),
        (100, 0, 0, "monthly", "at least one installment"),
        (100, 100, 2, "monthly", "less than the total"),
        (100, -1, 2, "monthly", "cannot be negative"),
        (100, 0, 2, "daily", "Unknown frequency"),
        (0.02, 0, 3, "monthly", "smallest unit"),
    ],
)
def test_impossible_terms_are_refused_with_the_reason(total, down, count, frequency, words):
    assert any(words in p for p in schedule_problems(total, down, count, frequency))
    with pytest.raises(ValueError, match=words):
        build_schedule(total, down, count, frequency, START)


def test_payments_fill_installments_in_order_and_an_overpayment_rolls_forward():
    assert allocate([50.0, 50.0, 50.0], 70.0) == ([50.0, 20.0, 0.0], 0.0)
    assert allocate([50.0, 50.0, 50.0], 160.0) == ([50.0, 50.0, 50.0], 10.0)
    assert allocate([33.33, 33.33, 33.34], 33.34) == ([33.33, 0.01, 0.0], 0.0)
    assert allocate([10.0], -5.0) == ([0.0], 0.0)


def _plan(*paid):
    amounts = [100.0, 100.0, 100.0]
    dues = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    return [Installment(d, a, p) for d, a, p in zip(dues, amounts, paid, strict=True)]


def test_state_defaults_only_after_the_grace_days_and_completes_when_all_is_paid():
    late = _plan(100.0, 0.0, 0.0)
    assert plan_state(late, date(2026, 2, 6), grace_days=5) == "active"
    assert plan_state(late, date(2026, 2, 7), grace_days=5) == "defaulted"
    assert plan_state(_plan(100.0, 99.99, 0.0), date(2026, 2, 7), grace_days=5) == "defaulted"
    assert plan_state(_plan(100.0, 100.0, 100.0), date(2027, 1, 1), grace_days=0) == "completed"


def test_reminders_before_and_after_the_due_date_go_once_and_never_for_paid_ones():
    due = Installment(date(2026, 2, 10), 100.0)
    assert reminder_due(due, date(2026, 2, 6), 3, 2) is None
    assert reminder_due(due, date(2026, 2, 7), 3, 2) == "before"
    assert reminder_due(due, date(2026, 2, 7), 3, 2, frozenset({"before"})) is None
    assert reminder_due(due, date(2026, 2, 11), 3, 2) is None
    assert reminder_due(due, date(2026, 2, 12), 3, 2) == "after"
    assert reminder_due(due, date(2026, 2, 20), 3, 2, frozenset({"after"})) is None
    assert reminder_due(due, date(2026, 2, 7), -1, 2) is None
    paid = Installment(date(2026, 2, 10), 100.0, 100.0)
    assert reminder_due(paid, date(2026, 2, 12), 3, 2) is None


def test_portal_requests_within_limits_pass_and_others_say_why():
    limits = PortalLimits(allowed=True, max_installments=6, min_installment=50.0, max_total=5000)
    assert request_problems(limits, 1200.0, 0.0, 6) == []
    assert request_problems(limits, 1200.0, 0.0, 12) == ["More than 6 installments."]
    assert request_problems(limits, 200.0, 0.0, 6) == ["Installments below 50.00."]
    assert request_problems(limits, 6000.0, 0.0, 6) == ["A total above 5000.00."]
    assert request_problems(PortalLimits(allowed=False, max_installments=6), 100.0, 0.0, 1) == [
        "This customer may not set up a plan alone."
    ]


def test_invoices_in_an_active_plan_get_no_regular_dunning():
    level = Level(id=1, name="First", delay=1)
    policy = Policy(id=1, name="P", levels=(level,))
    run = date(2026, 3, 1)
    invoice = Invoice(1, 7, date(2026, 1, 1), 100.0, 100.0, 1, in_plan=True)
    decision, excluded = decide_customer(
        Customer(id=7, email="a@example.com"), [invoice], {1: policy}, run
    )
    assert decision.action == "none"
    assert excluded == {EXCLUDED_IN_PLAN: 1}
