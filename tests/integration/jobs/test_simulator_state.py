"""The simulator's state holders, in memory and in the real Redis (a unique prefix per test, keys removed after):
one contract, and two simulators sharing Redis as an API process and a worker would."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio as aioredis
from job_world import REDIS_URL

from whaticket_adapters.whatsapp.handlers import TransportHandlers
from whaticket_adapters.whatsapp.simulator.state import (
    InMemorySimulatorState,
    OutboxItem,
    RedisSimulatorState,
    SimulatedMedia,
    SimulatedSession,
    StoredMedia,
)
from whaticket_adapters.whatsapp.simulator.transport import SimulatorTransport
from whaticket_core.domain.message import MediaFile, MediaType
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.ports.transport import Recipient, TransportError

pytestmark = pytest.mark.integration


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    name = f"whaticket-test-sim-{uuid.uuid4().hex[:10]}"
    yield name
    client = aioredis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(match=f"{name}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture(params=["memory", "redis"])
async def state(request: pytest.FixtureRequest, prefix: str) -> AsyncIterator[Any]:
    if request.param == "memory":
        yield InMemorySimulatorState()
        return
    redis_state = RedisSimulatorState.from_url(REDIS_URL, prefix=prefix)
    yield redis_state
    await redis_state.close()


async def test_outbox_keeps_send_order_and_filters(state: Any) -> None:
    media = SimulatedMedia(MediaType.IMAGE, "image/png", b"\x00\x01png", "a.png")
    first = await state.append_outbox(OutboxItem(0, 1, "text", "5511999990001", body="olá 👋 a/b", wa_message_id="A"))
    await state.append_outbox(OutboxItem(0, 2, "media", "5511999990002", body="cap", wa_message_id="B", media=media))
    await state.append_outbox(OutboxItem(0, 1, "read-receipt", "120363", is_group=True, wa_message_ids=("X", "Y")))
    await state.append_outbox(OutboxItem(0, 1, "delete", "5511999990001", wa_message_id="A"))

    assert (first.seq, first.body) == (1, "olá 👋 a/b")
    everything = await state.outbox()
    assert [item.seq for item in everything] == [1, 2, 3, 4]
    assert everything[1].media == media
    assert everything[2] == OutboxItem(3, 1, "read-receipt", "120363", is_group=True, wa_message_ids=("X", "Y"))
    assert everything[3].wa_message_ids == ()
    assert [item.kind for item in await state.outbox(1)] == ["text", "read-receipt", "delete"]
    assert [item.seq for item in await state.outbox(1, after=1)] == [3, 4]


async def test_failures_count_down(state: Any) -> None:
    await state.fail_next(1, 2, "boom")
    assert [await state.take_failure(1) for _ in range(3)] == ["boom", "boom", None]
    assert await state.take_failure(2) is None
    await state.fail_next(1, 5, "x")
    await state.fail_next(1, 0, "x")
    assert await state.take_failure(1) is None


async def test_media_and_sessions_and_ids(state: Any) -> None:
    await state.put_media("sim:1", StoredMedia(b"\xffbytes", "audio/ogg"))
    assert await state.get_media("sim:1") == StoredMedia(b"\xffbytes", "audio/ogg")
    assert await state.get_media("sim:2") is None

    session = SimulatedSession(ConnectionStatus.CONNECTED, number="5511912345678")
    await state.set_session(7, session)
    assert await state.get_session(7) == session
    await state.set_session(7, None)
    assert await state.get_session(7) is None

    assert [await state.next_id() for _ in range(3)] == [1, 2, 3]


async def test_an_api_and_a_worker_process_share_one_simulated_whatsapp(prefix: str) -> None:
    """Two transports over one Redis prefix: the API side scans and injects; the worker side sends and fetches."""
    api_state = RedisSimulatorState.from_url(REDIS_URL, prefix=prefix)
    worker_state = RedisSimulatorState.from_url(REDIS_URL, prefix=prefix)
    received: list[Any] = []

    async def on_message(command: Any) -> None:
        received.append(command)

    api = SimulatorTransport(handlers=TransportHandlers(on_inbound=on_message), state=api_state)
    worker = SimulatorTransport(handlers=TransportHandlers(), state=worker_state)
    try:
        await api.start_session(1)
        await api.scan(1)
        command = await api.inbound(
            1, sender="5511999990001", media=SimulatedMedia(MediaType.VOICE, "audio/ogg", b"OggS voice")
        )
        assert command.media is not None
        assert command.media.media_ref is not None
        assert await worker.fetch(1, command.media.media_ref) == b"OggS voice"

        await api.fail_next(1, 1, "flaky network")
        to = Recipient("5511999990001")
        with pytest.raises(TransportError, match="flaky network"):
            await worker.send_text(1, to, "first try")
        results = await asyncio.gather(
            worker.send_text(1, to, "a"),
            worker.send_media(1, to, MediaFile(data=b"img", media_type=MediaType.IMAGE, mime_type="image/png")),
            api.send_text(1, to, "b"),
        )
        assert len(set(results)) == 3
        assert sorted(item.body for item in await api.outbox(1)) == ["", "a", "b"]
        assert [item.seq for item in await api.outbox(1)] == [1, 2, 3]
    finally:
        await api_state.close()
        await worker_state.close()
