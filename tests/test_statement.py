"""The customer statement: ageing buckets, running balance, currencies kept apart."""

from datetime import date, timedelta

import pytest

from odoo_automated_dunning.core import BUCKETS, OpenItem, bucket_of, build_statement

AS_OF = date(2025, 6, 30)


@pytest.mark.parametrize(
    ("days_late", "bucket"),
    [
        (-5, "not_due"),
        (0, "not_due"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "over_90"),
        (400, "over_90"),
    ],
)
def test_bucket_boundaries(days_late, bucket):
    assert bucket_of(AS_OF - timedelta(days=days_late), AS_OF) == bucket


def _item(item_id, days_late, amount, currency="EUR", original=None):
    due = AS_OF - timedelta(days=days_late)
    return OpenItem(
        id=item_id,
        document=f"DOC{item_id}",
        date=due,
        due_date=due,
        currency=currency,
        original=amount if original is None else original,
        open_amount=amount,
    )


def test_running_balance_and_bucket_totals_with_a_credit_note():
    items = [
        _item(3, 10, 300.0),
        _item(1, 100, 1000.0, original=1500.0),  # partly paid
        _item(2, 45, 450.0),
        _item(4, -5, 200.0),  # not due yet
        _item(5, 20, -120.0),  # a credit note
    ]
    (statement,) = build_statement(items, AS_OF)

    assert [row.item.id for row in statement.rows] == [1, 2, 5, 3, 4]
    assert [row.balance for row in statement.rows] == [1000.0, 1450.0, 1330.0, 1630.0, 1830.0]
    assert [row.days_overdue for row in statement.rows] == [100, 45, 0, 10, 0]
    assert statement.buckets == {
        "not_due": 200.0,
        "1_30": 180.0,
        "31_60": 450.0,
        "61_90": 0.0,
        "over_90": 1000.0,
    }
    assert statement.balance == sum(statement.buckets.values()) == 1830.0


def test_currencies_are_never_added_up():
    statements = build_statement([_item(1, 10, 100.0, "USD"), _item(2, 10, 50.0, "EUR")], AS_OF)
    assert [(s.currency, s.balance) for s in statements] == [("EUR", 50.0), ("USD", 100.0)]
    assert all(set(s.buckets) == set(BUCKETS) for s in statements)


def test_rounding_keeps_cents_exact():
    (statement,) = build_statement([_item(i, 10, 0.1) for i in range(1, 4)], AS_OF)
    assert statement.balance == 0.3
