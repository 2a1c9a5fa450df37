"""Statutory late-payment interest, fixed compensation, collection costs and reminder fees.

Pure functions over plain data: the Odoo models read the reference rates and the invoice's
open amount and payments, call these, and write the results back.

Money and rates are ``decimal.Decimal`` throughout (a float or int given is converted with
``Decimal(str(x))``); every amount returned is rounded half-up to ``digits`` decimal places,
the currency's (2 unless told). Rates are percentages per year (``Decimal("10.50")``).

Rule sets (``RULE_SETS`` by code): "eu" (directive 2011/7), "de", "fr", "uk", "nl", "be" and
"none". A ``RuleSet`` is plain data: the model layer may build its own with
``dataclasses.replace``.

Reference rates
    ``RatePoint(reference, date, rate)``: from ``date`` the reference is ``rate`` % a year,
    until the next point of the same reference. References: ``REFERENCES``.
    ``rate_points(rows=RATES) -> tuple[RatePoint, ...]``: points from seed-style rows.
    ``rate_in_force(reference, day, points) -> Decimal``; raises ``MissingRateError``
    (a ``ValueError`` with ``reference`` and ``day``) when no point is on or before ``day``.
    ``reference_date(rule_set, day, due_date) -> date``: the day whose reference rate sets the
    legal rate for ``day``.
    ``interest_rate(rule_set, day, points, is_consumer, due_date) -> Decimal | None``: the
    legal rate on ``day`` (reference + margin, never below 0), None when none is owed.

Interest
    ``interest(rule_set, principal_schedule, due_date, end_date, points, is_consumer,
    charged_until=None, notice_date=None, digits=2) -> list[InterestPeriod]``
    ``total_interest(periods) -> Decimal``
    ``no_interest_reason(rule_set, is_consumer, notice_date=None) -> str | None``: why
    ``interest`` returns no period for this debtor, None when interest runs.

Charges, each a ``Charge(amount, reason)``: ``reason`` is None when the amount applies as
such, otherwise a sentence for the credit controller naming the rule (a refusal, a cap or
the scale used).
    ``fixed_compensation(rule_set, invoice_amount, is_consumer, digits=2)``
    ``level_fee(rule_set, fee, is_consumer, reminder_number,
    days_since_previous_reminder=None, postage=0, digits=2)``
    ``collection_costs(rule_set, principal, is_consumer, notice_date=None, today=None,
    digits=2)``
    ``notice_deadline(rule_set, notice_date) -> date``: the last day a consumer may pay
    after the notice (NL 14-day letter, BE free first reminder) before costs may be charged.

Currency
    Statutory amounts (EUR 40, GBP 40/70/100, the scales, the Belgian fee cap) and a level's
    fee are in ``RuleSet.currency``, the law's currency (None for "none": the company's).
    ``convert(amount, rate, digits)``: an amount of the law's currency in the invoice's,
    at ``rate`` units of the invoice's currency per unit of the law's (the run date's rate
    the caller reads), rounded half-up. Interest is computed on the invoice's open amount,
    so it is in the invoice's currency already.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .engine import add_months
from .rates_seed import RATES

REFERENCES = {
    "ecb_mro": "ECB main refinancing rate",
    "de_base": "Bundesbank base rate",
    "boe_base": "Bank of England Bank Rate",
}

# How a rule set fixes its reference rate.
HALF_YEAR = "half_year"  # the rate in force on 1 January for H1, on 1 July for H2
AT_DEFAULT = "at_default"  # UK: one rate for the whole debt, from the half-year it fell late

_ZERO = Decimal(0)
_ONE_DAY = timedelta(days=1)


def to_decimal(value) -> Decimal:
    """``value`` as a Decimal; floats go through ``str`` so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def round_money(value, digits: int = 2) -> Decimal:
    """Rounded half-up to ``digits`` decimal places."""
    return to_decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


