"""Calls on a session held by another process, through SAQ on the real Redis. Two simulators stand for the two
processes' local transports (each with its own in-memory state): only the holder's is connected."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from job_world import REDIS_URL

from whaticket_adapters.whatsapp.cluster.lease import SessionOwner
from whaticket_adapters.whatsapp.cluster.session_router import SessionCallServer, SessionRouter, session_queue_name
from whaticket_adapters.whatsapp.handlers import TransportHandlers
from whaticket_adapters.whatsapp.simulator.state import SimulatedMedia
from whaticket_adapters.whatsapp.simulator.transport import SimulatorTransport
from whaticket_core.domain.message import MediaFile, MediaType
from whaticket_core.ports.transport import Recipient, TransportError

pytestmark = pytest.mark.integration

TO = Recipient("5511999990001")


class Processes:
    def __init__(self, prefix: str) -> None:
        self.holder_local = SimulatorTransport(handlers=TransportHandlers())
        self.server = SessionCallServer(REDIS_URL, self.holder_local, prefix=prefix)
        self.caller_local = SimulatorTransport(handlers=TransportHandlers())
        self.router = SessionRouter(
            self.caller_local, redis_url=REDIS_URL, holds=lambda _id: False, prefix=prefix, call_timeout=5.0
        )


@pytest.fixture
async def procs() -> AsyncIterator[Processes]:
    prefix = f"whaticket-test-route-{uuid.uuid4().hex[:10]}"
    p = Processes(prefix)
    await p.holder_local.start_session(1)
    await p.holder_local.scan(1)
    await p.server.start(1)
    try:
        yield p
    finally:
        await p.server.close()
        await p.router.close()
        client = aioredis.from_url(REDIS_URL)
        keys = [key async for key in client.scan_iter(match=f"saq:*{prefix}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_sends_reach_the_holders_session_and_return_its_ids(procs: Processes) -> None:
    text_id = await procs.router.send_text(1, TO, "hello", quoted_wa_message_id="Q1")
    media = MediaFile(data=b"\x89PNG\x00bytes", media_type=MediaType.IMAGE, mime_type="image/png", file_name="p.png")
    media_id = await procs.router.send_media(1, TO, media, caption="look")
    await procs.router.edit_text(1, TO, text_id, "hello!")
    await procs.router.delete_for_everyone(1, TO, text_id)
    await procs.router.mark_read(1, TO, ("IN1",))

    items = await procs.holder_local.outbox(1)
    assert [item.kind for item in items] == ["text", "media", "edit", "delete", "read-receipt"]
    assert (items[0].wa_message_id, items[0].quoted_wa_message_id) == (text_id, "Q1")
    assert items[1].wa_message_id == media_id
    assert items[1].media is not None
    assert items[1].media.data == b"\x89PNG\x00bytes"
    assert await procs.caller_local.outbox() == []


async def test_transport_errors_keep_their_retryable_flag(procs: Processes) -> None:
    await procs.holder_local.fail_next(1, 1, "network hiccup")
    with pytest.raises(TransportError, match="network hiccup") as raised:
        await procs.router.send_text(1, TO, "hello")
    assert raised.value.retryable
    with pytest.raises(TransportError) as gone:
        await procs.router.fetch(1, "sim:unknown")
    assert not gone.value.retryable


async def test_media_fetch_round_trip(procs: Processes) -> None:
    command = await procs.holder_local.inbound(
        1, sender="5511999990001", media=SimulatedMedia(MediaType.DOCUMENT, "application/pdf", b"%PDF-1.7 \xff")
    )
    assert command.media is not None
    assert command.media.media_ref is not None
    assert await procs.router.fetch(1, command.media.media_ref) == b"%PDF-1.7 \xff"


async def test_nobody_holding_the_session_is_a_retryable_failure_and_the_call_is_withdrawn(
    procs: Processes,
) -> None:
    router: Any = SessionRouter(
        procs.caller_local, redis_url=REDIS_URL, holds=lambda _id: False, prefix=procs.server._prefix, call_timeout=0.3
    )
    try:
        with pytest.raises(TransportError, match="no worker answered") as raised:
            await router.send_text(2, TO, "hello")
        assert raised.value.retryable
        queue = await router._queue(2)
        assert await queue.count("queued") == 0
        assert session_queue_name(procs.server._prefix, 2) == queue.name
    finally:
        await router.close()


async def test_the_holder_itself_calls_its_local_transport(procs: Processes) -> None:
    router = SessionRouter(procs.holder_local, redis_url=REDIS_URL, holds=lambda _id: True)
    wa_id = await router.send_text(1, TO, "direct")
    [item] = await procs.holder_local.outbox(1)
    assert (item.wa_message_id, item.body) == (wa_id, "direct")


async def test_after_failover_calls_reach_the_new_holder() -> None:
    """Two workers under session leases, each serving calls for what it holds; the API process routes by queue."""
    prefix = f"whaticket-test-route-{uuid.uuid4().hex[:10]}"
    redis = aioredis.from_url(REDIS_URL)
    workers: dict[str, tuple[SimulatorTransport, SessionCallServer, SessionOwner]] = {}

    def make_worker(name: str, ttl_ms: int) -> None:
        local = SimulatorTransport(handlers=TransportHandlers())
        server = SessionCallServer(REDIS_URL, local, prefix=prefix)

        async def start(whatsapp_id: int) -> None:
            await local.start_session(whatsapp_id)
            await local.scan(whatsapp_id)  # stands for resuming the stored device
            await server.start(whatsapp_id)

        async def wanted() -> set[int]:
            return {1}

        owner = SessionOwner(
            redis, wanted=wanted, start=start, stop=server.stop, ttl_ms=ttl_ms, prefix=f"{prefix}-lease", owner=name
        )
        workers[name] = (local, server, owner)

    make_worker("worker-a", ttl_ms=600)
    make_worker("worker-b", ttl_ms=10_000)
    api = SessionRouter(
        SimulatorTransport(handlers=TransportHandlers()),
        redis_url=REDIS_URL,
        holds=lambda _id: False,
        prefix=prefix,
        call_timeout=5.0,
    )
    a_local, a_server, a_owner = workers["worker-a"]
    b_local, _b_server, b_owner = workers["worker-b"]
    try:
        await a_owner.tick()
        await b_owner.tick()
        await api.send_text(1, TO, "via A")

        await a_server.close()  # worker A is killed: it serves nothing and renews nothing
        lease = a_owner.lease_for(1)
        for _ in range(200):
            if await lease.holder() is None:
                break
            await asyncio.sleep(0.05)
        await b_owner.tick()
        assert b_owner.held == {1}
        await api.send_text(1, TO, "via B")

        assert [item.body for item in await a_local.outbox(1)] == ["via A"]
        assert [item.body for item in await b_local.outbox(1)] == ["via B"]
    finally:
        await api.close()
        await b_owner.close()
        await a_server.close()
        keys = [key async for key in redis.scan_iter(match=f"*{prefix}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
