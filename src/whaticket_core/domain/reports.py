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
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def figures_of(events: Iterable[ReportEvent]) -> ReportFigures:
    counts = {kind: 0 for kind in ReportEventKind}
    durations: dict[ReportEventKind, list[float]] = defaultdict(list)
    ratings: list[int] = []
    for event in events:
        counts[event.kind] += 1
        if event.seconds is not None:
            durations[event.kind].append(event.seconds)
        if event.kind is ReportEventKind.RATING and event.value is not None:
            ratings.append(event.value)

    def spread(kind: ReportEventKind) -> Percentiles:
        return Percentiles(percentile_cont(durations[kind], 0.5), percentile_cont(durations[kind], 0.9))

    return ReportFigures(
        created=counts[ReportEventKind.CREATED],
        closed=counts[ReportEventKind.CLOSED],
        first_response=spread(ReportEventKind.FIRST_RESPONSE),
        resolution=spread(ReportEventKind.CLOSED),
        rating_count=len(ratings),
        rating_average=sum(ratings) / len(ratings) if ratings else None,
    )


def _key(value: int | None) -> tuple[bool, int]:
    return (value is None, value or 0)


def summarize(events: Iterable[ReportEvent]) -> ReportSummary:
    """The summary of events already filtered (the in-Python path: fakes, and SQLite, which has no percentiles)."""
    selected = list(events)
    by_queue: dict[int | None, list[ReportEvent]] = defaultdict(list)
    by_user: dict[int | None, list[ReportEvent]] = defaultdict(list)
    for event in selected:
        by_queue[event.queue_id].append(event)
        by_user[event.user_id].append(event)
    return ReportSummary(
        totals=figures_of(selected),
        by_queue=tuple((k, figures_of(by_queue[k])) for k in sorted(by_queue, key=_key)),
        by_user=tuple((k, figures_of(by_user[k])) for k in sorted(by_user, key=_key)),
    )


def matches(event: ReportEvent, report: ReportFilter) -> bool:
    return (
        report.start <= event.at < report.end
        and (report.queue_id is None or event.queue_id == report.queue_id)
        and (report.user_id is None or event.user_id == report.user_id)
    )
