"""Presence of agents from their live sockets: across two server processes sharing Redis (with expiry), and in one
process without Redis; the first socket of a user triggers the backlog hand-out once."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from realtime_harness import World, build_app
from realtime_support import WAIT, serve
from redis import asyncio as aioredis
from redis_databases import SHARED, redis_url

from whaticket_adapters.presence import InMemoryPresence, RedisPresence


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    """Poll ``check`` until it holds (the gateway records presence in the background after a connect)."""
    holds = await check()
    async with asyncio.timeout(WAIT):
        while not holds:
            await asyncio.sleep(0.02)
            holds = await check()


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(redis_url(SHARED))
    try:
        await client.ping()
    except Exception as exc:
        pytest.skip(f"Redis is not reachable: {exc}")
    yield client
    await client.aclose()


async def _server(world: World, presence: Any, online_calls: list[int]) -> tuple[str, Callable[[], Awaitable[None]]]:
    async def came_online(user_id: int) -> None:
        online_calls.append(user_id)

    app, _ = build_app(world, presence=presence, on_agent_online=came_online)
    server, task, url = await serve(app)

    async def stop() -> None:
        server.should_exit = True
        await task

    return url, stop


async def test_presence_is_shared_by_two_processes_through_redis(redis: aioredis.Redis, clients) -> None:
    prefix = f"presence-test-{uuid.uuid4().hex}"
    world = await World().seed()
    calls: list[int] = []
    a = RedisPresence(redis, prefix=prefix)
    b = RedisPresence(redis, prefix=prefix)
    reader = RedisPresence(redis, prefix=prefix)  # a worker: no sockets, reads only
    url_a, stop_a = await _server(world, a, calls)
    url_b, stop_b = await _server(world, b, calls)
    agent = world.ids["agent_a"]
    try:
        first = await clients(url_a, world.token("agent_a"))
        await until(lambda: _online(reader, agent))
        await until(lambda: _async(calls == [agent]))
        second = await clients(url_b, world.token("agent_a"))
        await until(lambda: _async(agent in b.local_users()))
        assert calls == [agent]  # already online through process A: no second hand-out

        await first.client.disconnect()
        await until(lambda: _async(agent not in a.local_users()))
        assert await reader.online([agent]) == {agent}  # still connected on B
        await second.client.disconnect()
        await until(lambda: _offline(reader, agent))
    finally:
        await stop_a()
        await stop_b()
        await redis.delete(f"{prefix}:{agent}")


async def test_a_dead_process_stops_counting_after_the_expiry(redis: aioredis.Redis) -> None:
    prefix = f"presence-test-{uuid.uuid4().hex}"
    now = [1_000_000.0]
    dying = RedisPresence(redis, prefix=prefix, ttl_seconds=30, wall_clock=lambda: now[0])
    reader = RedisPresence(redis, prefix=prefix, wall_clock=lambda: now[0])
    assert await dying.connected(7) is True
    assert await reader.online([7, 8]) == {7}
    now[0] += 29
    assert await reader.online([7]) == {7}
    now[0] += 2  # the process died: no refresh came
    assert await reader.online([7]) == frozenset()
    await redis.delete(f"{prefix}:7")


async def test_refresh_keeps_a_live_process_counted(redis: aioredis.Redis) -> None:
    prefix = f"presence-test-{uuid.uuid4().hex}"
    now = [1_000_000.0]
    live = RedisPresence(redis, prefix=prefix, ttl_seconds=30, wall_clock=lambda: now[0])
    await live.connected(7)
    for _ in range(5):
        now[0] += live.refresh_interval
        await live.refresh()
    assert await live.online([7]) == {7}
    assert await live.disconnected(7) is True
    assert await live.online([7]) == frozenset()


async def test_one_process_without_redis_counts_its_own_sockets(live_world: World, clients) -> None:
    calls: list[int] = []
    presence = InMemoryPresence()
    url, stop = await _server(live_world, presence, calls)
    agent = live_world.ids["agent_b"]
    try:
        tab1 = await clients(url, live_world.token("agent_b"))
        tab2 = await clients(url, live_world.token("agent_b"))
        await until(lambda: _online(presence, agent))
        await until(lambda: _async(calls == [agent]))
        await tab1.client.disconnect()
        assert await presence.online([agent]) == {agent}
        await tab2.client.disconnect()
        await until(lambda: _offline(presence, agent))
    finally:
        await stop()


@pytest.fixture
async def live_world() -> World:
    return await World().seed()


async def _online(presence: Any, user_id: int) -> bool:
    return user_id in await presence.online([user_id])


async def _offline(presence: Any, user_id: int) -> bool:
    return user_id not in await presence.online([user_id])


async def _async(value: bool) -> bool:
    return value
