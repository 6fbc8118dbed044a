"""A real HTTP receiver for webhook tests: an aiohttp server on 127.0.0.1 that records what it got and answers with
the statuses it is given (200 once they run out)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str = ""
    answers: list[int] = field(default_factory=list)
    always: int | None = None  # answer this to everything (overrides ``answers``)
    got: list[Received] = field(default_factory=list)
    _arrival: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        self.got.append(Received(dict(request.headers), body))
        self._arrival.set()
        status = self.always or (self.answers.pop(0) if self.answers else 200)
        return web.Response(status=status, text=f"answer {status}")

    async def until(self, count: int) -> list[Received]:
        """Waits (on arrivals, not on a clock) until ``count`` requests came; bound it with ``asyncio.timeout``."""
        while len(self.got) < count:
            self._arrival.clear()
            await self._arrival.wait()
        return self.got


@asynccontextmanager
async def receiving(**kw: Any) -> AsyncIterator[Receiver]:
    receiver = Receiver(**kw)
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    receiver.url = f"http://127.0.0.1:{port}/hook"
    try:
        yield receiver
    finally:
        await runner.cleanup()