class MissingRateError(ValueError):
    """No rate of ``reference`` is known on or before ``day``."""

    def __init__(self, reference: str, day: date):
        self.reference = reference
        self.day = day
        label = REFERENCES.get(reference, reference)
        super().__init__(
            f"No {label} ({reference}) is in force on {day.isoformat()}: add the rate "
            f"published for that date to the reference rates."
        )

    def __reduce__(self):
        return type(self), (self.reference, self.day)


@dataclass(frozen=True)
class RatePoint:
    """From ``date`` on, ``reference`` is ``rate`` % a year (until its next point)."""

    reference: str
    date: date
    rate: Decimal

    def __post_init__(self):
        object.__setattr__(self, "rate", to_decimal(self.rate))


def rate_points(rows: Iterable[tuple] = RATES) -> tuple[RatePoint, ...]:
    """Points from (reference, "YYYY-MM-DD" or date, rate) rows, like the seed data."""
    return tuple(
        RatePoint(reference, day if isinstance(day, date) else date.fromisoformat(day), rate)
        for reference, day, rate in rows
    )


# References set anew every 1 January and 1 July: a half-year without its own point is a
# rate nobody entered yet, not the previous rate still in force.
HALF_YEARLY_REFERENCES = frozenset({"de_base"})


def rate_in_force(reference: str, day: date, points: Iterable[RatePoint]) -> Decimal:
    """The reference's rate on ``day``: that of its latest point on or before ``day``.

    For a half-yearly reference the point must be of ``day``'s half-year.
    """
    if reference in HALF_YEARLY_REFERENCES:
        half_year_start = date(day.year, 1 if day.month < 7 else 7, 1)
        if not any(p.reference == reference and half_year_start <= p.date <= day for p in points):
            raise MissingRateError(reference, half_year_start)
    latest = None
    for point in points:
        if (
            point.reference == reference
            and point.date <= day
            and (latest is None or point.date > latest.date)
        ):
            latest = point
    if latest is None:
        raise MissingRateError(reference, day)
    return latest.rate


@dataclass(frozen=True)
class Bracket:
    """For amounts above ``above``: ``base`` + ``percent`` % of the part above ``above``."""

    above: Decimal
    base: Decimal
    percent: Decimal


@dataclass(frozen=True)
class CostScale:
    """A statutory scale of costs by the amount owed, brackets in increasing order."""

    label: str  # e.g. "statutory collection costs (WIK scale)"
    brackets: tuple[Bracket, ...]
    minimum: Decimal = _ZERO
    maximum: Decimal | None = None

    def amount(self, principal, digits: int = 2) -> Decimal:
        principal = to_decimal(principal)
        if principal <= 0:
            return round_money(0, digits)
        bracket = [b for b in self.brackets if principal > b.above][-1]
        amount = bracket.base + (principal - bracket.above) * bracket.percent / 100
        amount = max(amount, self.minimum)
        if self.maximum is not None:
            amount = min(amount, self.maximum)
        return round_money(amount, digits)


# Netherlands, Besluit vergoeding voor buitengerechtelijke incassokosten (the WIK scale):
# 15% of the first 2,500, 10% of the next 2,500, 5% of the next 5,000, 1% of the next
# 190,000, 0.5% above 200,000; at least 40, at most 6,775. Each base is the scale's total at
# the bracket's start, so a reviewer can check it:
WIK_SCALE = CostScale(
    label="statutory collection costs (WIK scale)",
    brackets=(
        Bracket(Decimal(0), Decimal(0), Decimal(15)),
        Bracket(Decimal(2500), Decimal(375), Decimal(10)),  # 375 = 15% x 2,500
        Bracket(Decimal(5000), Decimal(625), Decimal(5)),  # 625 = 375 + 10% x 2,500
        Bracket(Decimal(10000), Decimal(875), Decimal(1)),  # 875 = 625 + 5% x 5,000
        Bracket(Decimal(200000), Decimal(2775), Decimal("0.5")),  # 2,775 = 875 + 1% x 190,000
    ),
    minimum=Decimal(40),
    maximum=Decimal(6775),
)

