"""Business hours: when the company answers, in its own time zone.

A schedule has an IANA time zone, weekly ranges of local wall-clock time (``08:00``-``18:00``; ``24:00`` ends a range
at midnight) and date exceptions that replace a weekday's ranges on one local date (a holiday: no ranges). A range
holds its start and not its end.

Local time is computed from the instant (UTC to local is a function even across DST changes), so the wall-clock
times a DST jump skips simply never occur, and those repeated by a fall-back occur twice (open twice when a range
covers them). Schedules are set per connection and per queue, with a company default; no schedule at all means
always open.
"""

from __future__ import annotations

import enum
import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import InvalidInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_RANGES_PER_DAY = 12
MAX_EXCEPTIONS = 400
MAX_AWAY_MESSAGE = 4096
# How far ahead the next opening is looked for: past that, the schedule is treated as never opening again.
OPENING_HORIZON_DAYS = 400
DAY_MINUTES = 24 * 60


class HoursScope(enum.StrEnum):
    COMPANY = "company"
    WHATSAPP = "whatsapp"
    QUEUE = "queue"


@dataclass(frozen=True, slots=True)
class HoursTarget:
    """Whose schedule: the company's (no id), a connection's or a queue's."""

    scope: HoursScope
    target_id: int | None = None

    @property
    def key(self) -> str:
        return self.scope.value if self.target_id is None else f"{self.scope.value}:{self.target_id}"


COMPANY = HoursTarget(HoursScope.COMPANY)


@dataclass(frozen=True, slots=True, order=True)
class TimeRange:
    """Local minutes since midnight, ``start`` included, ``end`` excluded (``end`` may be 1440, midnight)."""

    start: int
    end: int

    def label(self) -> tuple[str, str]:
        return (_hhmm(self.start), _hhmm(self.end))


Ranges = tuple[TimeRange, ...]
ALWAYS: Ranges = (TimeRange(0, DAY_MINUTES),)


@dataclass(frozen=True, slots=True)
class BusinessHours:
    timezone: str = "UTC"
    week: tuple[Ranges, ...] = field(default_factory=lambda: (ALWAYS,) * 7)  # Monday first
    exceptions: dict[date, Ranges] = field(default_factory=dict)
    away_message: str = ""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def ranges_on(self, day: date) -> Ranges:
        return self.exceptions.get(day, self.week[day.weekday()])

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(r.start <= minute < r.end for r in self.ranges_on(local.date()))

    def next_opening(self, after: datetime) -> datetime | None:
        """The first instant later than ``after`` at which a closed spell ends, or None within the horizon.

        A closed spell ends at a range start (either reading of a wall-clock time a fall-back repeats) or at a DST
        change (a range start the clock skips opens when the clock jumps; a fall-back may reopen a range): each such
        candidate counts when it is open and the minute before it was not.
        """
        zone = self.zone
        first = after.astimezone(zone).date() - timedelta(days=1)
        for offset in range(OPENING_HORIZON_DAYS):
            day = first + timedelta(days=offset)
            candidates = {c for r in self.ranges_on(day) for c in _readings(day, r.start, zone)}
            candidates.update(_transitions(day, zone))
            for candidate in sorted(c for c in candidates if c > after):
                if self.is_open(candidate) and not self.is_open(candidate - timedelta(minutes=1)):
                    return candidate
        return None


def _readings(day: date, minute: int, zone: ZoneInfo) -> list[datetime]:
    """The UTC instants at which the clock shows ``day`` ``minute`` (none when a spring-forward skips it)."""
    if minute >= DAY_MINUTES:
        return []
    wall = datetime.combine(day, time(minute // 60, minute % 60))
    found: list[datetime] = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall:
            found.append(instant)
    return found


def _transitions(day: date, zone: ZoneInfo) -> list[datetime]:
    """The instant (to the minute) of a UTC offset change during local ``day``, if there is one.

    The search starts a minute before the day: a change at local midnight (Chile, Lebanon) happens at the very
    instant the day begins, and a midnight the clock skips has no reading of its own to be a candidate."""
    lo = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC) - timedelta(minutes=1)
    hi = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC) - timedelta(minutes=1)

    def offset(at: datetime) -> timedelta | None:
        return at.astimezone(zone).utcoffset()

    if offset(lo) == offset(hi):
        return []
    target = offset(hi)
    lo_m, hi_m = 0, int((hi - lo).total_seconds() // 60)
    while hi_m - lo_m > 1:  # offset(lo + lo_m) differs from target, offset(lo + hi_m) equals it
        mid = (lo_m + hi_m) // 2
        if offset(lo + timedelta(minutes=mid)) == target:
            hi_m = mid
        else:
            lo_m = mid
    return [lo + timedelta(minutes=hi_m)]


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_minute(text: str, field_name: str, *, end: bool) -> int:
    """``"08:30"`` → 510; ``"24:00"`` only as a range's end."""
    hours, sep, minutes = text.partition(":")
    if not (sep and len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()):
        raise InvalidInput(f"{field_name}: {text!r} is not a time HH:MM", field_name)
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > DAY_MINUTES or (value == DAY_MINUTES and not end):
        raise InvalidInput(f"{field_name}: {text!r} is not a time of day", field_name)
    return value


def parse_ranges(raw: list[tuple[str, str]], field_name: str) -> Ranges:
    if len(raw) > MAX_RANGES_PER_DAY:
        raise InvalidInput(f"{field_name}: at most {MAX_RANGES_PER_DAY} ranges a day", field_name)
    ranges = sorted(
        TimeRange(parse_minute(start, field_name, end=False), parse_minute(stop, field_name, end=True))
        for start, stop in raw
    )
    for r in ranges:
        if r.start >= r.end:
            raise InvalidInput(f"{field_name}: a range must end after it starts", field_name)
    for before, after in itertools.pairwise(ranges):
        if after.start < before.end:
            raise InvalidInput(f"{field_name}: ranges overlap", field_name)
    return tuple(ranges)


def validate_timezone(name: str) -> str:
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise InvalidInput(f"timezone {name!r} is not an IANA time zone", "timezone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"timezone {name!r} is not an IANA time zone", "timezone") from None
    return name


def validate_away_message(text: str) -> str:
    if len(text) > MAX_AWAY_MESSAGE:
        raise InvalidInput(f"awayMessage holds at most {MAX_AWAY_MESSAGE} characters", "awayMessage")
    return text
