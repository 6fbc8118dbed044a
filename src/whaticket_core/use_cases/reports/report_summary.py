from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from whaticket_core.domain.errors import InvalidInput, QueueNotFound, UserNotFound
from whaticket_core.domain.reports import ReportFilter, ReportSummary
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.queries import ReportQueries
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.shared.guards import require_staff

DEFAULT_RANGE = timedelta(days=30)
MAX_RANGE = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class GetReportSummaryCommand:
    actor: Viewer
    start: datetime | None = None
    end: datetime | None = None
    queue_id: int | None = None
    user_id: int | None = None


class GetReportSummary:
    """The reporting summary of a time range, from the events recorded when things happened.

    Rules: admins and supervisors only (``forbidden``); ``end`` defaults to now and ``start`` to 30 days before
    ``end``; ``start`` must be before ``end`` and the range at most 366 days (``validation_error``); a given queue or
    user must exist (``queue_not_found``, ``user_not_found``). Events count by when they happened: a ticket created
    in the range and closed after it counts as created, not closed.
    """

    def __init__(self, uow: UnitOfWork, queries: ReportQueries, clock: Clock) -> None:
        self._uow = uow
        self._queries = queries
        self._clock = clock

    async def execute(self, command: GetReportSummaryCommand) -> tuple[ReportFilter, ReportSummary]:
        require_staff(command.actor, "read reports")
        end = command.end or self._clock.now()
        start = command.start or end - DEFAULT_RANGE
        if start >= end:
            raise InvalidInput("from must be before to", "from", "to")
        if end - start > MAX_RANGE:
            raise InvalidInput("a report covers at most 366 days", "from", "to")
        if command.queue_id is not None or command.user_id is not None:
            async with self._uow as uow:
                if command.queue_id is not None and await uow.queues.get(command.queue_id) is None:
                    raise QueueNotFound(f"Queue {command.queue_id} not found", queue_id=command.queue_id)
                if command.user_id is not None and await uow.users.get(command.user_id) is None:
                    raise UserNotFound(f"User {command.user_id} not found", user_id=command.user_id)
        report = ReportFilter(start, end, command.queue_id, command.user_id)
        return report, await self._queries.summary(report)