# Belgium, Code of Economic Law Book XIX: the most a consumer may owe as damages. Up to 150:
# 20; 150.01 to 500: 30 + 10% of the part above 150; above 500: 65 + 5% of the part above
# 500, at most 2,000.
BE_CONSUMER_DAMAGES = CostScale(
    label="maximum damages on a consumer debt (Book XIX)",
    brackets=(
        Bracket(Decimal(0), Decimal(20), Decimal(0)),
        Bracket(Decimal(150), Decimal(30), Decimal(10)),
        Bracket(Decimal(500), Decimal(65), Decimal(5)),
    ),
    maximum=Decimal(2000),
)


@dataclass(frozen=True)
class RuleSet:
    """One jurisdiction's statutory charges on late payment.

    ``reference`` None: no statutory interest. ``consumer_margin`` None: no statutory
    interest computed for consumers, ``consumer_interest_rule`` says why. ``compensation``:
    tiers (debt below this bound or None for no bound, amount), first match wins; empty: none.
    """

    code: str
    name: str  # names the rule in every reason: "Germany"
    reference: str | None = None
    margin: Decimal = _ZERO  # points over the reference, business debtors
    consumer_margin: Decimal | None = None
    consumer_interest_rule: str = ""
    rate_fixing: str = HALF_YEAR
    compound_yearly: bool = False  # the year's interest is added to the principal
    day_count_basis: int = 365  # actual days / basis, leap years included
    currency: str | None = "EUR"  # of the statutory amounts and fees; None: the company's
    compensation: tuple[tuple[Decimal | None, Decimal], ...] = ()
    consumer_costs_rule: str = ""  # why a consumer owes no fixed compensation
    first_reminder_free: bool = False  # for every debtor
    consumer_fees_allowed: bool = True
    consumer_fees_rule: str = ""  # why a consumer owes no reminder fee
    consumer_first_reminder_free: bool = False
    consumer_reminder_gap_days: int = 0  # a charged reminder needs this many days since the last
    consumer_fee_cap: Decimal | None = None  # per reminder; postage comes on top
    consumer_costs_scale: CostScale | None = None
    # A notice a consumer must get before costs (and, with a consumer_margin, interest):
    # its term of ``consumer_notice_days`` days starts after ``notice_delivery_days`` days
    # (business days, Monday to Friday, if ``notice_business_days``).
    notice_name: str = ""
    consumer_notice_days: int = 0
    notice_delivery_days: int = 0
    notice_business_days: bool = False


_EUR_40 = ((None, Decimal(40)),)

