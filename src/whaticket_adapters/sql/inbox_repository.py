"""The inbox on SQL: an idempotent insert (ON CONFLICT DO NOTHING, then read the stored row) so a redelivered event
never raises, even when two processes store it at the same moment."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row

from whaticket_core.domain.inbox import MAX_INBOX_ATTEMPTS, InboxEntry, InboxKind, InboxStatus

from .base_repository import SqlRepository
from .models import table_of
from .models_inbox import InboxRow

_INBOX = table_of(InboxRow)
_FIELDS = ("whatsapp_id", "key", "payload", "received_at", "attempts", "error", "processed_at")


def _values(entry: InboxEntry) -> dict[str, Any]:
    return {**{name: getattr(entry, name) for name in _FIELDS}, "kind": entry.kind.value, "status": entry.status.value}


def _entry(row: Row[Any]) -> InboxEntry:
    m = row._mapping
    return InboxEntry(
        kind=InboxKind(m["kind"]),
        status=InboxStatus(m["status"]),
        id=m["id"],
        **{name: m[name] for name in _FIELDS},
    )


class SqlInboxRepository(SqlRepository):
    """Implements :class:`~whaticket_core.ports.repositories.InboxRepository`."""

    async def add(self, entry: InboxEntry) -> tuple[InboxEntry, bool]:
        insert = pg_insert if self._dialect == "postgresql" else sqlite_insert
        statement = insert(_INBOX).values(**_values(entry)).on_conflict_do_nothing().returning(_INBOX.c.id)
        inserted = (await self._execute(statement)).scalar_one_or_none()
        if inserted is not None:
            entry.id = int(inserted)
            return entry, True
        row = await self._one(
            select(_INBOX).where(
                _INBOX.c.whatsapp_id == entry.whatsapp_id,
                _INBOX.c.kind == entry.kind.value,
                _INBOX.c.key == entry.key,
            )
        )
        assert row is not None  # the conflicting row exists: rows are only deleted with their connection
        return _entry(row), False

    async def get(self, entry_id: int, *, for_update: bool = False) -> InboxEntry | None:
        statement = select(_INBOX).where(_INBOX.c.id == entry_id)
        row = await self._one(statement.with_for_update() if for_update else statement)
        return None if row is None else _entry(row)

    async def save(self, entry: InboxEntry) -> None:
        await self._execute(update(_INBOX).where(_INBOX.c.id == entry.id).values(**_values(entry)))

    async def list_failed(self, whatsapp_id: int, limit: int, before_id: int | None = None) -> list[InboxEntry]:
        conditions = [_INBOX.c.status == InboxStatus.FAILED.value, _INBOX.c.whatsapp_id == whatsapp_id]
        if before_id is not None:
            conditions.append(_INBOX.c.id < before_id)
        rows = await self._all(select(_INBOX).where(*conditions).order_by(_INBOX.c.id.desc()).limit(limit))
        return [_entry(row) for row in rows]

    async def list_stale(self, older_than: datetime, limit: int) -> list[InboxEntry]:
        stale = or_(
            and_(_INBOX.c.status == InboxStatus.PENDING.value, _INBOX.c.received_at < older_than),
            and_(
                _INBOX.c.status == InboxStatus.FAILED.value,
                _INBOX.c.attempts < MAX_INBOX_ATTEMPTS,
                _INBOX.c.processed_at < older_than,
            ),
        )
        rows = await self._all(
            select(_INBOX).where(_INBOX.c.status != InboxStatus.DONE.value, stale).order_by(_INBOX.c.id).limit(limit)
        )
        return [_entry(row) for row in rows]
