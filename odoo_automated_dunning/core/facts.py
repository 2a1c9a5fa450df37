"""Plain data the dunning core decides on.

The Odoo models read records in batches into these dataclasses; nothing here knows about
the ORM, so every rule can be tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

TONES = ("friendly", "persuasive", "formal", "final")
DELAY_UNITS = ("day", "week", "month")
PARTNER_TYPES = ("any", "company", "individual")
# One vocabulary for every channel: levels, reminders, consent and frequency rules.
CHANNELS = ("email", "letter", "sms", "call")
# Channels an optional bridge addon brings (odoo_automated_dunning_voice: automated calls):
# the engine and the frequency rules know them; the main addon's selections do not offer them.
OPTIONAL_CHANNELS = ("voice",)
ALL_CHANNELS = CHANNELS + OPTIONAL_CHANNELS
# A collector's call and an automated call are both calls for the frequency rules.
CALL_CHANNELS = frozenset({"call", "voice"})
CALL_OUTCOMES = ("reached", "no_answer", "wrong_number", "dispute", "promise")
# Call outcomes that are a conversation with the customer (quiet days after one).
CONVERSATION_OUTCOMES = frozenset({"reached", "promise", "dispute"})

# The labels the Odoo selections show (translated there); keyed by the values above.
TONE_LABELS = {
    "friendly": "Friendly",
    "persuasive": "Persuasive",
    "formal": "Formal",
    "final": "Final notice",
}
CHANNEL_LABELS = {
    "email": "Email",
    "letter": "Letter",
    "sms": "SMS",
    "call": "Phone call",
    "voice": "Automated call",
}
CALL_OUTCOME_LABELS = {
    "reached": "Reached",
    "no_answer": "No answer",
    "wrong_number": "Wrong number",
    "dispute": "Dispute raised",
    "promise": "Promise to pay",
}


def selection(values, labels):
    """An Odoo selection list [(value, label)] in the order of ``values``."""
    return [(value, labels[value]) for value in values]


@dataclass(frozen=True)
class Level:
    id: int
    name: str
    delay: int
    delay_unit: str = "day"
    tone: str = "friendly"
    # The customer's overdue total under the policy (company currency) must reach this.
    minimum_amount: float = 0.0
    # Days that must pass since the invoice's previous reminder before this level.
    minimum_gap_days: int = 0
    # (channel, fallback) in order; a fallback channel is used only when none of the
    # channels above it could reach the customer.
    channels: tuple[tuple[str, bool], ...] = (("email", False),)


@dataclass(frozen=True)
class Policy:
    id: int
    name: str
    levels: tuple[Level, ...]  # in escalation order
    sequence: int = 10
    journal_ids: frozenset[int] = frozenset()
    payment_term_ids: frozenset[int] = frozenset()
    product_category_ids: frozenset[int] = frozenset()  # already expanded to child categories
    partner_category_ids: frozenset[int] = frozenset()
    partner_type: str = "any"
    minimum_amount: float = 0.0  # per invoice, company currency
    minimum_risk_score: float = 0.0  # the customer's payment behaviour score must reach it
    # None: the policy has no domain; otherwise the ids of the evaluated invoices it matches.
    domain_invoice_ids: frozenset[int] | None = None


@dataclass(frozen=True)
class Invoice:
    id: int
    customer_id: int  # the commercial partner
    due_date: date  # earliest due date among its open installments
    residual: float  # in the invoice's currency
    residual_company: float  # in the company's currency
    currency_id: int
    amount_total_company: float = 0.0
    journal_id: int = 0
    payment_term_id: int | None = None
    product_category_ids: frozenset[int] = frozenset()
    level_id: int | None = None  # the last level sent for it
    last_date: date | None = None  # when that level was sent
    disputed: bool = False
    no_followup: bool = False
    # An open promise to pay covers it until this date (promised date plus grace days).
    promised_until: date | None = None
    # A promise covering it was broken and has not been followed by a reminder yet.
    promise_broken: bool = False
    # An active installment plan covers it: the plan's own reminders replace dunning.
    in_plan: bool = False


@dataclass(frozen=True)
class Customer:
    id: int
    policy_id: int | None = None  # the customer's own policy wins over matching
    category_ids: frozenset[int] = frozenset()
    is_company: bool = True
    # All open receivable items, payments and credit notes included (company currency).
    net_balance: float = 0.0
    pause_until: date | None = None
    email: str | None = None
    blacklisted: bool = False
    risk_score: float = 0.0
    # Channels the customer can be reached on (an address, a number, not blacklisted);
    # None means email only, when there is an email that is not blacklisted.
    reachable: frozenset[str] | None = None
    # Channels that would reach it but are held back by a frequency cap.
    capped: frozenset[str] = frozenset()
    # Which rule holds each capped channel back, for the audit trail ("call: Regulation F").
    held_notes: tuple[str, ...] = ()
    # Channels the customer refused (consent ledger): never used.
    refused: frozenset[str] = frozenset()
    # Objected to processing (GDPR art. 21) on every channel: no reminder at all.
    objected: bool = False

    @property
    def reachable_channels(self) -> frozenset[str]:
        if self.reachable is not None:
            return self.reachable
        return frozenset({"email"}) if self.email and not self.blacklisted else frozenset()


@dataclass(frozen=True)
class LineDecision:
    invoice: Invoice
    policy_id: int
    level: Level | None  # the invoice's level after this run
    previous_level: Level | None
    escalated: bool
    days_overdue: int
    next_date: date | None  # when the next level becomes due, if any


@dataclass
class CustomerDecision:
    customer: Customer
    action: str  # "send", "skip" or "none"
    skip_reason: str | None = None
    level: Level | None = None  # the level whose tone and template the message uses
    policy_id: int | None = None
    lines: list[LineDecision] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)  # the channels to send on, in order

    @property
    def escalated_lines(self) -> list[LineDecision]:
        return [line for line in self.lines if line.escalated]


@dataclass
class RunPlan:
    decisions: list[CustomerDecision] = field(default_factory=list)
    evaluated: int = 0
    # Invoices left out before any customer decision, by reason.
    excluded: dict[str, int] = field(default_factory=dict)

    def to_send(self) -> list[CustomerDecision]:
        return [d for d in self.decisions if d.action == "send"]

    def skipped(self) -> list[CustomerDecision]:
        return [d for d in self.decisions if d.action == "skip"]
