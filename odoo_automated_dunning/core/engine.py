"""Which reminder each customer gets on a run date, and why the others get none.

Rules (the README lists them for users):
- an invoice is overdue the day after its due date;
- its first reminder is always the policy's first level, and it climbs one level per run,
  never before the level's delay after the due date nor before the level's minimum gap
  since its previous reminder, and never twice on the same date;
- a customer gets one message per run, listing all its overdue invoices, as soon as one of
  them reaches a new level; the message speaks in the tone of the highest level reached.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

from .facts import (
    ALL_CHANNELS,
    TONES,
    Customer,
    CustomerDecision,
    Invoice,
    Level,
    LineDecision,
    Policy,
    RunPlan,
)

# Customer-level skip reasons, in the order they are checked.
SKIP_PAUSED = "paused"
SKIP_CREDIT_COVERS = "credit_covers"
SKIP_NO_EMAIL = "no_email"
SKIP_BLACKLISTED = "blacklisted"
SKIP_BELOW_MINIMUM = "below_minimum"
SKIP_NO_CHANNEL = "no_channel"
SKIP_OBJECTED = "objected"
SKIP_CAPPED = "capped"
SKIP_REFUSED = "refused"
SKIP_DISPUTED = "disputed"  # payment plans: an invoice of the plan is disputed
# A deferred email withdrawn before it left: its debt was paid or disputed meanwhile.
SKIP_SETTLED = "settled"
# In the order the reminders list shows them; the labels the selection shows.
SKIP_REASON_LABELS = {
    SKIP_OBJECTED: "Objected to processing",
    SKIP_CAPPED: "Held back by the frequency cap",
    SKIP_REFUSED: "Channel refused by the customer",
    SKIP_PAUSED: "Customer paused",
    SKIP_CREDIT_COVERS: "Credits cover the overdue amount",
    SKIP_NO_EMAIL: "No email address",
    SKIP_BLACKLISTED: "Email blacklisted",
    SKIP_BELOW_MINIMUM: "Below the level's minimum amount",
    SKIP_NO_CHANNEL: "No reachable channel",
    SKIP_DISPUTED: "An invoice is disputed",
    SKIP_SETTLED: "Paid or disputed before it left",
}

# Invoice-level exclusions.
EXCLUDED_DISPUTED = "disputed"
EXCLUDED_NO_FOLLOWUP = "no_followup"
EXCLUDED_NO_POLICY = "no_policy"
EXCLUDED_NOT_OVERDUE = "not_overdue"
EXCLUDED_PROMISED = "promised"
EXCLUDED_IN_PLAN = "in_plan"


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def add_delay(day: date, delay: int, unit: str) -> date:
    if unit == "day":
        return day + timedelta(days=delay)
    if unit == "week":
        return day + timedelta(weeks=delay)
    if unit == "month":
        return add_months(day, delay)
    raise ValueError(f"Unknown delay unit {unit!r}: use day, week or month.")


def is_positive(amount: float, precision: float = 0.01) -> bool:
    """True when the amount is at least half a unit of the currency's rounding."""
    return amount >= precision / 2


def match_policy(invoice: Invoice, customer: Customer, policies: Iterable[Policy]) -> Policy | None:
    """The customer's own policy, else the first policy (by sequence) whose criteria all hold.

    An own policy that is not among ``policies`` (archived) counts as none.
    """
    by_id = {policy.id: policy for policy in policies}
    if customer.policy_id in by_id:
        return by_id[customer.policy_id]
    for policy in sorted(by_id.values(), key=lambda p: (p.sequence, p.id)):
        if _matches(policy, invoice, customer):
            return policy
    return None


def _matches(policy: Policy, invoice: Invoice, customer: Customer) -> bool:
    if policy.journal_ids and invoice.journal_id not in policy.journal_ids:
        return False
    if policy.payment_term_ids and invoice.payment_term_id not in policy.payment_term_ids:
        return False
    if policy.product_category_ids and not (
        policy.product_category_ids & invoice.product_category_ids
    ):
        return False
    if policy.partner_category_ids and not (policy.partner_category_ids & customer.category_ids):
        return False
    if policy.partner_type == "company" and not customer.is_company:
        return False
    if policy.partner_type == "individual" and customer.is_company:
        return False
    if policy.minimum_amount and invoice.amount_total_company < policy.minimum_amount:
        return False
    if policy.minimum_risk_score and customer.risk_score < policy.minimum_risk_score:
        return False
    return policy.domain_invoice_ids is None or invoice.id in policy.domain_invoice_ids


