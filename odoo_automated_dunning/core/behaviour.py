"""How a customer pays: lateness, punctuality, trend and a risk score with its parts.

No black box: the score is the sum of three components a credit controller can check by hand.

- lateness (up to 40 points): the average days late, weighted by amount, over the last 12
  months' payments; 60 days late or more gives all 40 points;
- punctuality (up to 30 points): the share of the amount paid after its due date;
- overdue (up to 30 points): the share of today's open balance that is overdue.

The trend compares the average days late of the last three months with the three before
(positive: paying later than before); it is shown, not scored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

LATENESS_POINTS = 40.0
LATENESS_CAP_DAYS = 60.0
PUNCTUALITY_POINTS = 30.0
OVERDUE_POINTS = 30.0
WINDOW_DAYS = 365


@dataclass(frozen=True)
class Payment:
    """A part of an invoice settled on ``paid_date``."""

    due_date: date
    paid_date: date
    amount: float

    @property
    def days_late(self) -> int:
        return max((self.paid_date - self.due_date).days, 0)


@dataclass(frozen=True)
class Behaviour:
    avg_days_late: float
    on_time_share: float  # 0 to 1, by amount
    trend_days: float | None  # None without payments in both periods
    overdue_share: float  # 0 to 1
    lateness_points: float
    punctuality_points: float
    overdue_points: float
    payment_count: int

    @property
    def score(self) -> float:
        return round(self.lateness_points + self.punctuality_points + self.overdue_points, 2)


def _weighted_days_late(payments: list[Payment]) -> float | None:
    total = sum(p.amount for p in payments)
    if total <= 0:
        return None
    return sum(p.amount * p.days_late for p in payments) / total


def behaviour(
    payments: list[Payment], open_amount: float, overdue_amount: float, today: date
) -> Behaviour:
    """The customer's behaviour from its payments and today's open and overdue balance."""
    recent = [p for p in payments if today - timedelta(days=WINDOW_DAYS) < p.paid_date <= today]
    total = sum(p.amount for p in recent)
    avg_late = _weighted_days_late(recent) or 0.0
    on_time = sum(p.amount for p in recent if p.days_late == 0) / total if total > 0 else 1.0
    last_3 = [p for p in recent if p.paid_date > today - timedelta(days=91)]
    before = [
        p for p in recent if today - timedelta(days=182) < p.paid_date <= today - timedelta(days=91)
    ]
    late_now, late_before = _weighted_days_late(last_3), _weighted_days_late(before)
    trend = None if late_now is None or late_before is None else late_now - late_before
    overdue_share = min(max(overdue_amount / open_amount, 0.0), 1.0) if open_amount > 0 else 0.0
    return Behaviour(
        avg_days_late=round(avg_late, 2),
        on_time_share=round(on_time, 4),
        trend_days=None if trend is None else round(trend, 2),
        overdue_share=round(overdue_share, 4),
        lateness_points=round(
            min(avg_late, LATENESS_CAP_DAYS) / LATENESS_CAP_DAYS * LATENESS_POINTS, 2
        ),
        punctuality_points=round((1 - on_time) * PUNCTUALITY_POINTS, 2),
        overdue_points=round(overdue_share * OVERDUE_POINTS, 2),
        payment_count=len(recent),
    )
