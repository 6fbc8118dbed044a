"""Helpers of the realtime suite: a real uvicorn server in the test's event loop, and a recording Socket.IO client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import socketio
import uvicorn
from realtime_harness import World
from served_process import free_port

from whaticket_api.realtime import RealtimeGateway

# Generous: only reached when something is broken (then the test fails instead of hanging).
WAIT = 10.0


@dataclass
class LiveServer:
    url: str
    world: World
    gateway: RealtimeGateway
    server: uvicorn.Server


async def serve(app: Any) -> tuple[uvicorn.Server, asyncio.Task[None], str]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    return server, task, f"http://127.0.0.1:{port}"


@dataclass
class Recorder:
    """A python-socketio client that keeps every event it receives, in order."""

    client: socketio.AsyncClient
    events: list[tuple[str, Any]] = field(default_factory=list)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    connect_errors: list[Any] = field(default_factory=list)
    disconnected: asyncio.Event = field(default_factory=asyncio.Event)

    async def _record(self, event: str, data: Any = None) -> None:
        async with self.changed:
            self.events.append((event, data))
            self.changed.notify_all()

    async def wait_for(self, event: str, where: Callable[[Any], bool] = lambda _: True) -> Any:
        """The first ``event`` whose payload satisfies ``where`` (waiting for it if needed)."""

        def found() -> Any:
            return next((d for e, d in self.events if e == event and where(d)), None)

        async with asyncio.timeout(WAIT), self.changed:
            await self.changed.wait_for(lambda: found() is not None)
        return found()

    def received(self, event: str, where: Callable[[Any], bool] = lambda _: True) -> list[Any]:
        return [d for e, d in self.events if e == event and where(d)]

    async def call(self, event: str, data: Any) -> Any:
        return await self.client.call(event, data, timeout=WAIT)


def about_ticket(ticket_id: int) -> Callable[[Any], bool]:
    return lambda d: (
        isinstance(d, dict) and (d.get("ticketId") == ticket_id or (d.get("ticket") or {}).get("id") == ticket_id)
    )
