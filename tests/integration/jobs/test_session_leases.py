"""Session leases on the real Redis: one holder at a time, takeover after expiry, handing sessions over."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from job_world import REDIS_URL

from whaticket_adapters.whatsapp.cluster.lease import RedisLease, SessionOwner

pytestmark = pytest.mark.integration

SHORT_MS = 600  # short enough to wait for, long enough that no step of a test outlives it


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.from_url(REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture
async def prefix(redis: aioredis.Redis) -> AsyncIterator[str]:
    name = f"whaticket-test-lease-{uuid.uuid4().hex[:10]}"
    yield name
    keys = [key async for key in redis.scan_iter(match=f"{name}*")]
    if keys:
        await redis.delete(*keys)


async def until_expired(lease: RedisLease) -> None:
    """Poll (bounded) until Redis dropped the key: waiting on Redis's clock, not asserting on ours."""
    for _ in range(200):
        if await lease.holder() is None:
            return
        await asyncio.sleep(SHORT_MS / 1000 / 3)
    raise AssertionError("the lease never expired")


async def test_one_holder_at_a_time(redis: aioredis.Redis, prefix: str) -> None:
    a = RedisLease(redis, f"{prefix}:1", ttl_ms=10_000, owner="worker-a")
    b = RedisLease(redis, f"{prefix}:1", ttl_ms=10_000, owner="worker-b")

    assert await a.acquire()
    assert not await b.acquire()
    assert await a.renew()
    assert not await b.renew()
    assert not await b.release()  # only the owner may release
    assert await a.holder() == "worker-a"

    assert await a.release()
    assert await b.acquire()
    assert await b.holder() == "worker-b"
    assert not await a.renew()


async def test_renew_extends_the_time_to_live(redis: aioredis.Redis, prefix: str) -> None:
    lease = RedisLease(redis, f"{prefix}:2", ttl_ms=5_000, owner="worker-a")
    await lease.acquire()
    await redis.pexpire(lease.key, 50)
    assert await lease.renew()
    assert await redis.pttl(lease.key) > 1_000


async def test_takeover_after_the_holder_stops_renewing(redis: aioredis.Redis, prefix: str) -> None:
    a = RedisLease(redis, f"{prefix}:3", ttl_ms=SHORT_MS, owner="worker-a")
    b = RedisLease(redis, f"{prefix}:3", ttl_ms=10_000, owner="worker-b")  # long: no second expiry mid-test
    assert await a.acquire()
    assert not await b.acquire()

    await until_expired(a)  # worker A died: nobody renews
    assert await b.acquire()
    assert not await a.renew()  # A, back from a pause, learns it lost the lease
    assert await b.holder() == "worker-b"


class Sessions:
    """What a transport would do with start/stop, recorded per worker."""

    def __init__(self) -> None:
        self.running: set[int] = set()
        self.started: list[int] = []
        self.stopped: list[int] = []

    async def start(self, whatsapp_id: int) -> None:
        self.started.append(whatsapp_id)
        self.running.add(whatsapp_id)

    async def stop(self, whatsapp_id: int) -> None:
        self.stopped.append(whatsapp_id)
        self.running.discard(whatsapp_id)


def owner(
    redis: aioredis.Redis, prefix: str, name: str, sessions: Sessions, wanted: set[int], ttl_ms: int = SHORT_MS
) -> SessionOwner:
    async def list_wanted() -> set[int]:
        return set(wanted)

    return SessionOwner(
        redis,
        wanted=list_wanted,
        start=sessions.start,
        stop=sessions.stop,
        ttl_ms=ttl_ms,
        prefix=prefix,
        owner=name,
    )


async def test_sessions_fail_over_to_another_worker(redis: aioredis.Redis, prefix: str) -> None:
    wanted = {1, 2}
    a_sessions, b_sessions = Sessions(), Sessions()
    a = owner(redis, prefix, "worker-a", a_sessions, wanted)
    # B's leases are long so that, once B holds them, nothing expires again before the test ends.
    b = owner(redis, prefix, "worker-b", b_sessions, wanted, ttl_ms=10_000)

    await a.tick()
    await b.tick()
    assert (a_sessions.running, b_sessions.running) == ({1, 2}, set())

    # Worker A stops renewing (killed); once its leases expire, B holds both sessions.
    await until_expired(a.lease_for(1))
    await until_expired(a.lease_for(2))
    await b.tick()
    assert b_sessions.running == {1, 2}
    assert b.held == {1, 2}

    # A comes back: its renewals fail, so it stops its copies instead of fighting.
    await a.tick()
    assert a_sessions.running == set()
    assert sorted(a_sessions.stopped) == [1, 2]
    assert b_sessions.running == {1, 2}


async def test_a_connection_no_longer_wanted_is_stopped_and_released(redis: aioredis.Redis, prefix: str) -> None:
    wanted = {1, 2}
    sessions = Sessions()
    a = owner(redis, prefix, "worker-a", sessions, wanted)
    await a.tick()
    wanted.discard(2)
    await a.tick()
    assert sessions.running == {1}
    assert await a.lease_for(2).holder() is None


async def test_an_orderly_shutdown_hands_sessions_over_at_once(redis: aioredis.Redis, prefix: str) -> None:
    wanted = {5}
    a_sessions, b_sessions = Sessions(), Sessions()
    a = owner(redis, prefix, "worker-a", a_sessions, wanted)
    b = owner(redis, prefix, "worker-b", b_sessions, wanted)
    await a.tick()
    await a.close()
    assert a_sessions.running == set()
    await b.tick()
    assert b_sessions.running == {5}


async def test_a_session_that_fails_to_start_gives_its_lease_back(redis: aioredis.Redis, prefix: str) -> None:
    async def broken(_whatsapp_id: int) -> None:
        raise RuntimeError("session store unreachable")

    sessions = Sessions()

    async def wanted() -> set[int]:
        return {9}

    a = SessionOwner(redis, wanted=wanted, start=broken, stop=sessions.stop, ttl_ms=10_000, prefix=prefix)
    await a.tick()
    assert a.held == set()
    assert await a.lease_for(9).holder() is None
