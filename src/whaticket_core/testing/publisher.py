from __future__ import annotations

from collections.abc import Sequence

from ..domain.events import DomainEvent


class RecordingPublisher:
    """Keeps every published event, in order."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        self.events.extend(events)

    def of_type(self, kind: type) -> list[DomainEvent]:
        return [e for e in self.events if isinstance(e, kind)]

    def clear(self) -> None:
        self.events.clear()
