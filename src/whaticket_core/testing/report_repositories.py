"""In-memory reporting events and the summary over them."""

from __future__ import annotations

import copy

from ..domain.reports import ReportEvent, ReportEventKind, ReportFilter, ReportSummary, matches, summarize
from .repository_base import InMemoryRepository
from .store import InMemoryStore


class InMemoryReportEventRepository(InMemoryRepository):
    async def add(self, event: ReportEvent) -> ReportEvent:
        event.id = self._s.allocate("report_events")
        self._s.report_events[event.id] = copy.deepcopy(event)
        return event

    async def exists(self, ticket_id: int, kind: ReportEventKind) -> bool:
        return any(e.ticket_id == ticket_id and e.kind is kind for e in self._s.report_events.values())


class InMemoryReportQueries:
    """The summary over an :class:`InMemoryStore`'s committed events."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def summary(self, report: ReportFilter) -> ReportSummary:
        return summarize(e for e in self._store.state.report_events.values() if matches(e, report))
