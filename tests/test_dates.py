"""When a reminder level falls due: month arithmetic, delays and gaps."""

import ast
import sys
from datetime import date
from pathlib import Path

import pytest

from odoo_automated_dunning import core
from odoo_automated_dunning.core import Invoice, Level, add_delay, add_months, next_level_date


def test_core_loads_without_odoo():
    assert "odoo" not in sys.modules
    for path in Path(core.__path__[0]).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "odoo" for name in names), path.name


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),  # clamped to February's end
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day, next year has none
        (date(2025, 3, 31), 1, date(2025, 4, 30)),  # 30-day month
        (date(2025, 1, 15), 1, date(2025, 2, 15)),  # no clamping needed
        (date(2025, 11, 30), 3, date(2026, 2, 28)),  # across the year end
        (date(2025, 12, 31), 1, date(2026, 1, 31)),
        (date(2025, 1, 31), 0, date(2025, 1, 31)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),  # backwards, clamped too
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("delay", "unit", "expected"),
    [
        (0, "day", date(2025, 1, 31)),
        (10, "day", date(2025, 2, 10)),
        (1, "week", date(2025, 2, 7)),
        (2, "week", date(2025, 2, 14)),
        (1, "month", date(2025, 2, 28)),
        (2, "month", date(2025, 3, 31)),
    ],
)
def test_add_delay_by_unit(delay, unit, expected):
    assert add_delay(date(2025, 1, 31), delay, unit) == expected


def test_add_delay_unknown_unit_names_it_and_the_valid_units():
    with pytest.raises(ValueError, match=r"Unknown delay unit 'fortnight'") as error:
        add_delay(date(2025, 1, 31), 1, "fortnight")
    assert "day, week or month" in str(error.value)


def _invoice(due_date, last_date=None):
    return Invoice(
        id=1,
        customer_id=1,
        due_date=due_date,
        residual=100.0,
        residual_company=100.0,
        currency_id=1,
        level_id=None if last_date is None else 99,
        last_date=last_date,
    )


@pytest.mark.parametrize(
    ("delay", "unit", "expected"),
    [
        (10, "day", date(2025, 1, 25)),
        (2, "week", date(2025, 1, 29)),
        (1, "month", date(2025, 2, 15)),
    ],
)
def test_next_level_date_counts_the_delay_from_the_due_date(delay, unit, expected):
    level = Level(id=1, name="Reminder", delay=delay, delay_unit=unit)
    assert next_level_date(_invoice(date(2025, 1, 15)), level) == expected


def test_next_level_date_month_delay_clamps_at_month_end():
    level = Level(id=1, name="Reminder", delay=1, delay_unit="month")
    assert next_level_date(_invoice(date(2025, 1, 31)), level) == date(2025, 2, 28)


def test_zero_day_delay_still_waits_until_the_day_after_the_due_date():
    level = Level(id=1, name="Reminder", delay=0)
    assert next_level_date(_invoice(date(2025, 1, 15)), level) == date(2025, 1, 16)


def test_minimum_gap_counts_from_the_last_reminder():
    # Delay long passed (due 1 Jan + 5 days), but the last reminder went out on 1 March.
    level = Level(id=2, name="Second", delay=5, minimum_gap_days=10)
    invoice = _invoice(date(2025, 1, 1), last_date=date(2025, 3, 1))
    assert next_level_date(invoice, level) == date(2025, 3, 11)


def test_delay_wins_when_it_ends_after_the_gap():
    level = Level(id=2, name="Second", delay=30, minimum_gap_days=3)
    invoice = _invoice(date(2025, 1, 1), last_date=date(2025, 1, 10))
    assert next_level_date(invoice, level) == date(2025, 1, 31)


def test_zero_gap_never_allows_the_same_day_as_the_last_reminder():
    level = Level(id=2, name="Second", delay=5, minimum_gap_days=0)
    invoice = _invoice(date(2025, 1, 1), last_date=date(2025, 3, 1))
    assert next_level_date(invoice, level) == date(2025, 3, 2)