RULE_SETS: dict[str, RuleSet] = {
    rule_set.code: rule_set
    for rule_set in (
        RuleSet(
            code="eu",
            name="EU directive 2011/7",
            reference="ecb_mro",
            margin=Decimal(8),
            consumer_interest_rule=(
                "EU directive 2011/7: its late-payment interest applies between businesses "
                "only; use the country's rule set for consumers."
            ),
            compensation=_EUR_40,
            consumer_costs_rule=(
                "EU directive 2011/7: the EUR 40 compensation applies between businesses only."
            ),
        ),
        RuleSet(
            code="de",
            name="Germany",
            reference="de_base",
            margin=Decimal(9),
            consumer_margin=Decimal(5),
            compensation=_EUR_40,
            consumer_costs_rule=(
                "Germany: the EUR 40 lump sum is for business debtors only; a consumer owes "
                "only proven damages."
            ),
            first_reminder_free=True,
        ),
        RuleSet(
            code="fr",
            name="France",
            reference="ecb_mro",
            margin=Decimal(10),
            consumer_interest_rule=(
                "France: ECB rate + 10 points applies between businesses only; a consumer owes "
                "the legal interest rate (taux légal), which is not computed here."
            ),
            compensation=_EUR_40,
            consumer_costs_rule=(
                "France: out-of-court collection costs may not be passed on to a consumer."
            ),
            consumer_fees_allowed=False,
            consumer_fees_rule=(
                "France: reminder fees are collection costs, which may not be passed on to a "
                "consumer."
            ),
        ),
        RuleSet(
            code="uk",
            name="United Kingdom",
            reference="boe_base",
            margin=Decimal(8),
            consumer_interest_rule=(
                "United Kingdom: the Late Payment Act's interest applies to business debts only."
            ),
            rate_fixing=AT_DEFAULT,
            currency="GBP",
            compensation=(
                (Decimal(1000), Decimal(40)),
                (Decimal(10000), Decimal(70)),
                (None, Decimal(100)),
            ),
            consumer_costs_rule=(
                "United Kingdom: the Late Payment Act's fixed sum applies to business debts only."
            ),
        ),
        RuleSet(
            code="nl",
            name="Netherlands",
            reference="ecb_mro",
            margin=Decimal(8),
            consumer_interest_rule=(
                "Netherlands: a consumer owes the non-commercial statutory rate (BW 6:119), set "
                "by decree, which is not computed here."
            ),
            compound_yearly=True,
            compensation=_EUR_40,
            consumer_costs_rule=(
                "Netherlands: the EUR 40 minimum is for business debtors; a consumer owes "
                "collection costs only by the WIK scale after the 14-day letter."
            ),
            consumer_fees_allowed=False,
            consumer_fees_rule=(
                "Netherlands: reminder fees may not be charged to a consumer; collection costs "
                "are due only by the WIK scale after the 14-day letter."
            ),
            consumer_costs_scale=WIK_SCALE,
            notice_name="14-day letter",
            consumer_notice_days=14,
            notice_delivery_days=1,  # received the day after its date
        ),
        RuleSet(
            code="be",
            name="Belgium",
            reference="ecb_mro",
            margin=Decimal(8),
            consumer_margin=Decimal(8),
            compensation=_EUR_40,
            consumer_costs_rule=(
                "Belgium: the EUR 40 compensation is for business debtors; a consumer owes at "
                "most the capped damages of Book XIX."
            ),
            consumer_first_reminder_free=True,
            consumer_reminder_gap_days=14,
            consumer_fee_cap=Decimal("7.50"),
            consumer_costs_scale=BE_CONSUMER_DAMAGES,
            notice_name="free first reminder",
            consumer_notice_days=14,
            notice_delivery_days=3,  # the term runs from the third working day after sending
            notice_business_days=True,
        ),
        RuleSet(code="none", name="No statutory charges", currency=None),
    )
}


@dataclass(frozen=True)
class PrincipalSchedule:
    """An invoice's open amount over time.

    ``amount`` is open on the due date; ``payments`` are (date, amount paid) after it, credit
    notes and other reconciliations included (one dated on or before the due date is deducted
    from the start). A payment on day D still bears interest on D and reduces the principal
    from D + 1.
    """

    amount: Decimal
    payments: tuple[tuple[date, Decimal], ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "amount", to_decimal(self.amount))
        object.__setattr__(
            self, "payments", tuple(sorted((day, to_decimal(paid)) for day, paid in self.payments))
        )

    def open_on(self, day: date) -> Decimal:
        """The principal bearing interest on ``day``: payments made before it are deducted."""
        paid = sum((amount for paid_on, amount in self.payments if paid_on < day), _ZERO)
        return max(self.amount - paid, _ZERO)


@dataclass(frozen=True)
class InterestPeriod:
    start: date
    end: date  # inclusive
    days: int
    principal: Decimal  # the base: open amount, plus interest already compounded (NL)
    rate: Decimal  # reference rate + margin, % a year, never below 0
    amount: Decimal  # rounded to the currency
    reference_rate: Decimal


@dataclass(frozen=True)
class Charge:
    amount: Decimal
    reason: str | None = None


def reference_date(rule_set: RuleSet, day: date, due_date: date) -> date:
    """The day whose reference rate sets the legal rate for interest of ``day``.

    Half-year fixing: 1 January for January to June, 1 July for July to December. UK: 31
    December or 30 June immediately before the half-year in which the debt fell late (the day
    after ``due_date``), whatever ``day`` is.
    """
    if rule_set.rate_fixing == HALF_YEAR:
        return date(day.year, 1 if day.month <= 6 else 7, 1)
    if rule_set.rate_fixing == AT_DEFAULT:
        late = due_date + _ONE_DAY
        return date(late.year - 1, 12, 31) if late.month <= 6 else date(late.year, 6, 30)
    raise ValueError(f"Unknown rate fixing {rule_set.rate_fixing!r}: use half_year or at_default.")


