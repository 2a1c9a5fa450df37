"""Statutory interest, fixed compensation, collection costs and reminder fees, to the cent.

Every amount is worked out by hand in the comment next to it: interest of a period is
principal x rate / 100 x days / 365, rounded half-up to the cent; days count both ends.
"""

import pickle
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from odoo_automated_dunning.core.charges import (
    RULE_SETS,
    Charge,
    MissingRateError,
    PrincipalSchedule,
    RatePoint,
    collection_costs,
    convert,
    fixed_compensation,
    interest,
    interest_rate,
    level_fee,
    no_interest_reason,
    notice_deadline,
    rate_in_force,
    rate_points,
    total_interest,
)

POINTS = rate_points()
EU, DE, FR, UK, NL, BE, NONE = (
    RULE_SETS[code] for code in ("eu", "de", "fr", "uk", "nl", "be", "none")
)
D = Decimal


def _rows(periods):
    return [(p.start, p.end, p.days, p.principal, p.rate, p.amount) for p in periods]


# Interest -------------------------------------------------------------------------------


def test_eu_business_invoice_across_the_half_year_takes_each_half_years_rate():
    periods = interest(EU, D("10000.00"), date(2023, 5, 15), date(2023, 9, 30), POINTS, False)
    assert _rows(periods) == [
        # ECB on 1 Jan 2023: 2.50 (since 21 Dec 2022) + 8 = 10.50%; 16 May-30 Jun = 16 + 30 = 46
        # days: 10,000 x 10.5% x 46 / 365 = 48,300 / 365 = 132.3287 -> 132.33
        (date(2023, 5, 16), date(2023, 6, 30), 46, D("10000.00"), D("10.50"), D("132.33")),
        # ECB on 1 Jul 2023: 4.00 (since 21 Jun 2023) + 8 = 12.00%; Jul-Sep = 31 + 31 + 30 = 92
        # days: 10,000 x 12% x 92 / 365 = 110,400 / 365 = 302.4658 -> 302.47
        (date(2023, 7, 1), date(2023, 9, 30), 92, D("10000.00"), D("12.00"), D("302.47")),
    ]
    assert periods[1].reference_rate == D("4.00")
    assert total_interest(periods) == D("434.80")


def test_float_and_decimal_inputs_give_the_same_cents():
    as_float = interest(EU, 10000.0, date(2023, 5, 15), date(2023, 9, 30), POINTS, False)
    as_decimal = interest(EU, D("10000"), date(2023, 5, 15), date(2023, 9, 30), POINTS, False)
    assert [p.amount for p in as_float] == [p.amount for p in as_decimal]


def test_no_interest_up_to_the_due_date_and_from_the_day_after():
    assert interest(EU, 1000, date(2023, 5, 15), date(2023, 5, 15), POINTS, False) == []
    # One day, 16 May 2023: 1,000 x 10.5% x 1 / 365 = 0.2877 -> 0.29
    (period,) = interest(EU, 1000, date(2023, 5, 15), date(2023, 5, 16), POINTS, False)
    assert (period.start, period.days, period.amount) == (date(2023, 5, 16), 1, D("0.29"))


def test_germany_business_debtor_base_rate_plus_9_over_the_july_reset():
    periods = interest(DE, D("5000.00"), date(2023, 5, 31), date(2023, 8, 15), POINTS, False)
    assert _rows(periods) == [
        # base rate H1 2023 1.62 + 9 = 10.62%; June = 30 days:
        # 5,000 x 10.62% x 30 / 365 = 15,930 / 365 = 43.6438 -> 43.64
        (date(2023, 6, 1), date(2023, 6, 30), 30, D("5000.00"), D("10.62"), D("43.64")),
        # base rate H2 2023 3.12 + 9 = 12.12%; 1 Jul-15 Aug = 31 + 15 = 46 days:
        # 5,000 x 12.12% x 46 / 365 = 27,876 / 365 = 76.3726 -> 76.37
        (date(2023, 7, 1), date(2023, 8, 15), 46, D("5000.00"), D("12.12"), D("76.37")),
    ]
    assert total_interest(periods) == D("120.01")


