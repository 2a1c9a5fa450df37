"""When will each open invoice be paid: a date per invoice, from the customer's habits.

No black box; every step can be checked by hand.

1. A customer's *habit* is its delay (paid date minus due date, in days: negative when it pays
   early) over its paid invoices of the last ``WINDOW_DAYS``, each payment weighted by
   - its age: the weight halves every ``HALF_LIFE_DAYS`` (recent habits count more, so a
     customer who starts paying later is followed within a few months), times
   - the square root of its amount (a large invoice counts more, without one invoice
     deciding alone).
   Outliers are clipped: delays are brought within ``CLIP_MADS`` weighted median absolute
   deviations (at least ``CLIP_MIN_DAYS``) of the weighted median before the weighted mean is
   taken, so one invoice paid a year late after a dispute does not move the habit much.
2. A customer with little history leans on the company's habit (all its customers' payments,
   computed the same way): the two are mixed in proportion ``n / (n + PRIOR_WEIGHT)`` where
   ``n`` is the customer's effective number of payments (weights summing to n, a payment of
   today with the customer's typical amount counting about 1). A new customer gets the
   company's habit; without any payment in the company there is no prediction.
3. An open invoice is predicted at its due date plus the habit, never before ``today``.
   An overdue invoice already later than the habit is predicted from the customer's own
   payments that were later than this one already is (their weighted median delay); if it is
   later than every payment seen, ``CATCH_UP_DAYS`` from today.
4. Agreements override the history for the invoices they cover: an active payment plan's open
   installments pay its invoices oldest due date first (an invoice is predicted at the
   installment that completes it), then an open promise to pay covers its invoices up to the
   promised amount, oldest first, at the promised date. Never before today either.
5. Disputed invoices get no prediction: whether they are paid at all is open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

WINDOW_DAYS = 730
HALF_LIFE_DAYS = 120
CLIP_MADS = 3.0
CLIP_MIN_DAYS = 15.0
PRIOR_WEIGHT = 1.0
CATCH_UP_DAYS = 7

SOURCE_HISTORY = "history"
SOURCE_COMPANY = "company"
SOURCE_PROMISE = "promise"
SOURCE_PLAN = "plan"
SOURCES = [
    (SOURCE_HISTORY, "Customer's habit"),
    (SOURCE_COMPANY, "Company's habit"),
    (SOURCE_PROMISE, "Promise to pay"),
    (SOURCE_PLAN, "Payment plan"),
]


@dataclass(frozen=True)
class PaidInvoice:
    """A paid invoice (or the part of it one payment settled)."""

    due_date: date
    paid_date: date
    amount: float

    @property
    def delay(self) -> int:
        return (self.paid_date - self.due_date).days


@dataclass(frozen=True)
class OpenInvoice:
    id: int
    due_date: date
    amount: float  # what is still due
    disputed: bool = False


@dataclass(frozen=True)
class Promise:
    date: date
    amount: float
    invoice_ids: tuple[int, ...]


@dataclass(frozen=True)
class Plan:
    """An active plan: its open installments (due date, left to pay) and the invoices it covers."""

    installments: tuple[tuple[date, float], ...]
    invoice_ids: tuple[int, ...]


@dataclass(frozen=True)
class Habit:
    """How many days after its due date a customer (or a company) pays.

    ``distribution``: sorted (delay, weight) pairs, weights summing to 1, for the late cases.
    ``weight``: the effective number of payments behind it (0 for the company's prior alone).
    """

    days_late: float
    weight: float
    source: str
    distribution: tuple[tuple[int, float], ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class Prediction:
    date: date
    source: str


def _weighted_median(pairs: list[tuple[float, float]]) -> float:
    """The value where half the weight lies on each side (pairs: (value, weight), any order)."""
    pairs = sorted(pairs)
    half = sum(w for _v, w in pairs) / 2
    running = 0.0
    for value, weight in pairs:
        running += weight
        if running >= half:
            return value
    return pairs[-1][0]


def habit(
    payments: list[PaidInvoice],
    today: date,
    source: str = SOURCE_HISTORY,
    half_life: float = HALF_LIFE_DAYS,
) -> Habit | None:
    """The weighted, clipped delay of these payments as of ``today``; None without any."""
    since = today - timedelta(days=WINDOW_DAYS)
    recent = [p for p in payments if since < p.paid_date <= today and p.amount > 0]
    if not recent:
        return None
    # Amounts relative to the typical one, so that n counts payments, not money.
    typical = _weighted_median([(p.amount, 1.0) for p in recent])
    weighted = [
        (
            float(p.delay),
            0.5 ** ((today - p.paid_date).days / half_life) * (p.amount / typical) ** 0.5,
        )
        for p in recent
    ]
    total = sum(w for _d, w in weighted)
    median = _weighted_median(weighted)
    spread = _weighted_median([(abs(d - median), w) for d, w in weighted])
    reach = max(CLIP_MADS * spread, CLIP_MIN_DAYS)
    clipped = [(min(max(d, median - reach), median + reach), w) for d, w in weighted]
    days_late = sum(d * w for d, w in clipped) / total
    distribution = {}
    for delay, weight in weighted:
        distribution[int(delay)] = distribution.get(int(delay), 0.0) + weight / total
    return Habit(days_late, len(recent), source, tuple(sorted(distribution.items())))


def blend(customer: Habit | None, company: Habit | None) -> Habit | None:
    """The customer's habit leaning on the company's in proportion to how little it has."""
    if customer is None:
        return company and Habit(company.days_late, 0.0, SOURCE_COMPANY, company.distribution)
    if company is None:
        return customer
    own = customer.weight / (customer.weight + PRIOR_WEIGHT)
    mixed = {}
    for delay, weight in customer.distribution:
        mixed[delay] = mixed.get(delay, 0.0) + own * weight
    for delay, weight in company.distribution:
        mixed[delay] = mixed.get(delay, 0.0) + (1 - own) * weight
    return Habit(
        own * customer.days_late + (1 - own) * company.days_late,
        customer.weight,
        SOURCE_HISTORY,
        tuple(sorted(mixed.items())),
    )


def _from_habit(invoice: OpenInvoice, usual: Habit, today: date) -> date:
    expected = invoice.due_date + timedelta(days=round(usual.days_late))
    if expected >= today:
        return expected
    late_now = (today - invoice.due_date).days
    if invoice.due_date < today:
        # Already later than usual: what did this customer do when it was this late?
        later = [(d, w) for d, w in usual.distribution if d > late_now]
        if later:
            return invoice.due_date + timedelta(days=int(_weighted_median(later)))
        return today + timedelta(days=CATCH_UP_DAYS)
    return today  # not due yet and usually paid early: as soon as possible


def _allocate(invoices: list[OpenInvoice], steps: list[tuple[date, float]]) -> dict[int, date]:
    """Each invoice (oldest due first) at the step whose running total completes it."""
    result = {}
    steps = sorted(steps)
    if not steps:
        return result
    paid, index = 0.0, 0
    needed = 0.0
    for invoice in sorted(invoices, key=lambda i: (i.due_date, i.id)):
        needed += invoice.amount
        while index < len(steps) - 1 and paid + steps[index][1] < needed - 0.005:
            paid += steps[index][1]
            index += 1
        result[invoice.id] = steps[index][0]
    return result


def predict(
    invoices: list[OpenInvoice],
    usual: Habit | None,
    today: date,
    promises: list[Promise] = (),
    plans: list[Plan] = (),
) -> dict[int, Prediction]:
    """{invoice id: Prediction} for one customer's open invoices (see the module's text)."""
    by_id = {invoice.id: invoice for invoice in invoices if not invoice.disputed}
    result = {}
    if usual is not None:
        for invoice in by_id.values():
            result[invoice.id] = Prediction(_from_habit(invoice, usual, today), usual.source)
    agreed = {}
    for promise in sorted(promises, key=lambda p: p.date, reverse=True):
        covered = [by_id[i] for i in promise.invoice_ids if i in by_id]
        kept = []
        left = promise.amount
        for invoice in sorted(covered, key=lambda i: (i.due_date, i.id)):
            if left <= 0.005:
                break
            kept.append(invoice)
            left -= invoice.amount
        for invoice in kept:
            agreed[invoice.id] = Prediction(max(promise.date, today), SOURCE_PROMISE)
    for plan in plans:
        covered = [by_id[i] for i in plan.invoice_ids if i in by_id]
        steps = [(due, amount) for due, amount in plan.installments if amount > 0]
        for invoice_id, when in _allocate(covered, steps).items():
            agreed[invoice_id] = Prediction(max(when, today), SOURCE_PLAN)
    result.update(agreed)
    return result