def next_level_date(invoice: Invoice, level: Level) -> date:
    """First date on which ``level`` may be sent for ``invoice`` (amount rules aside)."""
    candidates = [
        add_delay(invoice.due_date, level.delay, level.delay_unit),
        invoice.due_date + timedelta(days=1),  # overdue only after the due date
    ]
    if invoice.last_date:
        candidates.append(invoice.last_date + timedelta(days=max(level.minimum_gap_days, 1)))
    return max(candidates)


def next_reminder_date(
    invoice: Invoice, customer: Customer, policies: Iterable[Policy]
) -> date | None:
    """When the invoice's next level becomes due, or None if it will get no further level."""
    if invoice.disputed or invoice.no_followup or invoice.in_plan:
        return None
    policy = match_policy(invoice, customer, policies)
    if policy is None:
        return None
    rank = _level_rank(policy, invoice.level_id)
    if rank + 1 >= len(policy.levels):
        return None
    upcoming = next_level_date(invoice, policy.levels[rank + 1])
    if invoice.promised_until:
        return max(upcoming, invoice.promised_until + timedelta(days=1))
    return upcoming


def _level_rank(policy: Policy, level_id: int | None) -> int:
    """Index of the invoice's current level in the policy, -1 if it has none there yet.

    A level of another policy (the customer changed policy) counts as none, so the new
    policy starts at its first level rather than skipping any.
    """
    for rank, level in enumerate(policy.levels):
        if level.id == level_id:
            return rank
    return -1


def decide_customer(
    customer: Customer,
    invoices: list[Invoice],
    policies: dict[int, Policy],
    run_date: date,
    precision: float = 0.01,
) -> tuple[CustomerDecision, dict[str, int]]:
    """Decide one customer's reminder from its overdue, not excluded invoices."""
    excluded: dict[str, int] = defaultdict(int)
    matched: list[tuple[Invoice, Policy]] = []
    for invoice in invoices:
        if invoice.due_date >= run_date or not is_positive(invoice.residual, precision):
            excluded[EXCLUDED_NOT_OVERDUE] += 1
        elif invoice.disputed:
            excluded[EXCLUDED_DISPUTED] += 1
        elif invoice.no_followup:
            excluded[EXCLUDED_NO_FOLLOWUP] += 1
        elif invoice.in_plan:
            excluded[EXCLUDED_IN_PLAN] += 1
        elif invoice.promised_until and invoice.promised_until >= run_date:
            excluded[EXCLUDED_PROMISED] += 1
        else:
            policy = match_policy(invoice, customer, policies.values())
            if policy is None or not policy.levels:
                excluded[EXCLUDED_NO_POLICY] += 1
            else:
                matched.append((invoice, policy))

    overdue_per_policy: dict[int, float] = defaultdict(float)
    for invoice, policy in matched:
        overdue_per_policy[policy.id] += invoice.residual_company

    lines: list[LineDecision] = []
    below_minimum = False
    for invoice, policy in sorted(matched, key=lambda pair: (pair[0].due_date, pair[0].id)):
        rank = _level_rank(policy, invoice.level_id)
        current = policy.levels[rank] if rank >= 0 else None
        upcoming = policy.levels[rank + 1] if rank + 1 < len(policy.levels) else None
        escalated = False
        next_date = None
        if upcoming is not None:
            next_date = next_level_date(invoice, upcoming)
            # A broken promise escalates at once: the delay was given and not honoured.
            if next_date <= run_date or invoice.promise_broken:
                if overdue_per_policy[policy.id] + precision / 2 >= upcoming.minimum_amount:
                    escalated = True
                else:
                    below_minimum = True
        new_level = upcoming if escalated else current
        lines.append(
            LineDecision(
                invoice=invoice,
                policy_id=policy.id,
                level=new_level,
                previous_level=current,
                escalated=escalated,
                days_overdue=(run_date - invoice.due_date).days,
                next_date=None if escalated else next_date,
            )
        )

    decision = CustomerDecision(customer=customer, action="none", lines=lines)
    if not decision.escalated_lines:
        if below_minimum:
            # A pause or a covering credit says more to the user than the amount does.
            reason = _skip_reason(customer, run_date, precision, None)
            decision.action = "skip"
            decision.skip_reason = (
                reason if reason in (SKIP_PAUSED, SKIP_CREDIT_COVERS) else SKIP_BELOW_MINIMUM
            )
        return decision, dict(excluded)

    decision.level, decision.policy_id = _governing_level(lines, policies)
    reason = _skip_reason(customer, run_date, precision, decision.level)
    decision.action = "skip" if reason else "send"
    decision.skip_reason = reason
    if not reason:
        decision.channels = choose_channels(decision.level, customer)
    return decision, dict(excluded)


