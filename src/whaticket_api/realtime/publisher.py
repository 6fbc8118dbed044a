"""The core's EventPublisher port over Socket.IO."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, Protocol

from whaticket_core.domain.events import DomainEvent

from .routing import deliveries_for

log = logging.getLogger("whaticket.realtime")

NAMESPACE = "/"


class Emitter(Protocol):
    """``socketio.AsyncServer`` or a client manager (a write-only ``AsyncRedisManager`` in worker processes)."""

    async def emit(self, event: str, data: Any, *, room: Any, namespace: str) -> Any: ...


class SocketIoEventPublisher:
    """Maps domain events to the contract's events and rooms and emits them.

    One emit per event with the list of its rooms: python-socketio unions the rooms' members (``BaseManager.
    get_participants``), so a socket in several of them gets the event once, on every process. Best effort, as the
    port requires: a delivery problem is logged, never raised, and each emit is bounded by ``timeout`` seconds so a
    stalled Redis cannot hold up the use case that published.
    """

    def __init__(self, emitter: Emitter, *, timeout: float = 5.0) -> None:
        self._emitter = emitter
        self._timeout = timeout

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            try:
                deliveries = deliveries_for(event)
            except Exception:
                log.exception("cannot map %s to realtime events", type(event).__name__)
                continue
            for d in deliveries:
                try:
                    async with asyncio.timeout(self._timeout):
                        await self._emitter.emit(d.event, d.data, room=d.rooms, namespace=NAMESPACE)
                except Exception:
                    log.exception("realtime delivery of %s to %s failed", d.event, d.rooms)
