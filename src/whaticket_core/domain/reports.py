"""Reporting: facts recorded when they happen (a ticket created, its first agent response, closed, rated), and the
summary computed from them (never by scanning messages)."""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


class ReportEventKind(enum.StrEnum):
    CREATED = "created"
    FIRST_RESPONSE = "first_response"  # ``seconds``: from the ticket's creation to an agent's first message
    CLOSED = "closed"  # ``seconds``: from the ticket's creation to this close
    RATING = "rating"  # ``value``: the customer's 1-5 answer to the satisfaction question


@dataclass(slots=True)
class ReportEvent:
    """``queue_id`` and ``user_id`` are the ticket's queue and the agent concerned at that moment (the responder, the
    assignee at close), so later transfers do not rewrite history."""

    kind: ReportEventKind
    ticket_id: int
    at: datetime
    queue_id: int | None = None
    user_id: int | None = None
    seconds: int | None = None
    value: int | None = None
    id: int = 0


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """Events with ``start <= at < end``, of one queue and/or one agent when given."""

    start: datetime
    end: datetime
    queue_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class Percentiles:
    """The median and the 90th percentile (linear interpolation, as SQL's ``percentile_cont``); None without data."""

    p50: float | None = None
    p90: float | None = None


@dataclass(frozen=True, slots=True)
class ReportFigures:
    created: int = 0
    closed: int = 0
    first_response: Percentiles = Percentiles()
    resolution: Percentiles = Percentiles()
    rating_count: int = 0
    rating_average: float | None = None


@dataclass(frozen=True, slots=True)
class ReportSummary:
    """The figures over the whole filter, then per queue and per agent (by id; None: no queue / no agent)."""

    totals: ReportFigures
    by_queue: tuple[tuple[int | None, ReportFigures], ...]
    by_user: tuple[tuple[int | None, ReportFigures], ...]


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """The ``fraction`` percentile of ``values`` by linear interpolation between the closest ranks (PostgreSQL's
    ``percentile_cont``); None for no values."""
    return _interpolate(sorted(values), fraction)


# One fact as the summary needs it: (kind, queue_id, user_id, seconds, value). Kinds may be plain strings (a row).
Fact = tuple[str, int | None, int | None, int | None, int | None]


class _Tally:
    """Running figures of one group: counts, the durations to take percentiles of, the ratings."""

    __slots__ = ("closed", "created", "first_response", "rating_sum", "ratings", "resolution")

    def __init__(self) -> None:
        self.created = self.closed = self.ratings = self.rating_sum = 0
        self.first_response: list[float] = []
        self.resolution: list[float] = []

    def add(self, kind: str, seconds: int | None, value: int | None) -> None:
        if kind == ReportEventKind.CREATED:
            self.created += 1
        elif kind == ReportEventKind.FIRST_RESPONSE:
            if seconds is not None:
                self.first_response.append(seconds)
        elif kind == ReportEventKind.CLOSED:
            self.closed += 1
            if seconds is not None:
                self.resolution.append(seconds)
        elif kind == ReportEventKind.RATING and value is not None:
            self.ratings += 1
            self.rating_sum += value

    def figures(self) -> ReportFigures:
        def spread(values: list[float]) -> Percentiles:
            values.sort()
            return Percentiles(_interpolate(values, 0.5), _interpolate(values, 0.9))

        return ReportFigures(
            created=self.created,
            closed=self.closed,
            first_response=spread(self.first_response),
            resolution=spread(self.resolution),
            rating_count=self.ratings,
            rating_average=self.rating_sum / self.ratings if self.ratings else None,
        )


def _interpolate(ordered: list[float], fraction: float) -> float | None:
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _key(value: int | None) -> tuple[bool, int]:
    return (value is None, value or 0)


def summarize_facts(facts: Iterable[Fact]) -> ReportSummary:
    """The summary of facts already filtered, in one pass (the in-Python path: fakes, and SQLite, which has no
    percentile aggregate)."""
    totals = _Tally()
    by_queue: dict[int | None, _Tally] = defaultdict(_Tally)
    by_user: dict[int | None, _Tally] = defaultdict(_Tally)
    for kind, queue_id, user_id, seconds, value in facts:
        totals.add(kind, seconds, value)
        by_queue[queue_id].add(kind, seconds, value)
        by_user[user_id].add(kind, seconds, value)
    return ReportSummary(
        totals=totals.figures(),
        by_queue=tuple((k, by_queue[k].figures()) for k in sorted(by_queue, key=_key)),
        by_user=tuple((k, by_user[k].figures()) for k in sorted(by_user, key=_key)),
    )


def summarize(events: Iterable[ReportEvent]) -> ReportSummary:
    return summarize_facts((e.kind, e.queue_id, e.user_id, e.seconds, e.value) for e in events)


def matches(event: ReportEvent, report: ReportFilter) -> bool:
    return (
        report.start <= event.at < report.end
        and (report.queue_id is None or event.queue_id == report.queue_id)
        and (report.user_id is None or event.user_id == report.user_id)
    )