def _margin(rule_set: RuleSet, is_consumer: bool) -> Decimal | None:
    if rule_set.reference is None:
        return None
    return rule_set.consumer_margin if is_consumer else rule_set.margin


def _rates(rule_set, day, points, margin, due_date) -> tuple[Decimal, Decimal]:
    """(reference rate, legal rate) for ``day``."""
    reference_rate = rate_in_force(
        rule_set.reference, reference_date(rule_set, day, due_date), points
    )
    return reference_rate, max(reference_rate + margin, _ZERO)


def interest_rate(
    rule_set: RuleSet,
    day: date,
    points: Iterable[RatePoint],
    is_consumer: bool,
    due_date: date,
) -> Decimal | None:
    """The legal rate (% a year) for interest of ``day`` on a debt due on ``due_date``."""
    margin = _margin(rule_set, is_consumer)
    if margin is None:
        return None
    return _rates(rule_set, day, tuple(points), margin, due_date)[1]


def notice_deadline(rule_set: RuleSet, notice_date: date) -> date:
    """The last day a consumer may pay after the notice sent on ``notice_date``.

    Netherlands: the letter counts as received the day after its date and the 14 days run
    from the day after receipt, so a letter of 3 March may be paid until 18 March; costs
    are due from 19 March. Belgium: the 14 days run from the third working day after the
    free reminder is sent (the paper rule, the later one; weekends skipped, public holidays
    not known here) and, to be safe, are counted from the day after it.
    """
    start = notice_date
    if rule_set.notice_business_days:
        remaining = rule_set.notice_delivery_days
        while remaining:
            start += _ONE_DAY
            if start.weekday() < 5:
                remaining -= 1
    else:
        start += timedelta(days=rule_set.notice_delivery_days)
    return start + timedelta(days=rule_set.consumer_notice_days)


def _no_notice(rule_set: RuleSet) -> str:
    return (
        f"{rule_set.name}: no {rule_set.notice_name} sent; nothing may be charged to a "
        "consumer before its term has expired."
    )


def no_interest_reason(
    rule_set: RuleSet, is_consumer: bool, notice_date: date | None = None
) -> str | None:
    """Why ``interest`` charges this debtor nothing, or None when interest runs."""
    if rule_set.reference is None:
        return f"{rule_set.name}: no late-payment interest under this rule set."
    if is_consumer and rule_set.consumer_margin is None:
        return rule_set.consumer_interest_rule or (
            f"{rule_set.name}: no statutory interest for consumers."
        )
    if is_consumer and rule_set.consumer_notice_days and notice_date is None:
        return _no_notice(rule_set)
    return None


