"""Reading and setting business hours (admins): the company default, a connection's, a queue's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from whaticket_core.domain.business_hours import (
    MAX_EXCEPTIONS,
    WEEKDAYS,
    BusinessHours,
    HoursScope,
    HoursTarget,
    Ranges,
    parse_ranges,
    validate_away_message,
    validate_timezone,
)
from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.automation.hours_steps import effective_hours, require_target
from whaticket_core.use_cases.shared.guards import require_admin

RawRanges = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class EffectiveHours:
    """A target's schedule and whose it is (``company`` when the target has none of its own and inherits)."""

    hours: BusinessHours
    scope: HoursScope


@dataclass(frozen=True, slots=True)
class GetBusinessHoursCommand:
    actor: Viewer
    target: HoursTarget


class GetBusinessHours:
    """Admin only. The target's own schedule, else the company default, else the built-in one: UTC, open all week,
    no away message (so nothing is ever sent). A connection or queue that does not exist is ``*_not_found``."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetBusinessHoursCommand) -> EffectiveHours:
        require_admin(command.actor, "read business hours")
        async with self._uow as uow:
            await require_target(uow, command.target)
            hours, scope = await effective_hours(uow, command.target)
        return EffectiveHours(hours, scope)


@dataclass(frozen=True, slots=True)
class UpdateBusinessHoursCommand:
    """Absent fields keep their value. ``week`` may name some days only (``mon``...``sun``); ``exceptions``, when
    given, replaces the whole list."""

    actor: Viewer
    target: HoursTarget
    timezone: str | None = None
    week: dict[str, RawRanges] | None = None
    exceptions: list[tuple[str, RawRanges]] | None = None
    away_message: str | None = None


class UpdateBusinessHours:
    """Admin only. Partial: a target without a schedule of its own starts from the one it inherits (what
    :class:`GetBusinessHours` shows), so the first PUT on a queue copies the company default and changes what it
    names. Rules: an IANA time zone; ranges ``HH:MM``-``HH:MM`` (``24:00`` ends at midnight) that end after they
    start and do not overlap, at most 12 a day; exception dates ISO and distinct. Breaking one is
    ``validation_error`` naming the field."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: UpdateBusinessHoursCommand) -> EffectiveHours:
        require_admin(command.actor, "change business hours")
        timezone = validate_timezone(command.timezone.strip()) if command.timezone is not None else None
        away = validate_away_message(command.away_message) if command.away_message is not None else None
        week = _week(command.week) if command.week is not None else {}
        exceptions = _exceptions(command.exceptions) if command.exceptions is not None else None
        async with self._uow as uow:
            await require_target(uow, command.target)
            current, _ = await effective_hours(uow, command.target)
            days = list(current.week)
            for day, ranges in week.items():
                days[WEEKDAYS.index(day)] = ranges
            hours = BusinessHours(
                timezone=timezone if timezone is not None else current.timezone,
                week=tuple(days),
                exceptions=exceptions if exceptions is not None else current.exceptions,
                away_message=away if away is not None else current.away_message,
            )
            await uow.business_hours.put(command.target, hours)
            await uow.commit()
        return EffectiveHours(hours, command.target.scope)


@dataclass(frozen=True, slots=True)
class DeleteBusinessHoursCommand:
    actor: Viewer
    target: HoursTarget


class DeleteBusinessHours:
    """Admin only. The target's own schedule goes: a connection or queue inherits the company default again; the
    company default goes back to the built-in one (open all week, no away message). Idempotent; a connection or
    queue that does not exist is ``*_not_found``."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: DeleteBusinessHoursCommand) -> None:
        require_admin(command.actor, "change business hours")
        async with self._uow as uow:
            await require_target(uow, command.target)
            await uow.business_hours.delete(command.target)
            await uow.commit()


def _week(raw: dict[str, RawRanges]) -> dict[str, Ranges]:
    unknown = sorted(set(raw) - set(WEEKDAYS))
    if unknown:
        raise InvalidInput(f"week: unknown day(s) {unknown}; days are {list(WEEKDAYS)}", "week")
    return {day: parse_ranges(ranges, f"week.{day}") for day, ranges in raw.items()}


def _exceptions(raw: list[tuple[str, RawRanges]]) -> dict[date, Ranges]:
    if len(raw) > MAX_EXCEPTIONS:
        raise InvalidInput(f"exceptions: at most {MAX_EXCEPTIONS} dates", "exceptions")
    found: dict[date, Ranges] = {}
    for text, ranges in raw:
        try:
            if len(text) != len("2026-12-25"):
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError:
            raise InvalidInput(f"exceptions: {text!r} is not a date YYYY-MM-DD", "exceptions") from None
        if day in found:
            raise InvalidInput(f"exceptions: {text} is listed twice", "exceptions")
        found[day] = parse_ranges(ranges, "exceptions")
    return found
