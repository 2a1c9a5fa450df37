"""A customer statement: every open item with its ageing bucket and the running balance.

Amounts are signed as the customer sees them: what it owes is positive, credit notes and
unapplied payments are negative. Currencies are never added up: each has its own rows,
running balance and bucket totals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

NOT_DUE = "not_due"
BUCKETS = (NOT_DUE, "1_30", "31_60", "61_90", "over_90")


@dataclass(frozen=True)
class OpenItem:
    id: int
    document: str
    date: date
    due_date: date
    currency: str
    original: float  # the item's full amount, signed
    open_amount: float  # what is still open, signed


@dataclass(frozen=True)
class StatementRow:
    item: OpenItem
    days_overdue: int  # 0 when not due, and for credits
    bucket: str
    balance: float  # running balance in the item's currency, this row included


@dataclass
class CurrencyStatement:
    currency: str
    rows: list[StatementRow] = field(default_factory=list)
    buckets: dict[str, float] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0.0))

    @property
    def balance(self) -> float:
        return self.rows[-1].balance if self.rows else 0.0


def bucket_of(due_date: date, as_of: date) -> str:
    """The ageing bucket by days past the due date: due today is not yet overdue."""
    days = (as_of - due_date).days
    if days <= 0:
        return NOT_DUE
    if days <= 30:
        return "1_30"
    if days <= 60:
        return "31_60"
    if days <= 90:
        return "61_90"
    return "over_90"


def build_statement(items: list[OpenItem], as_of: date, digits: int = 2) -> list[CurrencyStatement]:
    """One statement per currency, items by due date then date, with running balances."""
    per_currency: dict[str, list[OpenItem]] = defaultdict(list)
    for item in items:
        per_currency[item.currency].append(item)
    statements = []
    for currency in sorted(per_currency):
        statement = CurrencyStatement(currency=currency)
        balance = 0.0
        for item in sorted(per_currency[currency], key=lambda i: (i.due_date, i.date, i.id)):
            balance = round(balance + item.open_amount, digits)
            bucket = bucket_of(item.due_date, as_of)
            overdue = max((as_of - item.due_date).days, 0) if item.open_amount > 0 else 0
            statement.rows.append(StatementRow(item, overdue, bucket, balance))
            statement.buckets[bucket] = round(statement.buckets[bucket] + item.open_amount, digits)
        statements.append(statement)
    return statements
