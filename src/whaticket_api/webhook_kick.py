"""Starting webhook delivery right after a commit, instead of at the next periodic run.

The outbox rows are already committed when events are published, so this is only about latency: a lost enqueue is
made good by the periodic run. It enqueues only while some webhook is active (checked at most every few seconds), so
deployments without webhooks queue nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.models import table_of
from whaticket_adapters.sql.models_integrations import WebhookRow
from whaticket_core.domain.events import DomainEvent
from whaticket_core.ports import EventPublisher, JobQueue
from whaticket_core.ports.jobs import DispatchWebhooksJob

from .realtime.webhook_events import is_webhook_event

log = logging.getLogger("whaticket.webhooks")

_W = table_of(WebhookRow)
_ANY_ACTIVE = select(_W.c.id).where(_W.c.active.is_(True)).limit(1)
PRESENCE_SECONDS = 5.0


class ActiveWebhooks:
    """Whether any webhook is active, read at most every ``PRESENCE_SECONDS`` (``forget`` after a change made here)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._known: bool | None = None
        self._read_at = 0.0

    def forget(self) -> None:
        self._known = None

    async def any(self) -> bool:
        now = time.monotonic()
        if self._known is None or now - self._read_at >= PRESENCE_SECONDS:
            async with self._engine.connect() as conn:
                self._known = (await conn.execute(_ANY_ACTIVE)).first() is not None
            self._read_at = now
        return self._known


class WebhookPresence(Protocol):
    async def any(self) -> bool: ...


class WebhookKickingPublisher:
    """An :class:`EventPublisher` that publishes through ``inner``, then asks for a webhook dispatch when the events
    include ones webhooks carry. Never raises (the port's rule): a failed enqueue is logged."""

    def __init__(self, inner: EventPublisher, jobs: JobQueue, active: WebhookPresence) -> None:
        self._inner = inner
        self._jobs = jobs
        self._active = active

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        await self._inner.publish(events)
        if not any(is_webhook_event(e) for e in events):
            return
        try:
            if await self._active.any():
                await self._jobs.enqueue(DispatchWebhooksJob())
        except Exception:
            log.warning("could not start webhook delivery now; the periodic run will", exc_info=True)
