"""Reading a reply's words, dates and amounts (for ``replies``; no Odoo).

Text is folded first: lower case without accents, one character for one ("Réglé" -> "regle"),
so that a span found in the folded text is the same span in the customer's text. The dates and
amounts are read in every language of ``reply_words``; numbers are day first unless the caller
says month first (en_US). Every pattern is bounded; each reader stops after 100 matches.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from . import reply_words as words
from .inputs import MAX_DAYS_AHEAD

# The largest amount read as one (a promise is checked against the debt by the caller).
MAX_AMOUNT = Decimal(10) ** 12
# How many matches of one pattern are read.
MAX_MATCHES = 100

# ---------------------------------------------------------------------------------------------
# Folding: lower case without accents, one character for one, so that spans map back
# ---------------------------------------------------------------------------------------------

_APOSTROPHES = "\u2019\u2018\u02bc\u00b4`"


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    lower = base.lower()
    if len(lower) == 1:
        return lower
    lower = char.lower()
    return lower if len(lower) == 1 else char


def fold(text: str) -> str:
    """``text`` in lower case without accents ("Réglé" -> "regle"), of the same length."""
    if text.isascii():
        return text.lower().replace("`", "'")
    return "".join(map(_fold_char, text))


# In the words we write, an umlaut or ß also matches its two-letter spelling.
_WRITTEN_AS = {"ä": "(?:a|ae)", "ö": "(?:o|oe)", "ü": "(?:u|ue)", "ß": "(?:ss|ß)"}


def word_pattern(word: str) -> str:
    return "".join(_WRITTEN_AS.get(c) or re.escape(_fold_char(c)) for c in word)


def _token_pattern(token: str) -> str:
    return "(?:" + "|".join(word_pattern(w) for w in token.split("|")) + ")"


# "*" in a phrase: up to three words of up to 40 characters each (bounded, so linear); "**" up
# to twelve (a verb-last clause with an amount and a date: "wij zullen het bedrag van
# € 1.250,75 uiterlijk 15 juli 2025 overmaken" has nine words between its verbs).
_GAPS = {"*": r"(?:\s+\S{1,40}){0,3}?", "**": r"(?:\s+\S{1,40}){0,12}?"}


def _phrase_pattern(phrase: str) -> str:
    parts = []
    for token in phrase.split():
        if token in _GAPS:
            parts.append(_GAPS[token])
        else:
            parts.append((r"\s+" if parts else "") + _token_pattern(token))
    return "".join(parts)


def phrases_regex(phrases: Iterable[str]) -> re.Pattern:
    body = "|".join(_phrase_pattern(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(r"(?<!\w)(?:" + body + r")(?!\w)")


def words_regex(items: Iterable[str]) -> re.Pattern:
    """Any of these words or phrases (whole words; "n't" may end a word, "n'" start one)."""
    parts = []
    for item in sorted(items, key=len, reverse=True):
        pattern = r"\s+".join(word_pattern(w) for w in item.split())
        start = "" if item.startswith("n't") else r"(?<!\w)"
        end = "" if item.endswith("'") else r"(?!\w)"
        parts.append(start + pattern + end)
    return re.compile("|".join(parts))


# ---------------------------------------------------------------------------------------------
# Amounts
# ---------------------------------------------------------------------------------------------

_NUMBER = (
    r"(?:[0-9]{1,3}(?:[.,'\u00a0\u202f\u2009 ][0-9]{3}){1,4}(?:[.,][0-9]{1,2})?"
    r"|[0-9]{1,12}(?:[.,][0-9]{1,2})?)(?:[.,]-{1,2})?"
)
_NUMBER_END = r"(?![0-9]|[.,/-][0-9])"
_SIGNS = "|".join(re.escape(s) for s in words.CURRENCY_SIGNS if not s[0].isalpha())
_LETTER_SIGNS = "|".join(re.escape(s) for s in words.CURRENCY_SIGNS if s[0].isalpha())
_CODES = "|".join(words.CURRENCY_CODES)
_CURRENCY_WORDS = "|".join(word_pattern(w) for w in words.CURRENCY_WORDS)
_AMOUNT_BEFORE = re.compile(
    rf"(?:{_SIGNS}|(?<!\w)(?:{_LETTER_SIGNS}|{_CODES})(?![a-z]))[\s]{{0,2}}({_NUMBER}){_NUMBER_END}"
)
_AMOUNT_AFTER = re.compile(
    rf"(?<![\w.,/-])({_NUMBER}){_NUMBER_END}[\s]{{0,2}}(?:{_SIGNS}|(?:{_CODES}|{_CURRENCY_WORDS})(?!\w))"
)
_AMOUNT_WORD = re.compile(
    r"(?<!\w)(?:"
    + "|".join(word_pattern(w) for w in words.AMOUNT_WORDS)
    + rf")(?!\w)(?:\s+[^\s0-9]{{1,20}}){{0,3}}?\s+({_NUMBER}){_NUMBER_END}"
    + r"(?!\s*(?:%|invoice|factur|rechnung|factuur|day|jour|tag|dia|dag))"
)


def _number_value(raw: str) -> Decimal | None:
    """The value of "1.234,56", "1,234.56", "1 234,56", "1'234.50", "500,-": the last separator
    followed by one or two digits is the decimal one; the others group thousands."""
    raw = re.sub(r"[.,]-{1,2}$", "", raw)
    raw = re.sub(r"['\u00a0\u202f\u2009 ]", "", raw)
    decimals = ""
    last = max(raw.rfind("."), raw.rfind(","))
    if last >= 0 and len(raw) - last - 1 in (1, 2):
        decimals = raw[last + 1 :]
        raw = raw[:last]
    integer = raw.replace(".", "").replace(",", "")
    try:
        value = Decimal(f"{integer}.{decimals}" if decimals else integer)
    except InvalidOperation:
        return None
    return value if Decimal(0) < value < MAX_AMOUNT else None


def find_amounts(folded: str) -> list[tuple[int, int, Decimal]]:
    """(start, end, value) of every amount: a number next to a currency sign, code or word, or
    a few words after an amount word ("the amount of 500"), in the order of the text."""
    found = {}
    for regex in (_AMOUNT_BEFORE, _AMOUNT_AFTER, _AMOUNT_WORD):
        for count, match in enumerate(regex.finditer(folded)):
            if count >= MAX_MATCHES:
                break
            value = _number_value(match.group(1))
            if value is not None:
                found.setdefault(match.start(1), (match.start(), match.end(), value))
    return sorted(found.values())


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------


def _spellings(word: str) -> set[str]:
    """How a written word may come folded: "märz" as "marz" or "maerz"."""
    two_letters = word.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return {fold(word), fold(two_letters)}


def _alternatives(items: Iterable[str]) -> str:
    """A regex alternation of these folded words or phrases, longest first."""
    return "|".join(
        re.escape(item).replace(r"\ ", r"\s+") for item in sorted(items, key=len, reverse=True)
    )


_MONTH_OF = {
    spelling: number
    for lang in words.LANGUAGES
    for number, names in enumerate(words.MONTHS[lang], start=1)
    for name in names
    for spelling in _spellings(name)
}
_MONTH_NAMES = _alternatives(_MONTH_OF)
_WEEKDAY_OF = {
    fold(name): index for lang in words.LANGUAGES for index, name in enumerate(words.WEEKDAYS[lang])
}
_ORDINAL = r"(?:st|nd|rd|th|er|e|de|ste|\.|º|°)?"

_ISO_DATE = re.compile(r"(?<![\w./-])([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})" + _NUMBER_END)
_NUMERIC_DATE = re.compile(
    r"(?<![\w./,-])([0-9]{1,2})([./-])([0-9]{1,2})\2([0-9]{4}|[0-9]{2})" + _NUMBER_END
)
_SHORT_DATE = re.compile(
    r"(?<![\w./,-])([0-9]{1,2})(?:/([0-9]{1,2})(?![0-9]|[./-][0-9])|\.([0-9]{1,2})\.(?![0-9]))"
)
_DAY_MONTH = re.compile(
    rf"(?<![\w.])([0-9]{{1,2}}){_ORDINAL}\s{{0,3}}(?:of\s+|de\s+)?({_MONTH_NAMES})(?!\w)\.?"
    r"(?:,?\s{1,3}(?:de\s+)?([0-9]{4}))?(?![0-9])"
)
_MONTH_DAY = re.compile(
    rf"(?<!\w)({_MONTH_NAMES})(?!\w)\.?\s{{1,3}}([0-9]{{1,2}})(?:st|nd|rd|th)?"
    r"(?:,?\s{1,3}([0-9]{4}))?(?![0-9]|[.:,/][0-9])"
)
_PART_OF_MONTH = {fold(w): part for part, ws in words.PART_OF_MONTH.items() for w in ws}
_MONTH_PART = re.compile(
    r"(?<![\w-])("
    + _alternatives(_PART_OF_MONTH)
    + rf")[\s-]{{0,3}}({_MONTH_NAMES})(?!\w)\.?(?:\s{{1,3}}([0-9]{{4}}))?(?![0-9])"
)
_DAY_ONLY = re.compile(
    "|".join(
        r"(?<!\w)(?:"
        + "|".join(word_pattern(w).replace(r"\ ", r"\s+") for w in prefixes)
        + r")\s+([0-9]{1,2})"
        + "(?:"
        + "|".join(re.escape(s) for s in suffixes)
        + ")"
        + (r"(?!\w)" if "" not in suffixes else "")
        + r"(?![0-9]|[.,/:h-][0-9]|\s*(?:%|€|\$))"
        for prefixes, suffixes in words.DAY_ONLY.values()
    )
)
_WEEKDAY = re.compile(r"(?<!\w)(" + _alternatives(_WEEKDAY_OF) + r")(?!\w)")
_RELATIVE_OF = {
    spelling: rule
    for rule, items in words.RELATIVE_DAYS.items()
    for item in items
    for spelling in _spellings(item)
}
_RELATIVE = re.compile(r"(?<![\w'-])(" + _alternatives(_RELATIVE_OF) + r")(?![\w'-])")
_NOT_TOMORROW = re.compile(r"(?:^|\s)(?:" + "|".join(words.NOT_TOMORROW_BEFORE) + r")\s*$")
_NUMBER_WORDS = "|".join(sorted(words.NUMBER_WORDS, key=len, reverse=True))
_WITHIN = re.compile(
    r"(?<![\w'])(?:"
    + "|".join(word_pattern(w).replace(r"\ ", r"\s+") for w in words.WITHIN_WORDS)
    + rf")\s+([0-9]{{1,3}}|{_NUMBER_WORDS})\s+("
    + "|".join(word_pattern(w) for w in words.DAY_UNITS + words.WEEK_UNITS)
    + r")(?!\w)"
)
_WEEK_UNITS = {fold(w) for w in words.WEEK_UNITS}
# "1/2 now, 1/2 on the 15th": fractions, not dates.
_FRACTIONS = {(1, 2), (1, 3), (2, 3), (1, 4), (3, 4)}


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _full_year(year: int) -> int:
    return 2000 + year if year < 100 else year


# A date without its year that fell this many days ago or less is that past date ("paid on
# 20 November", said on 1 December); older, it is the next one ("15 September" is next year's).
RECENT_DAYS = 60


def _next_day_month(today: date, month: int, day: int) -> date | None:
    """``day``/``month`` without a year: its next occurrence on or after today, unless it fell
    within the last ``RECENT_DAYS`` days (then that past date, which promises nothing)."""
    for year in (today.year - 1, today.year, today.year + 1):
        found = _safe_date(year, month, day)
        if found and found >= today - timedelta(days=RECENT_DAYS):
            return found
    return None


def _next_day_of_month(today: date, day: int) -> date | None:
    """The next ``day`` of a month on or after today ("the 15th", "le 15", "am 15.")."""
    year, month = today.year, today.month
    for _month in range(3):
        found = _safe_date(year, month, day)
        if found and found >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _relative(today: date, rule: str) -> date:
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    if rule == "today":
        return today
    if rule == "tomorrow":
        return today + timedelta(days=1)
    if rule == "day_after_tomorrow":
        return today + timedelta(days=2)
    if rule == "this_week":
        return friday if today.weekday() <= 4 else today
    if rule == "next_week":
        return today + timedelta(days=7 - today.weekday() + 4)
    if rule == "end_of_month":
        return _end_of_month(today.year, today.month)
    # next_month
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return _end_of_month(year, month)


def _numeric(first: int, second: int, month_first: bool) -> tuple[int, int]:
    """(day, month) of "first/second" in the customer's order, the other order if that one
    cannot be a date (13/12 is the 13th of December even for en_US)."""
    day, month = (second, first) if month_first else (first, second)
    if not 1 <= month <= 12 and 1 <= day <= 12:
        day, month = month, day
    return day, month


def find_dates(
    folded: str, today: date, month_first: bool, taken: list[tuple[int, int]]
) -> list[tuple[int, int, date]]:
    """Every date the text names, with its span: exact dates before day-only and relative
    words; a span already read (as an amount or a longer date) is not read twice."""
    found = []
    used = bytearray(len(folded) + 1)  # 1 where a character was read already
    for start, end in taken:
        used[start:end] = b"\x01" * (end - start)

    def add(match, value):
        start, end = match.start(), match.end()
        if value is not None and not any(used[start:end]):
            used[start:end] = b"\x01" * (end - start)
            found.append((start, end, value))

    def each(regex):
        for count, match in enumerate(regex.finditer(folded)):
            if count >= MAX_MATCHES:
                break
            yield match

    for match in each(_ISO_DATE):
        add(match, _safe_date(*map(int, match.group(1, 2, 3))))
    for match in each(_NUMERIC_DATE):
        day, month = _numeric(
            int(match.group(1)), int(match.group(3)), month_first and match.group(2) == "/"
        )
        add(match, _safe_date(_full_year(int(match.group(4))), month, day))
    for match in each(_DAY_MONTH):
        day, month = int(match.group(1)), _MONTH_OF[match.group(2)]
        year = match.group(3)
        add(
            match, _safe_date(int(year), month, day) if year else _next_day_month(today, month, day)
        )
    for match in each(_MONTH_DAY):
        day, month = int(match.group(2)), _MONTH_OF[match.group(1)]
        year = match.group(3)
        add(
            match, _safe_date(int(year), month, day) if year else _next_day_month(today, month, day)
        )
    for match in each(_MONTH_PART):
        day = 15 if _PART_OF_MONTH[" ".join(match.group(1).split())] == "mid" else 31
        month, year = _MONTH_OF[match.group(2)], match.group(3)
        if day == 31:
            day = calendar.monthrange(int(year) if year else today.year, month)[1]
        add(
            match, _safe_date(int(year), month, day) if year else _next_day_month(today, month, day)
        )
    for match in each(_SHORT_DATE):
        first, second = int(match.group(1)), int(match.group(2) or match.group(3))
        if match.group(2) and (first, second) in _FRACTIONS:
            continue
        day, month = _numeric(first, second, month_first and bool(match.group(2)))
        add(match, _next_day_month(today, month, day) if 1 <= month <= 12 else None)
    for match in each(_DAY_ONLY):
        day = int(next(g for g in match.groups() if g))
        add(match, _next_day_of_month(today, day) if 1 <= day <= 31 else None)
    for match in each(_WITHIN):
        number = match.group(1)
        count = int(number) if number.isdigit() else words.NUMBER_WORDS[number]
        days = count * 7 if match.group(2) in _WEEK_UNITS else count
        add(match, today + timedelta(days=days) if days <= MAX_DAYS_AHEAD else None)
    for match in each(_RELATIVE):
        rule = _RELATIVE_OF.get(" ".join(match.group(1).split()))
        if rule == "tomorrow" and _NOT_TOMORROW.search(
            folded[max(0, match.start() - 12) : match.start()]
        ):
            continue
        add(match, _relative(today, rule) if rule else None)
    for match in each(_WEEKDAY):
        weekday = _WEEKDAY_OF[match.group(1)]
        add(match, today + timedelta(days=(weekday - today.weekday()) % 7))
    return sorted(found)
