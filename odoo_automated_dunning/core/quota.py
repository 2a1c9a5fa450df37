"""Send quotas: when each email leaves so that a company never sends more than its mail
provider allows in an hour or a day.

Plain data in, a send moment per message out; nothing is ever dropped, only moved later.

- Windows are clock hours (UTC hours) and the company's calendar days (in its timezone); a day
  holds the hours that start in it.
- ``taken`` counts what already uses the windows (mails sent or scheduled): those keep their
  moments and fill their windows first, so messages already waiting leave before new ones.
- New messages are placed in priority order: amount due times risk score, then the older
  debt, then the message's key (deterministic). Each takes the first moment at or after its
  own earliest one (its contact window's opening) whose hour and day still have room and that
  its contact window allows.
- Work: sorting is O(n log n); full hours are skipped through forward pointers with path
  compression (near constant time each), and each contact window keeps a cursor that only
  moves forward, so the hours a window looks at are at most those up to its last slot.
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

HOUR = timedelta(hours=1)
# A customer without a behaviour score yet counts as an average risk (scores run 0 to 100).
DEFAULT_RISK = 50.0


@dataclass(frozen=True)
class Quota:
    """Emails a company may send per clock hour and per calendar day; 0: no limit."""

    per_hour: int = 0
    per_day: int = 0
    tz: str = "UTC"

    def __post_init__(self):
        if self.per_hour < 0 or self.per_day < 0:
            raise ValueError("A send quota is 0 (no limit) or more.")

    @property
    def limited(self) -> bool:
        return bool(self.per_hour or self.per_day)


@dataclass(frozen=True)
class Message:
    """An email to place. ``earliest`` is aware (UTC): the first moment its contact window
    allows; ``window`` names that contact window (messages with the same window follow the
    same opening rule)."""

    key: int
    earliest: datetime
    amount: float = 0.0
    risk: float | None = None
    due_date: date | None = None
    window: Hashable = None

    @property
    def weight(self) -> float:
        return self.amount * (DEFAULT_RISK if self.risk is None else self.risk)


def priority(message: Message) -> tuple:
    """Sort key: the largest amount times risk first, then the oldest debt, then the key."""
    return (-message.weight, message.due_date or date.max, message.key)


def hour_of(moment: datetime) -> int:
    """The clock hour a moment falls in, as hours since the epoch."""
    return int(moment.timestamp() // 3600)


def hour_start(index: int) -> datetime:
    return datetime.fromtimestamp(index * 3600, UTC)


def allocate(
    quota: Quota,
    messages: Iterable[Message],
    taken: Mapping[datetime, int] | None = None,
    opening: Callable[[Hashable, datetime], datetime] | None = None,
) -> dict[int, datetime]:
    """{message key: the moment it leaves (aware, UTC)}, each at or after its earliest.

    ``taken``: {any moment in an hour: mails already sent or scheduled in that hour}.
    ``opening(window, moment)``: the first moment at or after ``moment`` that the contact
    window allows (None: any moment is allowed).
    """
    messages = sorted(messages, key=priority)
    if not quota.limited:
        return {message.key: message.earliest for message in messages}
    zone = ZoneInfo(quota.tz or "UTC")

    def day_of(index: int) -> date:
        return hour_start(index).astimezone(zone).date()

    def day_hours(day: date) -> range:
        """The clock hours that start in the local day ``day``."""
        first = datetime.combine(day, datetime.min.time(), tzinfo=zone)
        after = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        return range(-(-int(first.timestamp()) // 3600), -(-int(after.timestamp()) // 3600))

    per_hour = Counter()
    for moment, count in (taken or {}).items():
        per_hour[hour_of(moment)] += count
    per_day = Counter()
    for index, count in per_hour.items():
        per_day[day_of(index)] += count

    # Full hours point to a later hour to try; followed with path compression.
    skip: dict[int, int] = {}

    def close_day(day: date) -> None:
        hours = day_hours(day)
        for index in hours:
            skip[index] = max(skip.get(index, hours.stop), hours.stop)

    def free(index: int) -> int:
        path = []
        while index in skip:
            path.append(index)
            index = skip[index]
        for visited in path:
            skip[visited] = index
        return index

    for index, count in per_hour.items():
        if quota.per_hour and count >= quota.per_hour:
            skip[index] = index + 1
    for day, count in per_day.items():
        if quota.per_day and count >= quota.per_day:
            close_day(day)

    cursors: dict[tuple, datetime] = {}
    slots = {}
    for message in messages:
        earliest = message.earliest.astimezone(UTC)
        cursor_key = (message.window, earliest)
        moment = cursors.get(cursor_key, earliest)
        while True:
            index = free(hour_of(moment))
            if index != hour_of(moment):
                moment = hour_start(index)
            allowed = opening(message.window, moment) if opening else moment
            if allowed == moment:
                break
            moment = allowed.astimezone(UTC)
        slots[message.key] = moment
        cursors[cursor_key] = moment
        per_hour[index] += 1
        day = day_of(index)
        per_day[day] += 1
        if quota.per_hour and per_hour[index] >= quota.per_hour:
            skip[index] = index + 1
        if quota.per_day and per_day[day] >= quota.per_day:
            close_day(day)
    return slots


def waiting_summary(slots: Mapping[int, datetime], earliest: Mapping[int, datetime]):
    """(how many messages leave later than they could, the last moment one leaves or None)."""
    late = [slots[key] for key in slots if slots[key] > earliest[key]]
    return len(late), max(late, default=None)


def by_moment(slots: Mapping[int, datetime]) -> dict[datetime, list[int]]:
    """{moment: keys}: one write per distinct moment instead of one per message."""
    grouped = defaultdict(list)
    for key, moment in slots.items():
        grouped[moment].append(key)
    return dict(grouped)
