"""Contact rules every reminder passes: consent per channel, contact hours, frequency caps.

Plain data in, decisions out; times are timezone-aware, windows are read in the customer's
timezone (zoneinfo, so daylight-saving changes are exact).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ALLOWED = "allowed"
REFUSED = "refused"
OBJECTED = "objected"  # GDPR Art. 21: stops all processing not needed for legal claims
CONSENT_STATUSES = (ALLOWED, REFUSED, OBJECTED)


@dataclass(frozen=True)
class ConsentEntry:
    channel: str  # email, sms, phone, letter
    status: str
    when: datetime


def consent_state(entries: Iterable[ConsentEntry], channels: Iterable[str]) -> dict[str, str]:
    """The current state per channel: its latest entry; without one, allowed.

    An objection (on any channel) objects to every channel until a later "allowed" entry of a
    channel lifts it for that channel: the customer may object to processing as a whole and
    later accept, say, letters again.
    """
    ordered = sorted(entries, key=lambda e: e.when)
    state = dict.fromkeys(channels, ALLOWED)
    for entry in ordered:
        if entry.status not in CONSENT_STATUSES:
            raise ValueError(f"Unknown consent status {entry.status!r}: use {CONSENT_STATUSES}.")
        if entry.status == OBJECTED:
            state = dict.fromkeys(state, OBJECTED)
        elif entry.channel in state:
            state[entry.channel] = entry.status
    return state


@dataclass(frozen=True)
class ContactWindow:
    """Hours in which a customer may be contacted, in its own timezone (US Reg F: 8 to 21)."""

    start: time = time(8, 0)
    end: time = time(21, 0)
    weekdays_only: bool = False

    def __post_init__(self):
        if self.start >= self.end:
            raise ValueError(
                f"A contact window must end after it starts ({self.start:%H:%M} to "
                f"{self.end:%H:%M}): set the end later than the start."
            )


def next_allowed(
    now: datetime,
    tz_name: str,
    window: ContactWindow,
    closed_days: Iterable[date] = (),
) -> datetime:
    """``now`` if it falls inside the window, else the window's next opening (aware, UTC).

    Never drops a message: it moves it. Closed days (public holidays) and, when asked,
    weekends are skipped.
    """
    if now.tzinfo is None:
        raise ValueError("next_allowed needs an aware datetime (UTC).")
    zone = ZoneInfo(tz_name or "UTC")
    closed = set(closed_days)
    local = now.astimezone(zone)
    for offset in range(0, 370):
        day = local.date() + timedelta(days=offset)
        if day in closed or (window.weekdays_only and day.weekday() >= 5):
            continue
        opening = datetime.combine(day, window.start, tzinfo=zone)
        closing = datetime.combine(day, window.end, tzinfo=zone)
        if offset == 0 and opening <= local < closing:
            return now.astimezone(ZoneInfo("UTC"))
        if local < opening:
            return opening.astimezone(ZoneInfo("UTC"))
    raise ValueError("No open day within a year: check the closed days of the contact window.")


@dataclass(frozen=True)
class FrequencyCap:
    """At most ``count`` contacts on ``channel`` within ``days`` rolling days (MA: 2 in 7)."""

    channel: str
    count: int
    days: int


def cap_allows(
    cap: FrequencyCap, contacts: Iterable[datetime], now: datetime
) -> tuple[bool, datetime | None]:
    """(allowed, when it is allowed again) given the earlier contacts on the cap's channel."""
    since = now - timedelta(days=cap.days)
    recent = sorted(when for when in contacts if since < when <= now)
    if len(recent) < cap.count:
        return True, None
    # Allowed again once enough of the recent contacts have left the rolling window.
    release = recent[len(recent) - cap.count] + timedelta(days=cap.days)
    return False, release
