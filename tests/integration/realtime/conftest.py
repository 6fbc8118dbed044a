"""Fixtures for the realtime suite: a live harness server, and recording Socket.IO clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import socketio
from realtime_harness import World, build_app
from realtime_support import WAIT, LiveServer, Recorder, serve


@pytest.fixture
async def live() -> AsyncIterator[LiveServer]:
    world = await World().seed()
    app, gateway = build_app(world)
    server, task, url = await serve(app)
    try:
        yield LiveServer(url, world, gateway, server)
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def clients() -> AsyncIterator[Callable[..., Any]]:
    """``await connect(url, token)`` -> a connected :class:`Recorder`; all are disconnected at the end."""
    made: list[Recorder] = []

    async def connect(url: str, token: str | None, *, expect_refusal: bool = False) -> Recorder:
        client = socketio.AsyncClient(reconnection=False)
        rec = Recorder(client)

        @client.on("*")
        async def any_event(event: str, data: Any = None) -> None:
            await rec._record(event, data)

        @client.event
        async def connect_error(data: Any) -> None:
            rec.connect_errors.append(data)

        @client.event
        async def disconnect(reason: Any = None) -> None:
            rec.disconnected.set()

        made.append(rec)
        auth = {"token": token} if token is not None else None
        if expect_refusal:
            with pytest.raises(socketio.exceptions.ConnectionError):
                await client.connect(url, auth=auth, transports=["websocket"], wait_timeout=WAIT)
            return rec
        await client.connect(url, auth=auth, transports=["websocket"], wait_timeout=WAIT)
        await rec.wait_for("connected")
        return rec

    yield connect
    for rec in made:
        if rec.client.connected:
            await rec.client.disconnect()
