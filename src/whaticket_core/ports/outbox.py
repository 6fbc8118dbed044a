from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..domain.events import DomainEvent


class EventOutbox(Protocol):
    """Keeps the events integrations must receive (webhooks), written in the current transaction of the unit of work
    it belongs to: committed with the change that caused them, or not at all. So a crash between the commit and the
    delivery loses nothing: what is in the outbox is delivered later by a job.

    Use cases record the same events they publish after commit. Events no integration subscribes to may be dropped.
    """

    async def record(self, events: Sequence[DomainEvent]) -> None: ...
