"""The webhook outbox in SQL: events become delivery rows in the unit of work's own transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import insert, select

from whaticket_core.domain.events import DomainEvent
from whaticket_core.domain.webhooks import ALL_EVENTS, DeliveryStatus
from whaticket_core.ports.clock import Clock

from .base_repository import SqlRepository
from .models import table_of
from .models_integrations import WebhookDeliveryRow, WebhookRow

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork

_W = table_of(WebhookRow)
_D = table_of(WebhookDeliveryRow)
_ACTIVE = select(_W.c.id, _W.c.events).where(_W.c.active.is_(True))
_PG_ACTIVE = "SELECT id, events FROM webhooks WHERE active"  # the driver path (see driver_path)


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    """An event as webhooks send it: its name (``ticket.updated``), its ordering stream (``ticket:7``) and its
    payload as JSON text."""

    name: str
    stream: str
    data: str
    actor: str | None = None  # who caused it, as a JSON object


class WebhookEventEncoder(Protocol):
    """Turns a domain event into what webhooks send (none, one or several events). Provided by the API layer,
    which owns the wire format, so webhook payloads are exactly the realtime ones."""

    def encode(self, event: DomainEvent) -> list[EncodedEvent]: ...


class SqlEventOutbox(SqlRepository):
    """Implements :class:`~whaticket_core.ports.outbox.EventOutbox`: one delivery row per event and active webhook
    subscribed to it. Without an encoder (tools and tests that send no webhooks) nothing is written; with no active
    webhook, the cost is one small read."""

    def __init__(self, uow: SqlUnitOfWork, encoder: WebhookEventEncoder | None, clock: Clock | None = None) -> None:
        super().__init__(uow)
        self._encoder = encoder
        self._clock = clock

    async def record(self, events: Sequence[DomainEvent]) -> None:
        if self._encoder is None or not events:
            return
        # The hooks first: with none active (the usual case) the events are never encoded.
        driver = self._uow.driver
        if driver is not None and driver.active_webhooks is not None:
            found: Sequence[tuple[int, str]] = driver.active_webhooks  # read with the connection (see DriverPath)
        elif driver is not None:
            found = [(row["id"], row["events"]) for row in await driver.fetch(_PG_ACTIVE)]
        else:
            found = [(row.id, row.events) for row in (await self._execute(_ACTIVE)).all()]
        hooks = [(webhook_id, frozenset(events.split())) for webhook_id, events in found]
        if not hooks:
            return
        encoded = [e for event in events for e in self._encoder.encode(event)]
        if not encoded:
            return
        now = self._clock.now() if self._clock is not None else datetime.now(UTC)
        rows = []
        for event in encoded:
            event_id = str(uuid.uuid4())
            for webhook_id, wanted in hooks:
                if ALL_EVENTS in wanted or event.name in wanted:
                    rows.append(
                        {
                            "webhook_id": webhook_id,
                            "event_id": event_id,
                            "event": event.name,
                            "stream": event.stream,
                            "data": event.data,
                            "actor": event.actor,
                            "status": DeliveryStatus.PENDING.value,
                            "attempt": 0,
                            "next_attempt_at": now,
                            "created_at": now,
                        }
                    )
        if rows:
            await self._execute(insert(_D), rows)
