"""The in-memory inbox repository."""

from __future__ import annotations

import copy
from datetime import datetime

from ..domain.inbox import InboxEntry, InboxStatus
from .repository_base import InMemoryRepository


class InMemoryInboxRepository(InMemoryRepository):
    async def add(self, entry: InboxEntry) -> tuple[InboxEntry, bool]:
        for stored in self._s.inbox.values():
            if (stored.whatsapp_id, stored.kind, stored.key) == (entry.whatsapp_id, entry.kind, entry.key):
                return copy.deepcopy(stored), False
        entry.id = self._s.allocate("inbox")
        self._s.inbox[entry.id] = copy.deepcopy(entry)
        return entry, True

    async def get(self, entry_id: int, *, for_update: bool = False) -> InboxEntry | None:
        return copy.deepcopy(self._s.inbox.get(entry_id))

    async def save(self, entry: InboxEntry) -> None:
        self._s.inbox[entry.id] = copy.deepcopy(entry)

    async def list_failed(self, whatsapp_id: int, limit: int, before_id: int | None = None) -> list[InboxEntry]:
        found = [
            e
            for e in self._s.inbox.values()
            if e.whatsapp_id == whatsapp_id
            and e.status is InboxStatus.FAILED
            and (before_id is None or e.id < before_id)
        ]
        return copy.deepcopy(sorted(found, key=lambda e: e.id, reverse=True)[:limit])

    async def list_stale(self, older_than: datetime, limit: int) -> list[InboxEntry]:
        found = [
            e
            for e in self._s.inbox.values()
            if (e.status is InboxStatus.PENDING and e.received_at < older_than)
            or (e.retries_left and e.processed_at is not None and e.processed_at < older_than)
        ]
        return copy.deepcopy(sorted(found, key=lambda e: e.id)[:limit])
