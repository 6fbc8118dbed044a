from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from ..domain.events import DomainEvent


class EventPublisher(Protocol):
    """Pushes domain events to live clients. Called only after the transaction that caused them committed.

    Publishing is best effort: it must not raise for a delivery problem (a missed live update is recovered by the
    next read), and it must not block on slow clients.
    """

    async def publish(self, events: Sequence[DomainEvent]) -> None: ...