def test_germany_consumer_base_rate_plus_5():
    periods = interest(DE, D("5000.00"), date(2023, 5, 31), date(2023, 8, 15), POINTS, True)
    # 1.62 + 5 = 6.62%: 5,000 x 6.62% x 30 / 365 = 9,930 / 365 = 27.2055 -> 27.21
    # 3.12 + 5 = 8.12%: 5,000 x 8.12% x 46 / 365 = 18,676 / 365 = 51.1671 -> 51.17
    assert [(p.rate, p.amount) for p in periods] == [
        (D("6.62"), D("27.21")),
        (D("8.12"), D("51.17")),
    ]
    assert total_interest(periods) == D("78.38")


def test_germany_negative_base_rate_lowers_the_legal_rate():
    args = (D("1000.00"), date(2014, 3, 31), date(2014, 8, 31), POINTS)
    business = interest(DE, *args, False)
    # H1 2014: -0.63 + 9 = 8.37%; Apr-Jun = 30 + 31 + 30 = 91 days:
    # 1,000 x 8.37% x 91 / 365 = 7,616.7 / 365 = 20.8677 -> 20.87
    # H2 2014: -0.73 + 9 = 8.27%; Jul-Aug = 62 days: 82.7 x 62 / 365 = 14.0477 -> 14.05
    assert [(p.days, p.reference_rate, p.rate, p.amount) for p in business] == [
        (91, D("-0.63"), D("8.37"), D("20.87")),
        (62, D("-0.73"), D("8.27"), D("14.05")),
    ]
    assert total_interest(business) == D("34.92")
    consumer = interest(DE, *args, True)
    # 4.37%: 43.7 x 91 / 365 = 3,976.7 / 365 = 10.8951 -> 10.90
    # 4.27%: 42.7 x 62 / 365 = 2,647.4 / 365 = 7.2532 -> 7.25
    assert [(p.rate, p.amount) for p in consumer] == [
        (D("4.37"), D("10.90")),
        (D("4.27"), D("7.25")),
    ]


def test_a_legal_rate_below_zero_counts_as_zero():
    # A (hypothetical) margin of 0.5 over the 2020 base rate of -0.88 gives -0.38%: no interest,
    # and certainly no money owed to the debtor.
    low_margin = replace(DE, margin=D("0.5"))
    periods = interest(low_margin, 1000, date(2020, 1, 31), date(2020, 3, 31), POINTS, False)
    assert [(p.reference_rate, p.rate, p.amount) for p in periods] == [
        (D("-0.88"), D(0), D("0.00"))
    ]


def test_uk_rate_fixed_on_30_june_before_the_debt_fell_late_survives_later_cuts():
    # Late from 11 Aug 2023 (second half of 2023): Bank Rate on 30 Jun 2023 = 5.00 (since 22 Jun;
    # the rise to 5.25 on 3 Aug does not count) + 8 = 13%, kept through the 2024 cuts.
    periods = interest(UK, D("2500.00"), date(2023, 8, 10), date(2024, 12, 31), POINTS, False)
    # One period: 11 Aug-31 Dec 2023 = 21 + 30 + 31 + 30 + 31 = 143 days, 2024 = 366 days;
    # 509 days: 2,500 x 13% x 509 / 365 = 165,425 / 365 = 453.2192 -> 453.22
    assert _rows(periods) == [
        (date(2023, 8, 11), date(2024, 12, 31), 509, D("2500.00"), D("13.00"), D("453.22"))
    ]


