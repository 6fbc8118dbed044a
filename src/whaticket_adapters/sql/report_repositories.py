"""Reporting events (appended, never changed)."""

from __future__ import annotations

from sqlalchemy import exists, insert, select

from whaticket_core.domain.reports import ReportEvent, ReportEventKind

from .base_repository import SqlRepository
from .models import table_of
from .models_agent_tools import ReportEventRow

_RE = table_of(ReportEventRow)
_ADD = insert(_RE).returning(_RE.c.id)  # built once: every new ticket records one
_PG_ADD = (  # the driver path (see driver_path), columns in the order of ``add``'s values
    "INSERT INTO report_events (kind, ticket_id, at, queue_id, user_id, seconds, value)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
)


class SqlReportEventRepository(SqlRepository):
    async def add(self, event: ReportEvent) -> ReportEvent:
        values = {
            "kind": event.kind.value,
            "ticket_id": event.ticket_id,
            "at": event.at,
            "queue_id": event.queue_id,
            "user_id": event.user_id,
            "seconds": event.seconds,
            "value": event.value,
        }
        if (driver := self._uow.driver) is not None:
            record = await driver.fetchrow(_PG_ADD, *values.values())
            assert record is not None  # RETURNING of an insert
            event.id = record["id"]
            return event
        event.id = (await self._execute(_ADD, values)).scalar_one()
        return event

    async def exists(self, ticket_id: int, kind: ReportEventKind) -> bool:
        row = await self._one(select(exists().where(_RE.c.ticket_id == ticket_id, _RE.c.kind == kind.value)))
        return bool(row and row[0])
