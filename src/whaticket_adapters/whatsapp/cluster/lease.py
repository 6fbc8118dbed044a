"""Session leases: each connection's WhatsApp session runs in exactly one worker process.

A :class:`RedisLease` is a key holding its owner's id with a time to live: taken with ``SET NX PX``, renewed and
released only by the owner (compare-and-set in Lua). A worker that dies stops renewing, the key expires and another
worker's :class:`SessionOwner` takes the session over within the lease time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Iterable

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


def default_owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class RedisLease:
    """One named lease. ``acquire`` → whether we hold it now; ``renew`` → whether we still hold it (extends the time
    to live); ``release`` gives it up if still ours. Redis errors count as "not held": a worker that cannot reach
    Redis must assume another may have taken over."""

    def __init__(self, redis: Redis, key: str, *, ttl_ms: int, owner: str | None = None) -> None:
        self.redis = redis
        self.key = key
        self.ttl_ms = ttl_ms
        self.owner = owner or default_owner_id()
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    async def acquire(self) -> bool:
        try:
            taken = await self.redis.set(self.key, self.owner, nx=True, px=self.ttl_ms)
            if taken:
                return True
            # Already ours (a restart of the loop in the same process): extend instead of waiting for expiry.
            return await self.renew()
        except RedisError as error:
            log.warning("lease %s: cannot acquire: %s", self.key, error)
            return False

    async def renew(self) -> bool:
        try:
            return bool(await self._renew(keys=[self.key], args=[self.owner, self.ttl_ms]))
        except RedisError as error:
            log.warning("lease %s: cannot renew: %s", self.key, error)
            return False

    async def release(self) -> bool:
        try:
            return bool(await self._release(keys=[self.key], args=[self.owner]))
        except RedisError as error:
            log.warning("lease %s: cannot release: %s", self.key, error)
            return False

    async def holder(self) -> str | None:
        raw = await self.redis.get(self.key)
        return raw.decode() if isinstance(raw, bytes) else raw


class SessionOwner:
    """Keeps the sessions of the wanted connections running, each under a lease, in this worker.

    Every ``interval_s`` (a third of the lease by default): renew the leases held, stopping any session whose lease
    was lost or whose connection is no longer wanted; then try to take the lease of every wanted connection nobody
    holds and start its session. ``wanted()`` lists the connection ids that should have a session (the application
    reads them from the database); ``start(id)`` / ``stop(id)`` are the transport's ``start_session`` /
    ``stop_session``.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        wanted: Callable[[], Awaitable[Iterable[int]]],
        start: Callable[[int], Awaitable[None]],
        stop: Callable[[int], Awaitable[None]],
        ttl_ms: int = 30_000,
        interval_s: float | None = None,
        prefix: str = "whaticket:session-lease",
        owner: str | None = None,
    ) -> None:
        self._redis = redis
        self._wanted = wanted
        self._start = start
        self._stop = stop
        self._ttl_ms = ttl_ms
        self._interval = interval_s if interval_s is not None else ttl_ms / 3000
        self._prefix = prefix
        self.owner = owner or default_owner_id()
        self._leases: dict[int, RedisLease] = {}
        self._task: asyncio.Task[None] | None = None

    @property
    def held(self) -> set[int]:
        return set(self._leases)

    def lease_for(self, whatsapp_id: int) -> RedisLease:
        return RedisLease(self._redis, f"{self._prefix}:{whatsapp_id}", ttl_ms=self._ttl_ms, owner=self.owner)

    async def tick(self) -> None:
        try:
            wanted = set(await self._wanted())
        except Exception:
            log.exception("cannot list the connections that want a session; keeping the current ones")
            wanted = set(self._leases)
        for whatsapp_id, lease in list(self._leases.items()):
            if whatsapp_id not in wanted:
                await self._give_up(whatsapp_id, release=True)
            elif not await lease.renew():
                log.warning("lost the session lease of connection %s; stopping its session here", whatsapp_id)
                await self._give_up(whatsapp_id, release=False)
        for whatsapp_id in sorted(wanted - set(self._leases)):
            lease = self.lease_for(whatsapp_id)
            if not await lease.acquire():
                continue
            self._leases[whatsapp_id] = lease
            try:
                await self._start(whatsapp_id)
            except Exception:
                log.exception("starting the session of connection %s failed", whatsapp_id)
                await self._give_up(whatsapp_id, release=True)

    async def run(self) -> None:
        while True:
            await self.tick()
            await asyncio.sleep(self._interval)

    def start_background(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self.run(), name="whaticket-session-owner")

    async def close(self) -> None:
        """Stop every session held here and release its lease, so another worker can take over at once."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for whatsapp_id in list(self._leases):
            await self._give_up(whatsapp_id, release=True)

    async def _give_up(self, whatsapp_id: int, *, release: bool) -> None:
        lease = self._leases.pop(whatsapp_id)
        try:
            await self._stop(whatsapp_id)
        except Exception:
            log.exception("stopping the session of connection %s failed", whatsapp_id)
        if release:
            await lease.release()