@pytest.mark.parametrize(
    ("due_date", "expected"),
    [
        # late from 21 Jun 2023 (first half): Bank Rate on 31 Dec 2022 = 3.50 -> 11.50
        (date(2023, 6, 20), D("11.50")),
        # due 30 Jun, late from 1 Jul 2023: Bank Rate on 30 Jun 2023 = 5.00 -> 13.00
        (date(2023, 6, 30), D("13.00")),
        # due 31 Dec 2023, late from 1 Jan 2024: Bank Rate on 31 Dec 2023 = 5.25 -> 13.25
        (date(2023, 12, 31), D("13.25")),
    ],
)
def test_uk_reference_is_the_rate_on_the_last_day_of_the_previous_half_year(due_date, expected):
    assert interest_rate(UK, date(2025, 6, 1), POINTS, False, due_date) == expected


def test_netherlands_compounds_the_first_years_interest_into_the_principal():
    periods = interest(NL, D("10000.00"), date(2022, 12, 31), date(2024, 12, 31), POINTS, False)
    assert _rows(periods) == [
        # 2.50 + 8 = 10.50%, 181 days: 1,050 x 181 / 365 = 520.6849 -> 520.68
        (date(2023, 1, 1), date(2023, 6, 30), 181, D("10000.00"), D("10.50"), D("520.68")),
        # 4.00 + 8 = 12.00%, 184 days: 1,200 x 184 / 365 = 604.9315 -> 604.93
        (date(2023, 7, 1), date(2023, 12, 31), 184, D("10000.00"), D("12.00"), D("604.93")),
        # a year of default on 1 Jan 2024: principal 10,000 + 520.68 + 604.93 = 11,125.61
        # 4.50 + 8 = 12.50%, 182 days (leap February):
        # 11,125.61 x 12.5% x 182 / 365 = 253,107.6275 / 365 = 693.4456 -> 693.45
        (date(2024, 1, 1), date(2024, 6, 30), 182, D("11125.61"), D("12.50"), D("693.45")),
        # 4.25 (since 12 Jun 2024) + 8 = 12.25%, 184 days:
        # 11,125.61 x 12.25% x 184 / 365 = 250,771.2494 / 365 = 687.0445 -> 687.04
        (date(2024, 7, 1), date(2024, 12, 31), 184, D("11125.61"), D("12.25"), D("687.04")),
    ]
    assert total_interest(periods) == D("2506.10")


def test_no_compounding_outside_the_netherlands():
    periods = interest(EU, D("10000.00"), date(2022, 12, 31), date(2024, 12, 31), POINTS, False)
    assert {p.principal for p in periods} == {D("10000.00")}


def test_partial_payment_splits_the_period_the_day_after_it():
    schedule = PrincipalSchedule(
        D("10000.00"), ((date(2023, 6, 15), D("4000.00")), (date(2023, 9, 30), D("6000.00")))
    )
    periods = interest(EU, schedule, date(2023, 5, 15), date(2023, 12, 31), POINTS, False)
    assert _rows(periods) == [
        # through the payment day: 16 May-15 Jun = 31 days on 10,000 at 10.50%:
        # 1,050 x 31 / 365 = 32,550 / 365 = 89.1781 -> 89.18
        (date(2023, 5, 16), date(2023, 6, 15), 31, D("10000.00"), D("10.50"), D("89.18")),
        # 16-30 Jun = 15 days on 6,000: 630 x 15 / 365 = 9,450 / 365 = 25.8904 -> 25.89
        (date(2023, 6, 16), date(2023, 6, 30), 15, D("6000.00"), D("10.50"), D("25.89")),
        # Jul-Sep = 92 days on 6,000 at 12%: 720 x 92 / 365 = 66,240 / 365 = 181.4795 -> 181.48
        (date(2023, 7, 1), date(2023, 9, 30), 92, D("6000.00"), D("12.00"), D("181.48")),
        # nothing after the payment in full on 30 Sep, though the run is on 31 Dec
    ]
    assert total_interest(periods) == D("296.55")


