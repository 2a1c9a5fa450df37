"""Installment plans: schedules, payment allocation, state and the customer's own choices.

Amounts are handled in the currency's smallest unit (integers), so a schedule always adds up
to the plan's total exactly and only the last installment carries the rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .engine import add_months

FREQUENCIES = ("weekly", "biweekly", "monthly")


def _units(amount: float, digits: int) -> int:
    """The amount in the currency's smallest unit, rounded half up as currencies do."""
    return int((Decimal(str(amount)) * (10**digits)).to_integral_value(rounding=ROUND_HALF_UP))


def _amount(units: int, digits: int) -> float:
    return float(Decimal(units) / (10**digits))


def next_due(day: date, frequency: str, steps: int = 1) -> date:
    """The due date ``steps`` periods after ``day``."""
    if frequency == "weekly":
        return day + timedelta(weeks=steps)
    if frequency == "biweekly":
        return day + timedelta(weeks=2 * steps)
    if frequency == "monthly":
        return add_months(day, steps)
    raise ValueError(f"Unknown frequency {frequency!r}: use weekly, biweekly or monthly.")


@dataclass(frozen=True)
class Installment:
    due_date: date
    amount: float
    paid: float = 0.0
    down_payment: bool = False


def schedule_problems(
    total: float, down_payment: float, count: int, frequency: str, digits: int = 2
) -> list[str]:
    """Why these terms make no schedule; empty when they do."""
    problems = []
    if _units(total, digits) <= 0:
        problems.append("The plan covers nothing: its total must be positive.")
    if count < 1:
        problems.append("A plan needs at least one installment.")
    if down_payment < 0:
        problems.append("The down payment cannot be negative.")
    elif _units(down_payment, digits) >= _units(total, digits) > 0:
        problems.append("The down payment must be less than the total.")
    if frequency not in FREQUENCIES:
        problems.append(f"Unknown frequency {frequency!r}: use weekly, biweekly or monthly.")
    if not problems and _units(total, digits) - _units(down_payment, digits) < count:
        problems.append("Each installment must be at least the currency's smallest unit.")
    return problems


def build_schedule(
    total: float,
    down_payment: float,
    count: int,
    frequency: str,
    first_due: date,
    digits: int = 2,
) -> list[Installment]:
    """The down payment (if any) on the first due date, then ``count`` equal installments.

    Equal installments are rounded down to the currency's unit and the last one takes what
    rounding left over, so the schedule adds up to ``total`` exactly. With a down payment,
    the first installment falls one period after it.
    """
    problems = schedule_problems(total, down_payment, count, frequency, digits)
    if problems:
        raise ValueError(" ".join(problems))
    total_units, down_units = _units(total, digits), _units(down_payment, digits)
    rest = total_units - down_units
    each = rest // count
    schedule = []
    if down_units:
        schedule.append(Installment(first_due, _amount(down_units, digits), down_payment=True))
    offset = 1 if down_units else 0
    for index in range(count):
        units = each if index < count - 1 else rest - each * (count - 1)
        schedule.append(
            Installment(next_due(first_due, frequency, index + offset), _amount(units, digits))
        )
    return schedule


def allocate(amounts: list[float], paid_total: float, digits: int = 2) -> tuple[list[float], float]:
    """Spread what was paid over the installments in due-date order.

    Returns the paid amount of each installment and what is left over once every installment
    is paid (an overpayment). An installment paid more than due passes the rest forward.
    """
    left = max(_units(paid_total, digits), 0)
    paid = []
    for amount in amounts:
        units = min(left, _units(amount, digits))
        paid.append(_amount(units, digits))
        left -= units
    return paid, _amount(left, digits)


# Plan states the core decides between on each check.
ACTIVE, COMPLETED, DEFAULTED = "active", "completed", "defaulted"


def plan_state(
    installments: list[Installment], today: date, grace_days: int, digits: int = 2
) -> str:
    """Completed when everything is paid; defaulted when an installment is still unpaid
    more than ``grace_days`` after its due date; else active."""
    if all(_units(i.paid, digits) >= _units(i.amount, digits) for i in installments):
        return COMPLETED
    for installment in installments:
        late = today > installment.due_date + timedelta(days=grace_days)
        if late and _units(installment.paid, digits) < _units(installment.amount, digits):
            return DEFAULTED
    return ACTIVE


BEFORE, AFTER = "before", "after"


def reminder_due(
    installment: Installment,
    today: date,
    days_before: int,
    days_after: int,
    sent: frozenset[str] = frozenset(),
    digits: int = 2,
) -> str | None:
    """Which reminder an installment gets today: ``before`` its due date, ``after`` it, or None.

    Each reminder goes once (``sent`` names those already sent); a paid installment gets none;
    a negative number of days switches that reminder off.
    """
    if _units(installment.paid, digits) >= _units(installment.amount, digits):
        return None
    if (
        days_after >= 0
        and AFTER not in sent
        and today >= installment.due_date + timedelta(days=max(days_after, 1))
    ):
        return AFTER
    if (
        days_before >= 0
        and BEFORE not in sent
        and installment.due_date - timedelta(days=days_before) <= today <= installment.due_date
    ):
        return BEFORE
    return None


@dataclass(frozen=True)
class PortalLimits:
    """What a customer may choose alone in the portal; beyond it a dunning user approves."""

    allowed: bool = True  # the customer is among those the policy lets choose
    max_installments: int = 0  # 0: no self-service plans
    min_installment: float = 0.0
    max_total: float = 0.0  # 0: no limit


def request_problems(
    limits: PortalLimits, total: float, down_payment: float, count: int
) -> list[str]:
    """Why a customer's own plan request needs approval; empty when it is approved at once."""
    problems = []
    if not limits.allowed:
        problems.append("This customer may not set up a plan alone.")
    if count > limits.max_installments:
        problems.append(f"More than {limits.max_installments} installments.")
    if limits.max_total and total > limits.max_total:
        problems.append(f"A total above {limits.max_total:.2f}.")
    if count >= 1 and (total - down_payment) / count < limits.min_installment:
        problems.append(f"Installments below {limits.min_installment:.2f}.")
    return problems
