from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from ..domain.events import DomainEvent

E = TypeVar("E")


class RecordingPublisher:
    """Keeps every published event, in order."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        self.events.extend(events)

    def of_type(self, kind: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, kind)]

    def clear(self) -> None:
        self.events.clear()