def test_charged_until_never_charges_a_day_twice():
    args = (D("10000.00"), date(2023, 5, 15))
    first_run = interest(EU, *args, date(2023, 8, 31), POINTS, False)
    # 132.33 as above + 1 Jul-31 Aug = 62 days: 1,200 x 62 / 365 = 203.8356 -> 203.84
    assert [p.amount for p in first_run] == [D("132.33"), D("203.84")]
    second_run = interest(
        EU, *args, date(2023, 9, 30), POINTS, False, charged_until=date(2023, 8, 31)
    )
    # September only, 30 days: 1,200 x 30 / 365 = 98.6301 -> 98.63
    assert _rows(second_run) == [
        (date(2023, 9, 1), date(2023, 9, 30), 30, D("10000.00"), D("12.00"), D("98.63"))
    ]
    # Both runs add up to the single run of the first test.
    assert total_interest(first_run) + total_interest(second_run) == D("434.80")
    # A run with nothing new charges nothing.
    assert (
        interest(EU, *args, date(2023, 8, 31), POINTS, False, charged_until=date(2023, 8, 31)) == []
    )


def test_charged_until_keeps_the_compounded_principal():
    periods = interest(
        NL,
        D("10000.00"),
        date(2022, 12, 31),
        date(2024, 12, 31),
        POINTS,
        False,
        charged_until=date(2023, 12, 31),
    )
    # Only 2024 is charged, still on 11,125.61 (see the compounding test).
    assert [(p.start, p.principal, p.amount) for p in periods] == [
        (date(2024, 1, 1), D("11125.61"), D("693.45")),
        (date(2024, 7, 1), D("11125.61"), D("687.04")),
    ]


def test_missing_rate_names_the_reference_and_the_date():
    # H1 2011 needs the ECB rate on 1 Jan 2011; the seed data starts on 14 Dec 2011.
    with pytest.raises(MissingRateError) as error:
        interest(EU, 1000, date(2011, 5, 15), date(2011, 6, 30), POINTS, False)
    assert (error.value.reference, error.value.day) == ("ecb_mro", date(2011, 1, 1))
    message = str(error.value)
    assert "ecb_mro" in message and "2011-01-01" in message and "add the rate" in message
    assert isinstance(error.value, ValueError)
    # It survives pickling (e.g. to a job queue) with its attributes.
    copy = pickle.loads(pickle.dumps(error.value))
    assert (copy.reference, copy.day, str(copy)) == ("ecb_mro", date(2011, 1, 1), message)


def test_missing_rate_when_no_point_of_that_reference_is_known():
    only_ecb = (RatePoint("ecb_mro", date(2020, 1, 1), D(0)),)
    with pytest.raises(MissingRateError, match=r"de_base.*2023-07-01"):
        interest(DE, 1000, date(2023, 7, 31), date(2023, 8, 31), only_ecb, False)


@pytest.mark.parametrize(
    ("rule_set", "reason"),
    [
        (FR, "France: ECB rate + 10 points applies between businesses only"),
        (UK, "United Kingdom: the Late Payment Act's interest applies to business debts only"),
        (NL, "Netherlands: a consumer owes the non-commercial statutory rate (BW 6:119)"),
        (EU, "EU directive 2011/7: its late-payment interest applies between businesses only"),
    ],
)
def test_no_ecb_or_bank_rate_interest_for_consumers_where_the_law_has_none(rule_set, reason):
    assert interest(rule_set, 1000, date(2023, 5, 15), date(2023, 9, 30), POINTS, True) == []
    assert no_interest_reason(rule_set, True).startswith(reason)
    assert no_interest_reason(rule_set, False) is None


def test_no_interest_at_all_under_the_none_rule_set():
    assert interest(NONE, 1000, date(2023, 5, 15), date(2023, 9, 30), POINTS, False) == []
    assert (
        no_interest_reason(NONE, False)
        == "No statutory charges: no late-payment interest under this rule set."
    )


