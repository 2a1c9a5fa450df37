"""The reference rates shipped as seed data: well-formed, in order and consistent."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from odoo_automated_dunning.core.charges import (
    REFERENCES,
    MissingRateError,
    RatePoint,
    rate_in_force,
    rate_points,
)
from odoo_automated_dunning.core.rates_seed import RATES

POINTS = rate_points()


def test_rows_are_well_formed():
    for reference, day, rate in RATES:
        assert reference in REFERENCES
        date.fromisoformat(day)
        assert Decimal(rate).as_tuple().exponent == -2, (reference, day, rate)


def test_rows_are_sorted_without_duplicates():
    keys = [(reference, day) for reference, day, _rate in RATES]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_each_reference_covers_2012_onwards():
    for reference in REFERENCES:
        rate_in_force(reference, date(2012, 1, 1), POINTS)


def test_bundesbank_base_rate_has_one_row_per_half_year():
    days = [date.fromisoformat(day) for ref, day, _rate in RATES if ref == "de_base"]
    expected = [date(year, month, 1) for year in range(2012, 2027) for month in (1, 7)][:-1]
    assert days == expected


def test_base_rate_moves_by_the_ecb_rates_change_since_the_previous_half_year():
    # BGB 247: the base rate changes on 1 Jan / 1 Jul by the points the ECB main refinancing
    # rate moved since; a typo in either series breaks this.
    days = [date.fromisoformat(day) for ref, day, _rate in RATES if ref == "de_base"]
    for previous, day in zip(days, days[1:], strict=False):
        base_change = rate_in_force("de_base", day, POINTS) - rate_in_force(
            "de_base", previous, POINTS
        )
        ecb_change = rate_in_force("ecb_mro", day - timedelta(days=1), POINTS) - rate_in_force(
            "ecb_mro", previous - timedelta(days=1), POINTS
        )
        assert base_change == ecb_change, day


@pytest.mark.parametrize(
    ("reference", "change_day", "before", "after"),
    [
        ("ecb_mro", date(2023, 6, 21), "3.75", "4.00"),
        ("ecb_mro", date(2016, 3, 16), "0.05", "0.00"),
        ("de_base", date(2024, 7, 1), "3.62", "3.37"),
        ("de_base", date(2013, 1, 1), "0.12", "-0.13"),
        ("boe_base", date(2024, 8, 1), "5.25", "5.00"),
        ("boe_base", date(2020, 3, 19), "0.25", "0.10"),
    ],
)
def test_rate_in_force_from_its_day_not_the_day_before(reference, change_day, before, after):
    assert rate_in_force(reference, change_day - timedelta(days=1), POINTS) == Decimal(before)
    assert rate_in_force(reference, change_day, POINTS) == Decimal(after)
    # and until the next change
    assert rate_in_force(reference, change_day + timedelta(days=10), POINTS) == Decimal(after)


def test_rate_in_force_ignores_the_order_of_points_and_other_references():
    points = [
        RatePoint("ecb_mro", date(2024, 1, 1), "2.0"),
        RatePoint("boe_base", date(2024, 3, 1), 9.0),
        RatePoint("ecb_mro", date(2023, 1, 1), 1.5),
    ]
    assert rate_in_force("ecb_mro", date(2024, 6, 1), points) == Decimal("2.0")
    assert rate_in_force("ecb_mro", date(2023, 6, 1), points) == Decimal("1.5")


def test_rate_before_the_first_point_is_missing():
    # A half-yearly reference needs the point of the half-year: it names its first day.
    with pytest.raises(MissingRateError) as error:
        rate_in_force("de_base", date(2011, 12, 31), POINTS)
    assert str(error.value) == (
        "No Bundesbank base rate (de_base) is in force on 2011-07-01: add the rate published "
        "for that date to the reference rates."
    )
