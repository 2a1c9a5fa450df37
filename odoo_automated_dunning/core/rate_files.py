"""The central banks' published rate series, read from a downloaded CSV file.

Pure: the file's bytes in, ``RatePoint``s out; the model writes them to the reference rates.
A file is hostile until parsed: its size and row count are bounded, every value is checked,
and a file this module does not recognise is refused with a message saying what is expected.

Formats recognised (each described in the README, section Fees, compensation and interest):

- Deutsche Bundesbank, time series BBK01.SU0115 (base rate under section 247 BGB, end of
  month), CSV download: a header row holding the series key, metadata rows (unit, last
  update, source...), then one row per month, ``YYYY-MM`` and value, ``.`` for a month
  without value. German downloads use ``;`` and a decimal comma, English ones ``,``.
- Bank of England database, series IUDBEDR (Bank Rate, daily): a ``DATE,IUDBEDR`` header,
  then rows like ``18 Dec 2025,3.75``.
- ECB data portal, series FM.B.U2.EUR.4F.KR.MRR_FR.LEV (main refinancing operations, fixed
  rate, dates of change): SDMX-CSV as the data API returns it (``KEY``, ..., ``TIME_PERIOD``,
  ``OBS_VALUE``, ...), or the portal's table download (``DATE``, ``TIME PERIOD`` and a value
  column whose title ends with the series key).

``read_rate_file(content) -> RateFile``; ``rate_changes(rate_file, known) -> list[RatePoint]``:
the points to write, one per change (one per half-year for the Bundesbank base rate, which
is set anew every 1 January and 1 July), without those the known points already say.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from .charges import HALF_YEARLY_REFERENCES, RatePoint

MAX_BYTES = 2_000_000  # the full daily Bank Rate history since 1975 is about 300 KB
MAX_ROWS = 40_000
HEADER_ROWS = 30  # the header is looked for in the first rows only
LOWEST_RATE, HIGHEST_RATE = Decimal(-10), Decimal(30)

SERIES = {
    "de_base": "Bundesbank BBK01.SU0115",
    "boe_base": "Bank of England IUDBEDR",
    "ecb_mro": "ECB FM.B.U2.EUR.4F.KR.MRR_FR.LEV",
}
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_BOE_DAY = re.compile(r"^(\d{1,2}) ([A-Za-z]{3}) (\d{4})$")


class RateFileError(ValueError):
    """The file is not one of the recognised series, or a row of it cannot be read."""


@dataclass(frozen=True)
class RateFile:
    reference: str  # a key of charges.REFERENCES
    source: str  # the series, as named in SERIES
    observations: tuple[tuple[date, Decimal], ...]  # sorted by date


def parse_day(text: str) -> date | None:
    """``2025-07-01``, ``2025-07`` (the month's first day) or ``18 Dec 2025``; else None."""
    text = text.strip().strip('"')
    try:
        if match := _ISO_DAY.match(text):
            return date(*map(int, match.groups()))
        if match := _ISO_MONTH.match(text):
            return date(int(match[1]), int(match[2]), 1)
        if (match := _BOE_DAY.match(text)) and match[2].lower() in _MONTHS:
            return date(int(match[3]), _MONTHS[match[2].lower()], int(match[1]))
    except ValueError:
        return None
    return None


def _parse_rate(text: str, line: int) -> Decimal | None:
    """The rate in % a year; None for a period without value (``.``, ``..`` or empty)."""
    text = text.strip().strip('"').replace("\xa0", "")
    if text in ("", ".", ".."):
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        rate = Decimal(text)
    except InvalidOperation:
        raise RateFileError(f"Line {line}: {text[:40]!r} is not a rate.") from None
    if not rate.is_finite() or not LOWEST_RATE <= rate <= HIGHEST_RATE:
        raise RateFileError(f"Line {line}: {text[:40]!r} is not a plausible rate in % a year.")
    return rate


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")  # German Excel-style downloads


def _rows(text: str) -> list[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = []
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append([cell.strip() for cell in row])
            if len(rows) > MAX_ROWS:
                raise RateFileError(
                    f"The file has more than {MAX_ROWS:,} rows: download the series from 2012 on."
                )
    except csv.Error as error:  # an endless cell, a stray quote: not a bank's file
        raise RateFileError(f"Line {len(rows) + 1} cannot be read as CSV ({error}).") from None
    return rows


def _layout(rows):
    """(reference, index of the header row, date column, value column, ECB key column)."""
    for index, row in enumerate(rows[:HEADER_ROWS]):
        upper = [cell.upper() for cell in row]
        if "TIME_PERIOD" in upper and "OBS_VALUE" in upper:
            key = upper.index("KEY") if "KEY" in upper else None
            return "ecb_mro", index, upper.index("TIME_PERIOD"), upper.index("OBS_VALUE"), key
        if upper and upper[0] == "DATE":
            for column, cell in enumerate(upper):
                if "MRR_FR" in cell:
                    return "ecb_mro", index, 0, column, None
                if cell == "IUDBEDR":
                    return "boe_base", index, 0, column, None
        for column, cell in enumerate(upper):
            if cell == "BBK01.SU0115":
                return "de_base", index, 0, column, None
    raise RateFileError(
        "This is not a rate file the import knows. Download, as CSV, the Bundesbank series "
        "BBK01.SU0115, the Bank of England series IUDBEDR or the ECB series "
        "FM.B.U2.EUR.4F.KR.MRR_FR.LEV."
    )


def read_rate_file(content: bytes | str) -> RateFile:
    """The series and its observations; raises ``RateFileError`` saying what is wrong."""
    if len(content) > MAX_BYTES:
        raise RateFileError(
            f"The file is larger than {MAX_BYTES // 1_000_000} MB: download the series from 2012 on."
        )
    rows = _rows(_decode(content))
    reference, header, date_column, value_column, key_column = _layout(rows)
    observations = {}
    for number, row in enumerate(rows[header + 1 :], start=header + 2):
        if len(row) <= max(date_column, value_column):
            continue  # blank and comment lines
        day = parse_day(row[date_column])
        if day is None:
            continue  # the Bundesbank's metadata rows, a trailing note
        if key_column is not None and "MRR_FR" not in row[key_column].upper():
            raise RateFileError(
                f"Line {number}: series {row[key_column][:60]!r} is not the ECB main "
                "refinancing rate (FM.B.U2.EUR.4F.KR.MRR_FR.LEV)."
            )
        rate = _parse_rate(row[value_column], number)
        if rate is not None:
            observations[day] = rate
    if not observations:
        raise RateFileError(f"The {SERIES[reference]} file holds no rate.")
    return RateFile(reference, SERIES[reference], tuple(sorted(observations.items())))


def rate_changes(rate_file: RateFile, known: Iterable[RatePoint] = ()) -> list[RatePoint]:
    """The points the file adds to or corrects in ``known``, oldest first.

    Each observation says the rate in force on its day: a daily or monthly series repeats a
    rate until it changes, so only the first day of each new rate becomes a point. The
    Bundesbank base rate is set per half-year: it gets one point on 1 January and 1 July,
    taken from the half-year's first observation, as the seed data has it.
    """
    reference = rate_file.reference
    known = tuple(p for p in known if p.reference == reference)
    known_on = {p.date: p.rate for p in known}
    points = []
    if reference in HALF_YEARLY_REFERENCES:
        seen = set()
        for day, rate in rate_file.observations:
            start = date(day.year, 1 if day.month < 7 else 7, 1)
            if start not in seen:
                seen.add(start)
                if known_on.get(start) != rate:
                    points.append(RatePoint(reference, start, rate))
        return points
    previous = None
    for day, rate in rate_file.observations:
        if rate == previous:
            continue
        previous = rate
        earlier = [d for d in known_on if d <= day]
        if (known_on[max(earlier)] if earlier else None) != rate:
            points.append(RatePoint(reference, day, rate))
            known_on[day] = rate  # a later observation is compared with this one
    return points