def test_belgian_consumer_interest_waits_for_the_free_reminders_term():
    args = (D("1000.00"), date(2025, 2, 28), date(2025, 4, 30), POINTS, True)
    assert interest(BE, *args) == []
    assert no_interest_reason(BE, True) == (
        "Belgium: no free first reminder sent; nothing may be charged to a consumer before its "
        "term has expired."
    )
    # Reminder sent Friday 7 Mar 2025: third working day Wednesday 12 Mar, + 14 days = 26 Mar.
    # Interest from 27 Mar: 5 + 30 = 35 days at ECB on 1 Jan 2025 3.15 + 8 = 11.15%:
    # 1,000 x 11.15% x 35 / 365 = 3,902.5 / 365 = 10.6918 -> 10.69
    (period,) = interest(BE, *args, notice_date=date(2025, 3, 7))
    assert (period.start, period.days, period.rate, period.amount) == (
        date(2025, 3, 27),
        35,
        D("11.15"),
        D("10.69"),
    )
    # A business debtor owes it from the day after the due date.
    assert interest(BE, *args[:-1], False)[0].start == date(2025, 3, 1)


# Fixed compensation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("debt", "expected"),
    [("999.99", "40.00"), ("1000.00", "70.00"), ("9999.99", "70.00"), ("10000.00", "100.00")],
)
def test_uk_fixed_sum_by_size_of_debt(debt, expected):
    assert fixed_compensation(UK, D(debt), False) == Charge(D(expected), None)


@pytest.mark.parametrize("rule_set", [EU, DE, FR, NL, BE])
def test_eur_40_per_late_business_invoice(rule_set):
    assert fixed_compensation(rule_set, 12.5, False) == Charge(D("40.00"), None)
    assert fixed_compensation(rule_set, 250000, False) == Charge(D("40.00"), None)


@pytest.mark.parametrize(
    ("rule_set", "reason"),
    [
        (FR, "France: out-of-court collection costs may not be passed on to a consumer."),
        (
            DE,
            "Germany: the EUR 40 lump sum is for business debtors only; a consumer owes only proven damages.",
        ),
        (UK, "United Kingdom: the Late Payment Act's fixed sum applies to business debts only."),
    ],
)
def test_no_fixed_compensation_for_consumers(rule_set, reason):
    assert fixed_compensation(rule_set, 500, True) == Charge(D("0.00"), reason)


def test_no_fixed_compensation_without_a_debt_or_a_rule():
    assert fixed_compensation(EU, 0, False) == Charge(D("0.00"), "Nothing is owed on this invoice.")
    assert fixed_compensation(NONE, 500, False).amount == D("0.00")


# Reminder fees --------------------------------------------------------------------------


@pytest.mark.parametrize("is_consumer", [False, True])
def test_germany_first_reminder_is_free_later_ones_cost_the_fee(is_consumer):
    assert level_fee(DE, D("5.00"), is_consumer, 1) == Charge(
        D("0.00"), "Germany: the first reminder, which causes the default, may not be charged."
    )
    assert level_fee(DE, D("5.00"), is_consumer, 2, 10) == Charge(D("5.00"), None)


def test_france_no_reminder_fee_for_a_consumer():
    charge = level_fee(FR, 10, True, 2, 30)
    assert charge.amount == D("0.00") and charge.reason.startswith("France: reminder fees")
    assert level_fee(FR, 10, False, 1) == Charge(D("10.00"), None)


def test_netherlands_no_reminder_fee_for_a_consumer_only_the_wik_costs():
    charge = level_fee(NL, 10, True, 3, 30)
    assert charge.amount == D("0.00") and "WIK scale after the 14-day letter" in charge.reason
    assert level_fee(NL, 10, False, 1) == Charge(D("10.00"), None)


