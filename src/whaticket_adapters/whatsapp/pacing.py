"""Slowing one connection down after WhatsApp rate-limited it.

A connection's session runs in one process (the lease holder in production, the only process in the embedded
default), so the pause lives beside the session, in that process's transport.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from whaticket_core.domain.message import SendErrorKind
from whaticket_core.ports.transport import TransportError


@dataclass(slots=True)
class _Pause:
    level: int
    until: float


class SendPacer:
    """After a rate limit on a connection, its sends wait: the first pause is ``base`` seconds, each further rate
    limit before a send succeeds doubles it (up to ``ceiling``). A send that would have to wait longer than
    ``max_wait`` is refused at once as ``rate_limited`` (its job retries later) instead of holding a worker."""

    def __init__(
        self,
        *,
        base: float = 5.0,
        ceiling: float = 300.0,
        max_wait: float = 20.0,
        now: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._base = base
        self._ceiling = ceiling
        self._max_wait = max_wait
        self._now = now
        self._sleep = sleep
        self._pauses: dict[int, _Pause] = {}

    def rate_limited(self, whatsapp_id: int) -> float:
        """WhatsApp rate-limited connection ``whatsapp_id``: pause its sends; returns the pause in seconds."""
        level = self._pauses[whatsapp_id].level + 1 if whatsapp_id in self._pauses else 1
        pause = min(self._ceiling, self._base * 2.0 ** (level - 1))
        self._pauses[whatsapp_id] = _Pause(level, self._now() + pause)
        return pause

    def succeeded(self, whatsapp_id: int) -> None:
        """A send went through: the next rate limit starts from the first pause again."""
        pause = self._pauses.get(whatsapp_id)
        if pause is not None and pause.until <= self._now():
            del self._pauses[whatsapp_id]

    def remaining(self, whatsapp_id: int) -> float:
        pause = self._pauses.get(whatsapp_id)
        return 0.0 if pause is None else max(0.0, pause.until - self._now())

    async def before_send(self, whatsapp_id: int) -> None:
        """Wait out the connection's pause, or refuse the send when the pause is too long to wait."""
        wait = self.remaining(whatsapp_id)
        if wait <= 0:
            return
        if wait > self._max_wait:
            raise TransportError(
                f"WhatsApp rate-limited this connection; sends are paused for {wait:.0f}s",
                kind=SendErrorKind.RATE_LIMITED,
            )
        await self._sleep(wait)
