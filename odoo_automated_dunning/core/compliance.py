"""Contact rules every reminder passes: consent per channel, contact hours, frequency caps.

Plain data in, decisions out; times are timezone-aware, windows are read in the customer's
timezone (zoneinfo, so daylight-saving changes are exact).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .facts import CALL_CHANNELS

ALLOWED = "allowed"
REFUSED = "refused"
OBJECTED = "objected"  # GDPR Art. 21: stops all processing not needed for legal claims
CONSENT_STATUSES = (ALLOWED, REFUSED, OBJECTED)


@dataclass(frozen=True)
class ConsentEntry:
    channel: str  # one of facts.CHANNELS: email, letter, sms, call
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


@dataclass(frozen=True)
class CapRule:
    """A frequency rule from the law or the company's policy.

    ``channel`` None applies the rule to each channel on its own. ``per_debt`` counts only
    the contacts about the same invoice (Regulation F: 7 calls in 7 days per debt).
    ``quiet_days`` holds the channel back for that many days after a conversation with the
    customer (Regulation F: no call within 7 days after one).
    """

    name: str
    channel: str | None
    count: int = 0  # 0: no count limit
    days: int = 7
    per_debt: bool = False
    quiet_days: int = 0


@dataclass(frozen=True)
class Contact:
    """A past contact: when, on which channel, about which invoices, and if it was a
    conversation (a call that reached the customer)."""

    channel: str
    when: datetime
    debts: frozenset[int] = frozenset()
    conversation: bool = False


def held_by(
    rules: Iterable[CapRule],
    contacts: Iterable[Contact],
    now: datetime,
    channel: str,
    debts: Iterable[int] = (),
) -> CapRule | None:
    """The first rule that holds back a contact on ``channel`` about ``debts`` now, or None."""
    debts = frozenset(debts)
    contacts = [c for c in contacts if c.when <= now]
    kind = _kind(channel)
    for rule in rules:
        if rule.channel is not None and _kind(rule.channel) != kind:
            continue
        about = [c for c in contacts if not rule.per_debt or not debts or c.debts & debts]
        if rule.quiet_days and any(
            c.conversation and now - timedelta(days=rule.quiet_days) < c.when for c in about
        ):
            return rule
        if rule.count <= 0:
            continue
        same_channel = [c for c in about if _kind(c.channel) == kind]
        since = now - timedelta(days=rule.days)
        if rule.per_debt and debts:
            if any(
                sum(1 for c in same_channel if debt in c.debts and since < c.when) >= rule.count
                for debt in debts
            ):
                return rule
        elif sum(1 for c in same_channel if since < c.when) >= rule.count:
            return rule
    return None


def _kind(channel: str) -> str:
    """Calls by a collector and automated calls count together: both are calls."""
    return "call" if channel in CALL_CHANNELS else channel


@dataclass(frozen=True)
class PlacedRule:
    """A cap rule and where it applies: every customer, a country, or a country's state."""

    rule: CapRule
    country: str | None = None  # ISO code
    state: str | None = None  # the state's code within the country


@dataclass(frozen=True)
class Preset:
    """Starting parameters for a jurisdiction (../shared/COMPLIANCE.md); users adjust them."""

    label: str
    start: float = 8.0
    end: float = 21.0
    weekdays_only: bool = False
    closed_on_holidays: bool = False
    retention_months: int = 36
    rules: tuple[PlacedRule, ...] = ()
    # Automated calls may go to the number the customer gave for the debt (prior express
    # consent, FCC 07-232); elsewhere only a recorded consent allows them.
    voice_number_consent: bool = False


# 940 CMR 7.04: creditors may contact a Massachusetts debtor at most twice in 7 days per debt.
MASSACHUSETTS = PlacedRule(
    CapRule("Massachusetts 940 CMR 7.04: 2 contacts in 7 days per debt", None, 2, 7, True),
    "US",
    "MA",
)
# 12 CFR 1006.14(b): more than 7 calls in 7 days per debt, or a call within 7 days after a
# conversation, is presumed harassment.
REGULATION_F = PlacedRule(
    CapRule(
        "Regulation F 1006.14(b): 7 calls in 7 days per debt, none within 7 days after a "
        "conversation",
        "call",
        7,
        7,
        True,
        7,
    ),
    "US",
)

PRESETS = {
    "us_creditor": Preset(
        "US creditor",
        8,
        21,
        rules=(MASSACHUSETTS,),
        retention_months=84,
        voice_number_consent=True,
    ),
    "us_collector": Preset(
        "US collector (Regulation F)",
        8,
        21,
        rules=(REGULATION_F, MASSACHUSETTS),
        retention_months=84,
        voice_number_consent=True,
    ),
    "eu_gdpr": Preset("EU (GDPR)", 8, 20, closed_on_holidays=True, retention_months=36),
    "uk": Preset("United Kingdom", 8, 21, closed_on_holidays=True, retention_months=72),
    "de": Preset("Germany", 8, 20, True, True, 36),
    "fr": Preset("France", 8, 20, True, True, 60),
    "nl": Preset("Netherlands", 8, 20, True, True, 60),
    "be": Preset("Belgium", 8, 20, True, True, 60),
}