def test_belgium_consumer_reminders_first_free_then_14_days_apart_and_capped():
    assert level_fee(BE, 5, True, 1, postage=D("1.20")) == Charge(
        D("0.00"), "Belgium: the first reminder to a consumer is free."
    )
    assert level_fee(BE, 5, True, 2, 13, postage=D("1.20")) == Charge(
        D("0.00"),
        "Belgium: a charged reminder to a consumer needs at least 14 days since the previous "
        "one (13 so far).",
    )
    # 14 days: the fee of 5.00 is within the cap, postage on top: 5.00 + 1.20 = 6.20
    assert level_fee(BE, 5, True, 2, 14, postage=D("1.20")) == Charge(D("6.20"), None)
    # A fee of 10.00 is capped at 7.50, postage on top: 7.50 + 1.20 = 8.70
    assert level_fee(BE, 10, True, 3, 20, postage=D("1.20")) == Charge(
        D("8.70"), "Belgium: a reminder to a consumer costs at most EUR 7.50 plus postage."
    )
    # Business debtors: as configured, first reminder included.
    assert level_fee(BE, 10, False, 1, postage=D("1.20")) == Charge(D("11.20"), None)


def test_fees_as_configured_without_a_rule_and_nothing_when_none_configured():
    assert level_fee(NONE, 7.5, True, 1) == Charge(D("7.50"), None)
    assert level_fee(DE, 0, False, 1) == Charge(D("0.00"), None)
    with pytest.raises(ValueError, match="first reminder is number 1"):
        level_fee(EU, 5, False, 0)


# Collection costs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("200.00", "40.00"),  # 15% = 30.00, raised to the minimum of 40
        ("2000.00", "300.00"),  # 15% x 2,000
        ("2500.00", "375.00"),  # 15% x 2,500
        ("3000.00", "425.00"),  # 375 + 10% x 500
        ("5000.00", "625.00"),  # 375 + 10% x 2,500
        ("10000.00", "875.00"),  # 625 + 5% x 5,000
        ("250000.00", "3025.00"),  # 875 + 1% x 190,000 = 2,775; + 0.5% x 50,000 = 3,025
        ("1000000.00", "6775.00"),  # 2,775 + 0.5% x 800,000 = 6,775: the maximum exactly
        ("2000000.00", "6775.00"),  # 2,775 + 9,000 = 11,775, capped at 6,775
    ],
)
def test_netherlands_consumer_wik_scale(principal, expected):
    charge = collection_costs(NL, D(principal), True, date(2025, 3, 3), date(2025, 3, 19))
    assert charge.amount == D(expected)
    assert charge.reason.startswith("Netherlands: statutory collection costs (WIK scale) on ")


def test_netherlands_wik_only_after_the_14_day_letter_expired():
    # Letter of Monday 3 Mar 2025, received 4 Mar; 14 days from 5 Mar: may pay until 18 Mar.
    assert notice_deadline(NL, date(2025, 3, 3)) == date(2025, 3, 18)
    assert collection_costs(NL, 2000, True, date(2025, 3, 3), date(2025, 3, 18)) == Charge(
        D("0.00"),
        "Netherlands: the 14-day letter of 2025-03-03 has not expired; the consumer may pay "
        "until 2025-03-18.",
    )
    assert collection_costs(NL, 2000, True, date(2025, 3, 3), date(2025, 3, 19)).amount == D(
        "300.00"
    )
    assert collection_costs(NL, 2000, True, None, date(2025, 3, 19)) == Charge(
        D("0.00"),
        "Netherlands: no 14-day letter sent; nothing may be charged to a consumer before its "
        "term has expired.",
    )
    with pytest.raises(ValueError, match="today"):
        collection_costs(NL, 2000, True, date(2025, 3, 3))


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("100.00", "20.00"),  # up to 150: 20
        ("150.00", "20.00"),
        ("150.01", "30.00"),  # 30 + 10% x 0.01 = 30.001
        ("400.00", "55.00"),  # 30 + 10% x 250
        ("500.00", "65.00"),  # 30 + 10% x 350 = 65 = 65 + 5% x 0
        ("1000.00", "90.00"),  # 65 + 5% x 500
        ("38500.00", "1965.00"),  # 65 + 5% x 38,000
        ("50000.00", "2000.00"),  # 65 + 5% x 49,500 = 2,540, capped at 2,000
    ],
)
def test_belgium_consumer_damages_cap(principal, expected):
    # Free reminder sent Friday 7 Mar 2025: term until 26 Mar, so 27 Mar is the first day.
    charge = collection_costs(BE, D(principal), True, date(2025, 3, 7), date(2025, 3, 27))
    assert charge.amount == D(expected)
    assert charge.reason.startswith("Belgium: maximum damages on a consumer debt (Book XIX) on ")


