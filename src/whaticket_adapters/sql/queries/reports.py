"""The reporting summary: aggregates over the report_events of a time range.

PostgreSQL computes everything in SQL, in one statement: ``percentile_cont`` ordered-set aggregates with FILTER, over
GROUPING SETS (the whole range, per queue, per agent), so the range is read once. SQLite has no percentile aggregate:
it reads the range's events (a few small columns, through the ``at`` index) and the core's
:func:`~whaticket_core.domain.reports.summarize` computes the same figures with the same interpolation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import array

from whaticket_core.domain.reports import (
    Percentiles,
    ReportEventKind,
    ReportFigures,
    ReportFilter,
    ReportSummary,
    summarize_facts,
)

from ..models import table_of
from ..models_agent_tools import ReportEventRow
from .reader import SqlReader

_RE = table_of(ReportEventRow)
_CREATED, _FIRST, _CLOSED, _RATING = (k.value for k in ReportEventKind)


def _where(report: ReportFilter) -> list[ColumnElement[bool]]:
    conditions = [
        _RE.c.at >= bindparam("start", type_=_RE.c.at.type),
        _RE.c.at < bindparam("end", type_=_RE.c.at.type),
    ]
    if report.queue_id is not None:
        conditions.append(_RE.c.queue_id == bindparam("queue_id", type_=_RE.c.queue_id.type))
    if report.user_id is not None:
        conditions.append(_RE.c.user_id == bindparam("user_id", type_=_RE.c.user_id.type))
    return conditions


def report_params(report: ReportFilter) -> dict[str, Any]:
    return {"start": report.start, "end": report.end, "queue_id": report.queue_id, "user_id": report.user_id}


def _percentiles(kind: str) -> ColumnElement[Any]:
    """p50 and p90 of ``seconds`` over the events of ``kind``, as one array: one sort for both."""
    ordered = func.percentile_cont(array([0.5, 0.9])).within_group(_RE.c.seconds)
    return ordered.filter(_RE.c.kind == kind)


# One scan of the range for the three groupings: the whole range, per queue, per agent (GROUPING tells them apart:
# 3 = the whole range, 1 = a queue's row, 2 = an agent's row).
_GROUPING = func.grouping(_RE.c.queue_id, _RE.c.user_id)
_AGGREGATES: tuple[ColumnElement[Any], ...] = (
    func.count().filter(_RE.c.kind == _CREATED),
    func.count().filter(_RE.c.kind == _CLOSED),
    _percentiles(_FIRST),
    _percentiles(_CLOSED),
    func.count(_RE.c.value).filter(_RE.c.kind == _RATING),
    func.avg(_RE.c.value).filter(_RE.c.kind == _RATING),
)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _spread(values: Sequence[Any] | None) -> Percentiles:
    if values is None:
        return Percentiles()
    return Percentiles(_number(values[0]), _number(values[1]))


def _figures(row: Sequence[Any]) -> ReportFigures:
    created, closed, first, resolution, ratings, average = row
    return ReportFigures(
        created=int(created),
        closed=int(closed),
        first_response=_spread(first),
        resolution=_spread(resolution),
        rating_count=int(ratings),
        rating_average=_number(average),
    )


def _key(group: tuple[int | None, ReportFigures]) -> tuple[bool, int]:
    return (group[0] is None, group[0] or 0)


class SqlReportQueries(SqlReader):
    """Implements :class:`~whaticket_core.ports.queries.ReportQueries`."""

    def statement(self, report: ReportFilter) -> Select[Any]:
        """PostgreSQL's statement (bind parameters: :func:`params`), exposed for EXPLAIN in benchmarks."""
        return (
            select(_GROUPING, _RE.c.queue_id, _RE.c.user_id, *_AGGREGATES)
            .where(*_where(report))
            .group_by(func.grouping_sets(tuple_(), tuple_(_RE.c.queue_id), tuple_(_RE.c.user_id)))
        )

    async def summary(self, report: ReportFilter) -> ReportSummary:
        params = report_params(report)
        if not self._postgres:
            return await self._summary_in_python(report, params)
        totals = ReportFigures()
        by_queue: list[tuple[int | None, ReportFigures]] = []
        by_user: list[tuple[int | None, ReportFigures]] = []
        for grouping, queue_id, user_id, *figures in await self._rows(self.statement(report), params):
            if grouping == 3:
                totals = _figures(figures)
            elif grouping == 1:
                by_queue.append((queue_id, _figures(figures)))
            else:
                by_user.append((user_id, _figures(figures)))
        return ReportSummary(totals, tuple(sorted(by_queue, key=_key)), tuple(sorted(by_user, key=_key)))

    async def _summary_in_python(self, report: ReportFilter, params: dict[str, Any]) -> ReportSummary:
        # Only the columns the figures need: no timestamp to parse per row.
        columns = (_RE.c.kind, _RE.c.queue_id, _RE.c.user_id, _RE.c.seconds, _RE.c.value)
        rows = await self._rows(select(*columns).where(*_where(report)), params)
        return summarize_facts(
            (kind, queue_id, user_id, seconds, value) for kind, queue_id, user_id, seconds, value in rows
        )
