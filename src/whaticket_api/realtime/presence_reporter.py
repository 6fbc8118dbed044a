"""The gateway's side of agents' presence: it reports each user's sockets coming and going to the presence tracker
(which every process shares), keeps the tracker's claims fresh while the process lives, and hands a user who just
came online to auto-assignment. Presence is best effort: a failure is logged and never refuses or drops a socket."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from .gateway_ports import AgentCameOnline, PresenceTracker

log = logging.getLogger("whaticket.realtime")


class PresenceReporter:
    """``source`` is resolved at :meth:`start` (the tracker may need the running loop); without one, nothing is
    reported."""

    def __init__(
        self, source: Callable[[], Awaitable[PresenceTracker]] | None, on_agent_online: AgentCameOnline | None
    ) -> None:
        self._source = source
        self._tracker: PresenceTracker | None = None
        self._on_agent_online = on_agent_online
        self._refresher: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._source is not None and self._tracker is None:
            self._tracker = await self._source()
        if self._tracker is not None and self._refresher is None:
            self._refresher = asyncio.create_task(self._refresh(self._tracker), name="whaticket-presence")

    def stop(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            self._refresher = None

    async def connected(self, user_id: int) -> None:
        if self._tracker is None:
            return
        try:
            came_online = await self._tracker.connected(user_id)
        except Exception:
            log.warning("recording the presence of user %s failed", user_id, exc_info=True)
            return
        if came_online and self._on_agent_online is not None:
            try:
                await self._on_agent_online(user_id)
            except Exception:
                log.exception("handling user %s coming online failed", user_id)

    async def disconnected(self, user_id: int) -> None:
        if self._tracker is None:
            return
        try:
            await self._tracker.disconnected(user_id)
        except Exception:
            log.warning("recording that user %s left failed", user_id, exc_info=True)

    async def _refresh(self, tracker: PresenceTracker) -> None:
        while True:
            await asyncio.sleep(tracker.refresh_interval)
            try:
                await tracker.refresh()
            except Exception:
                log.warning("refreshing presence failed", exc_info=True)
