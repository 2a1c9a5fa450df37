"""What a customer or a user may send, parsed before anything reads the database.

Everything here is hostile until it passes: a token of any characters and length, ids typed
with unicode digits, a NUL byte that PostgreSQL refuses, 10 kB where a name is expected. Each
parser returns the clean value or None; the callers answer None with a 400/404 or a message.
"""

from __future__ import annotations

import hmac
import re
from datetime import date, timedelta

# PostgreSQL's int4: the largest id a table of ours can hold.
MAX_ID = 2**31 - 1
# Our tokens are 64 hex characters (HMAC-SHA256); Odoo's access tokens are UUIDs.
MAX_TOKEN_LENGTH = 128
# How many invoices one portal request may name: more than any customer's overdue list.
MAX_IDS = 500
MAX_NAME_LENGTH = 200
MAX_TEXT_LENGTH = 2000

# A plan, whoever makes it: ten years of monthly installments.
MAX_INSTALLMENTS = 120
# A customer's own request, even one that waits for approval (the portal form's maximum).
PORTAL_MAX_INSTALLMENTS = 36
# Level delays and gaps: ten years in any unit.
MAX_DELAY = {"day": 3660, "week": 522, "month": 120}
MAX_GAP_DAYS = 3660
# Grace days of plans and promises.
MAX_GRACE_DAYS = 365
# How far ahead a plan may start, a promise may fall or a run may be previewed.
MAX_DAYS_AHEAD = 366
# The earliest date a plan, promise or run may carry: no book we dun is older.
MIN_DATE = date(2000, 1, 1)

_ASCII_DIGITS = re.compile(r"[0-9]{1,10}")
_INVOICE_TARGET = re.compile(r"i([0-9]{1,10}(?:_[0-9]{1,10})*)")
_TOKEN = re.compile(r"[\x21-\x7e]{1,128}")  # MAX_TOKEN_LENGTH printable ASCII characters
_PLAN_TARGET = re.compile(r"plan([0-9]{1,10})")


def parse_id(value) -> int | None:
    """A record id typed as plain ASCII digits, 1 to 2^31-1; None for anything else
    (``'²'.isdigit()`` is true and ``int('٣')`` is 3: neither is an id here)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str) or not _ASCII_DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values) -> set[int] | None:
    """A set of ids from a form's repeated field; None when one of them is not an id."""
    values = list(values or [])
    if len(values) > MAX_IDS:
        return None
    ids = {parse_id(value) for value in values}
    return None if None in ids else ids


def parse_count(value, maximum: int) -> int | None:
    """A count the customer typed, 1 to ``maximum``; None otherwise."""
    if isinstance(value, str) and len(value) <= 10 and _ASCII_DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
        return number if 1 <= number <= maximum else None
    return None


def parse_text(value, max_length: int = MAX_TEXT_LENGTH) -> str | None:
    """Text without NUL bytes (PostgreSQL refuses them) within ``max_length``; '' when absent."""
    if value is None:
        return ""
    if not isinstance(value, str) or "\x00" in value or len(value) > max_length:
        return None
    return value.strip()


def parse_token(value) -> str | None:
    """A token as links carry them: 1 to 128 printable ASCII characters; None otherwise
    (absent, or anything else, which no token of ours can be)."""
    if isinstance(value, str) and _TOKEN.fullmatch(value):
        return value
    return None


def token_matches(expected, given) -> bool:
    """Constant-time comparison of a secret with what the visitor sent, whatever it is:
    ``hmac.compare_digest`` raises TypeError on non-ASCII text, so compare UTF-8 bytes."""
    if not expected or not isinstance(expected, str) or not isinstance(given, str):
        return False
    if not given or len(given) > MAX_TOKEN_LENGTH:
        return False
    return hmac.compare_digest(
        expected.encode("utf-8"), given.encode("utf-8", errors="surrogatepass")
    )


def parse_payment_target(target) -> tuple[str, int | set[int]] | None:
    """What a transaction pays: ``("plan", id)`` or ``("invoices", {ids})``; None otherwise."""
    if not isinstance(target, str) or len(target) > 12 * MAX_IDS:
        return None
    found = _PLAN_TARGET.fullmatch(target)
    if found:
        plan_id = parse_id(found.group(1))
        return ("plan", plan_id) if plan_id else None
    found = _INVOICE_TARGET.fullmatch(target)
    if found:
        ids = parse_ids(found.group(1).split("_"))
        return ("invoices", ids) if ids else None
    return None


def date_in_range(value: date | None, today: date, days_ahead: int = MAX_DAYS_AHEAD) -> bool:
    """Whether a date lies between MIN_DATE and ``days_ahead`` days after ``today``
    (year 9999 makes schedules overflow; a plan or promise years away is a typo)."""
    return not value or MIN_DATE <= value <= today + timedelta(days=days_ahead)