def interest(
    rule_set: RuleSet,
    principal_schedule: PrincipalSchedule | Decimal | float,
    due_date: date,
    end_date: date,
    points: Iterable[RatePoint],
    is_consumer: bool,
    charged_until: date | None = None,
    notice_date: date | None = None,
    digits: int = 2,
) -> list[InterestPeriod]:
    """Statutory interest on one invoice, from the day after ``due_date`` to ``end_date``.

    ``principal_schedule``: a ``PrincipalSchedule``, or just the open amount when nothing
    was paid after the due date. ``end_date`` is inclusive: the run date (or the last
    payment's date once the invoice is paid). Interest runs through a payment's day; the
    paid part stops bearing interest the day after. Nothing is returned once the principal
    is paid in full.

    Simple interest, actual days / ``rule_set.day_count_basis`` (365, in leap years too):
    each period's amount is principal x rate / 100 x days / basis, rounded half-up to
    ``digits``; the total is the sum of the rounded periods. Periods split at:
    - 1 January and 1 July when the rule fixes the rate per half-year, each half-year taking
      the reference rate in force on its first day (UK: one rate for the whole debt);
    - the day after each payment;
    - each anniversary of the first day of default when interest compounds (NL): the
      interest of the year just ended, as rounded per period, joins the principal. Payments
      reduce the invoice's open amount only; compounded interest stays in the base until the
      open amount is paid in full.
    The rate is reference + margin: a negative reference lowers it, but it is never below 0.

    ``charged_until``: interest up to and including that day was charged before; periods
    start the day after (compounding still counts the earlier years' interest).
    ``notice_date``: for consumers under a rule set that requires a notice first (Belgium:
    the free first reminder), the date it was sent; interest then runs only from the day
    after ``notice_deadline``, and not at all without one. ``no_interest_reason`` tells why
    a debtor gets no period. Raises ``MissingRateError`` when a rate needed is not known.
    """
    if no_interest_reason(rule_set, is_consumer, notice_date) is not None:
        return []
    margin = _margin(rule_set, is_consumer)
    if not isinstance(principal_schedule, PrincipalSchedule):
        principal_schedule = PrincipalSchedule(principal_schedule)
    points = tuple(points)
    default_start = due_date + _ONE_DAY
    first = default_start
    if is_consumer and rule_set.consumer_notice_days:
        first = max(first, notice_deadline(rule_set, notice_date) + _ONE_DAY)
    if end_date < first:
        return []

    anniversaries = set()
    if rule_set.compound_yearly:
        years = 1
        while (anniversary := add_months(default_start, 12 * years)) <= end_date:
            anniversaries.add(anniversary)
            years += 1
    starts = {first} | anniversaries
    starts |= {paid_on + _ONE_DAY for paid_on, _paid in principal_schedule.payments}
    if rule_set.rate_fixing == HALF_YEAR:
        for year in range(first.year, end_date.year + 1):
            starts |= {date(year, 1, 1), date(year, 7, 1)}
    starts = sorted(day for day in starts if first <= day <= end_date)
    ends = [day - _ONE_DAY for day in starts[1:]] + [end_date]

    periods = []
    compounded = year_interest = _ZERO
    for start, end in zip(starts, ends, strict=True):
        if start in anniversaries:
            compounded += year_interest
            year_interest = _ZERO
        open_amount = principal_schedule.open_on(start)
        if open_amount <= 0:
            break
        base = open_amount + compounded
        reference_rate, rate = _rates(rule_set, start, points, margin, due_date)
        days = (end - start).days + 1
        amount = _accrued(base, rate, days, rule_set.day_count_basis, digits)
        year_interest += amount
        charge_from = start
        if charged_until is not None:
            if end <= charged_until:
                continue
            if start <= charged_until:  # only the part not charged yet
                charge_from = charged_until + _ONE_DAY
                days = (end - charge_from).days + 1
                amount = _accrued(base, rate, days, rule_set.day_count_basis, digits)
        periods.append(InterestPeriod(charge_from, end, days, base, rate, amount, reference_rate))
    return periods


def convert(amount, rate, digits: int = 2) -> Decimal:
    """``amount`` of the law's currency in the invoice's at ``rate`` (invoice units per law
    unit), rounded half-up to the invoice currency's ``digits``."""
    return round_money(to_decimal(amount) * to_decimal(rate), digits)


def _accrued(principal: Decimal, rate: Decimal, days: int, basis: int, digits: int) -> Decimal:
    return round_money(principal * rate * days / (100 * basis), digits)


def total_interest(periods: Iterable[InterestPeriod]) -> Decimal:
    return sum((period.amount for period in periods), _ZERO)


