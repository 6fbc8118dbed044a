"""Fixtures of the simulator suite: ``sim``, the served app in simulator mode on a blank PostgreSQL database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from realtime_support import serve  # the realtime suite's server starter, reused (pytest's `pythonpath` reaches it)
from simulator_harness import Sim, simulator_settings
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_api.server import build_server


@pytest.fixture
async def sim(
    pg_url: str, pg_engine: AsyncEngine, db_reset: Callable[[AsyncEngine], Awaitable[None]], tmp_path: Path
) -> AsyncIterator[Sim]:
    """``whaticket serve``'s application (HTTP, Socket.IO, in-process jobs, the simulator) on a real port, over the
    session's PostgreSQL database emptied first; the first admin is registered."""
    await db_reset(pg_engine)
    server, task, url = await serve(build_server(simulator_settings(pg_url, tmp_path)))
    http = httpx.AsyncClient(base_url=f"{url}/api/v1", timeout=30)
    made = Sim(url, http)
    try:
        await made.register()
        yield made
    finally:
        for rec in made.sockets:
            if rec.client.connected:
                await rec.client.disconnect()
        await http.aclose()
        server.should_exit = True
        await task