def test_belgium_consumer_damages_wait_for_the_free_reminders_term():
    assert notice_deadline(BE, date(2025, 3, 7)) == date(2025, 3, 26)
    # Sent on a Monday: Tue, Wed, Thu -> third working day 13 Mar, + 14 = 27 Mar.
    assert notice_deadline(BE, date(2025, 3, 10)) == date(2025, 3, 27)
    assert collection_costs(BE, 400, True, date(2025, 3, 7), date(2025, 3, 26)).amount == D("0.00")
    assert collection_costs(BE, 400, True, None, date(2025, 3, 26)).reason.startswith(
        "Belgium: no free first reminder sent"
    )


def test_collection_costs_business_debtors_get_the_fixed_compensation():
    assert collection_costs(NL, 2000, False) == Charge(D("40.00"), None)
    assert collection_costs(UK, 5000, False) == Charge(D("70.00"), None)


def test_collection_costs_refused_for_consumers_elsewhere():
    assert collection_costs(FR, 2000, True) == Charge(
        D("0.00"), "France: out-of-court collection costs may not be passed on to a consumer."
    )
    assert collection_costs(DE, 2000, True).amount == D("0.00")
    assert collection_costs(NONE, 2000, True).amount == D("0.00")


def test_amounts_round_to_the_currencys_digits():
    # A currency without cents: 1,000 x 10.5% x 46 / 365 = 13.2329 -> 13
    (period, _) = interest(EU, 1000, date(2023, 5, 15), date(2023, 9, 30), POINTS, False, digits=0)
    assert period.amount == D("13")
    assert fixed_compensation(EU, 500, False, digits=0).amount == D("40")


def test_a_half_year_without_its_german_base_rate_is_a_missing_rate():
    points = rate_points([("de_base", "2025-07-01", "1.27")])
    assert rate_in_force("de_base", date(2025, 12, 31), points) == Decimal("1.27")
    with pytest.raises(MissingRateError) as caught:
        rate_in_force("de_base", date(2026, 3, 1), points)
    assert caught.value.day == date(2026, 1, 1)
    assert "de_base" in str(caught.value)
    # The ECB rate changes on irregular dates: the last change stays in force.
    ecb = rate_points([("ecb_mro", "2025-06-11", "2.15")])
    assert rate_in_force("ecb_mro", date(2026, 3, 1), ecb) == Decimal("2.15")


# ---------------------------------------------------------------- one currency per reminder


def test_law_amounts_convert_into_the_invoices_currency_half_up():
    # EUR 40 at 0.8565 GBP per EUR = 34.26; EUR 5 at 1.16345 USD = 5.817 -> 5.82.
    assert convert(Decimal(40), Decimal("0.8565")) == Decimal("34.26")
    assert convert(Decimal(5), 1.16345) == Decimal("5.82")
    # A currency without cents.
    assert convert(Decimal(40), Decimal("162.5"), digits=0) == Decimal(6500)


def test_each_statutory_law_names_its_currency():
    assert {code: law.currency for code, law in RULE_SETS.items()} == {
        "eu": "EUR",
        "de": "EUR",
        "fr": "EUR",
        "nl": "EUR",
        "be": "EUR",
        "uk": "GBP",
        "none": None,
    }
