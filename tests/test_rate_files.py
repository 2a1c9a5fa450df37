"""Reading the central banks' rate series files: the samples shipped with the addon's tests,
and files a user should never have uploaded."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from odoo_automated_dunning.core.charges import RatePoint, rate_points
from odoo_automated_dunning.core.rate_files import (
    MAX_BYTES,
    RateFileError,
    parse_day,
    rate_changes,
    read_rate_file,
)

SAMPLES = Path(__file__).resolve().parent.parent / "odoo_automated_dunning" / "tests" / "rate_files"


def _sample(name):
    return (SAMPLES / name).read_bytes()


def test_dates_in_the_three_banks_formats():
    assert parse_day("2025-07-01") == date(2025, 7, 1)
    assert parse_day("2025-07") == date(2025, 7, 1)
    assert parse_day("18 Dec 2025") == date(2025, 12, 18)
    assert parse_day("Einheit") is None
    assert parse_day("2025-13") is None


def test_bundesbank_german_download_gives_one_point_per_half_year():
    rate_file = read_rate_file(_sample("bundesbank_BBK01.SU0115.csv"))

    assert rate_file.reference == "de_base"
    assert rate_file.observations[0] == (date(2024, 1, 1), Decimal("3.62"))
    assert rate_file.observations[-1] == (date(2026, 1, 1), Decimal("1.27"))  # "." skipped
    assert rate_changes(rate_file) == [
        RatePoint("de_base", date(2024, 1, 1), Decimal("3.62")),
        RatePoint("de_base", date(2024, 7, 1), Decimal("3.37")),
        RatePoint("de_base", date(2025, 1, 1), Decimal("2.27")),
        RatePoint("de_base", date(2025, 7, 1), Decimal("1.27")),
        RatePoint("de_base", date(2026, 1, 1), Decimal("1.27")),  # unchanged, still its row
    ]


def test_bank_of_england_daily_series_gives_the_change_days_not_already_known():
    rate_file = read_rate_file(_sample("boe_IUDBEDR.csv"))
    known = rate_points([("boe_base", "2025-05-08", "4.25"), ("boe_base", "2025-08-07", "4.00")])

    assert rate_file.reference == "boe_base"
    assert rate_changes(rate_file, known) == [
        RatePoint("boe_base", date(2025, 12, 18), Decimal("3.75"))
    ]


def test_ecb_sdmx_csv_and_portal_table():
    sdmx = read_rate_file(_sample("ecb_MRR_FR_sdmx.csv"))
    portal = read_rate_file(_sample("ecb_MRR_FR_portal.csv"))

    assert sdmx.reference == portal.reference == "ecb_mro"
    assert len(sdmx.observations) == 8
    assert sdmx.observations[-1] == portal.observations[-1] == (date(2025, 6, 11), Decimal("2.15"))
    # A different rate on a known day is corrected; a known rate is not written again.
    known = rate_points([("ecb_mro", "2025-06-11", "2.25"), ("ecb_mro", "2025-04-23", "2.40")])
    assert rate_changes(portal, known) == [
        RatePoint("ecb_mro", date(2025, 2, 5), Decimal("2.90")),
        RatePoint("ecb_mro", date(2025, 3, 12), Decimal("2.65")),
        RatePoint("ecb_mro", date(2025, 6, 11), Decimal("2.15")),
    ]


def test_another_ecb_series_is_refused():
    text = "KEY,FREQ,TIME_PERIOD,OBS_VALUE\nFM.B.U2.EUR.4F.KR.DFR.LEV,B,2025-06-11,2.00\n"
    with pytest.raises(RateFileError, match="not the ECB main refinancing rate"):
        read_rate_file(text)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,amount\nAcme,12\n", "not a rate file the import knows"),
        (b"DATE,IUDBEDR\n18 Dec 2025,=cmd|' /C calc'!A0\n", "is not a rate"),
        (b"DATE,IUDBEDR\n18 Dec 2025,375\n", "not a plausible rate"),
        (b"DATE,IUDBEDR\n18 Dec 2025,NaN\n", "not a plausible rate"),
        (b"DATE,IUDBEDR\n", "holds no rate"),
        (b"\xff\xfe\x00garbage", "not a rate file"),
        (b"x" * (MAX_BYTES + 1), "larger than"),
        (b"DATE,IUDBEDR\n18 Dec 2025," + b"9" * 200_000 + b"\n", "cannot be read as CSV"),
        (b"DATE,IUDBEDR\n" * 40_001, "more than 40,000 rows"),
    ],
)
def test_hostile_or_wrong_files_are_refused_with_a_reason(content, message):
    with pytest.raises(RateFileError, match=message):
        read_rate_file(content)