def choose_channels(level: Level, customer: Customer) -> list[str]:
    """The level's channels that reach the customer, fallbacks only where nothing came before.

    ``email, letter (fallback), sms``: email and SMS when both reach the customer; the letter
    only when the email cannot.
    """
    return _choose(level.channels, customer)


def _choose(channels: tuple[tuple[str, bool], ...], customer: Customer) -> list[str]:
    reachable = customer.reachable_channels
    chosen: list[str] = []
    for channel, fallback in channels or (("email", False),):
        if channel not in ALL_CHANNELS:
            raise ValueError(f"Unknown channel {channel!r}: use one of {', '.join(ALL_CHANNELS)}.")
        if fallback and chosen:
            continue
        if channel in reachable and channel not in chosen:
            chosen.append(channel)
    return chosen


def _governing_level(
    lines: list[LineDecision], policies: dict[int, Policy]
) -> tuple[Level | None, int | None]:
    """Highest tone first, then the furthest level in its policy."""
    best = None
    for line in lines:
        if line.level is None:
            continue
        rank = _level_rank(policies[line.policy_id], line.level.id)
        key = (TONES.index(line.level.tone), rank, line.level.delay)
        if best is None or key > best[0]:
            best = (key, line.level, line.policy_id)
    return (best[1], best[2]) if best else (None, None)


def _skip_reason(
    customer: Customer, run_date: date, precision: float, level: Level | None
) -> str | None:
    return hold_reason(customer, run_date, level.channels if level else None, precision=precision)


def hold_reason(
    customer: Customer,
    day: date,
    channels: tuple[tuple[str, bool], ...] | None,
    precision: float = 0.01,
    disputed: bool = False,
    check_balance: bool = True,
) -> str | None:
    """Why the customer gets no message on ``channels`` on ``day``, or None.

    The one hold decision: the run asks it for a level's channels, a payment plan for its
    email (``disputed``: an invoice of the plan is; a plan's balance is not checked).
    ``channels`` None checks only what holds back the customer whatever the channel.
    """
    if customer.pause_until and customer.pause_until >= day:
        return SKIP_PAUSED
    if customer.objected:
        return SKIP_OBJECTED
    if disputed:
        return SKIP_DISPUTED
    if check_balance and not is_positive(customer.net_balance, precision):
        return SKIP_CREDIT_COVERS
    if channels is None or _choose(channels, customer):
        return None
    if customer.capped and _choose(
        channels, replace(customer, reachable=customer.reachable_channels | customer.capped)
    ):
        return SKIP_CAPPED
    wanted = {channel for channel, _fallback in channels}
    if customer.refused & wanted:
        return SKIP_REFUSED
    if wanted == {"email"}:
        # Email alone: say precisely what is missing.
        return SKIP_BLACKLISTED if customer.email and customer.blacklisted else SKIP_NO_EMAIL
    return SKIP_NO_CHANNEL


def plan_run(
    customers: Iterable[Customer],
    invoices: Iterable[Invoice],
    policies: Iterable[Policy],
    run_date: date,
    precision: float = 0.01,
) -> RunPlan:
    """Decide a batch of customers; invoices of customers not in the batch are ignored."""
    policy_map = {policy.id: policy for policy in policies}
    per_customer: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in invoices:
        per_customer[invoice.customer_id].append(invoice)
    plan = RunPlan()
    for customer in sorted(customers, key=lambda c: c.id):
        own = per_customer.get(customer.id, [])
        plan.evaluated += len(own)
        decision, excluded = decide_customer(customer, own, policy_map, run_date, precision)
        for reason, count in excluded.items():
            plan.excluded[reason] = plan.excluded.get(reason, 0) + count
        if decision.action != "none":
            plan.decisions.append(decision)
    return plan