def fixed_compensation(
    rule_set: RuleSet, invoice_amount, is_consumer: bool, digits: int = 2
) -> Charge:
    """The statutory fixed compensation for one late invoice (debt, for the UK tiers)."""
    if not rule_set.compensation:
        return Charge(round_money(0, digits), f"{rule_set.name}: no fixed compensation.")
    if is_consumer:
        return Charge(
            round_money(0, digits),
            rule_set.consumer_costs_rule
            or f"{rule_set.name}: fixed compensation is for business debtors only.",
        )
    amount = to_decimal(invoice_amount)
    if amount <= 0:
        return Charge(round_money(0, digits), "Nothing is owed on this invoice.")
    for below, compensation in rule_set.compensation:
        if below is None or amount < below:
            return Charge(round_money(compensation, digits))
    return Charge(round_money(0, digits), f"{rule_set.name}: no compensation tier fits.")


def level_fee(
    rule_set: RuleSet,
    fee,
    is_consumer: bool,
    reminder_number: int,
    days_since_previous_reminder: int | None = None,
    postage=0,
    digits: int = 2,
) -> Charge:
    """What the ``reminder_number``-th reminder (1 = first) of an invoice may cost.

    ``fee`` is the level's configured fee and ``postage`` its postage, charged together when
    allowed; ``days_since_previous_reminder`` is None for the first reminder.
    """
    if reminder_number < 1:
        raise ValueError(f"Reminder number {reminder_number}: the first reminder is number 1.")
    fee, postage = to_decimal(fee), to_decimal(postage)
    zero = round_money(0, digits)
    if fee + postage <= 0:
        return Charge(zero)
    if rule_set.first_reminder_free and reminder_number == 1:
        return Charge(
            zero,
            f"{rule_set.name}: the first reminder, which causes the default, may not be charged.",
        )
    if is_consumer:
        if not rule_set.consumer_fees_allowed:
            return Charge(
                zero,
                rule_set.consumer_fees_rule
                or f"{rule_set.name}: reminder fees may not be charged to a consumer.",
            )
        if rule_set.consumer_first_reminder_free and reminder_number == 1:
            return Charge(zero, f"{rule_set.name}: the first reminder to a consumer is free.")
        gap = rule_set.consumer_reminder_gap_days
        if gap and (days_since_previous_reminder is None or days_since_previous_reminder < gap):
            return Charge(
                zero,
                f"{rule_set.name}: a charged reminder to a consumer needs at least {gap} days "
                f"since the previous one ({days_since_previous_reminder or 0} so far).",
            )
        cap = rule_set.consumer_fee_cap
        if cap is not None and fee > cap:
            return Charge(
                round_money(cap + postage, digits),
                f"{rule_set.name}: a reminder to a consumer costs at most "
                f"{rule_set.currency} {cap:,.2f} plus postage.",
            )
    return Charge(round_money(fee + postage, digits))


def collection_costs(
    rule_set: RuleSet,
    principal,
    is_consumer: bool,
    notice_date: date | None = None,
    today: date | None = None,
    digits: int = 2,
) -> Charge:
    """Out-of-court collection costs the debtor may be asked for on ``principal``.

    Business debtors: the fixed compensation. Consumers: the rule set's scale (Netherlands:
    the WIK costs; Belgium: the maximum damages), only once the consumer notice sent on
    ``notice_date`` has expired on ``today`` (see ``notice_deadline``); otherwise 0 with the
    reason.
    """
    if not is_consumer:
        return fixed_compensation(rule_set, principal, False, digits)
    zero = round_money(0, digits)
    scale = rule_set.consumer_costs_scale
    if scale is None:
        return Charge(
            zero,
            rule_set.consumer_costs_rule
            or f"{rule_set.name}: no collection costs may be charged to a consumer.",
        )
    if rule_set.consumer_notice_days:
        if notice_date is None:
            return Charge(zero, _no_notice(rule_set))
        if today is None:
            raise ValueError("Give today's date to check whether the consumer notice expired.")
        deadline = notice_deadline(rule_set, notice_date)
        if today <= deadline:
            return Charge(
                zero,
                f"{rule_set.name}: the {rule_set.notice_name} of {notice_date.isoformat()} has "
                f"not expired; the consumer may pay until {deadline.isoformat()}.",
            )
    principal = to_decimal(principal)
    return Charge(
        scale.amount(principal, digits),
        f"{rule_set.name}: {scale.label} on {principal:,.{digits}f}.",
    )
