"""Presence shared by every server process through Redis, with expiry so a dead process stops counting.

Each user has a sorted set ``<prefix>:<user_id>`` of the server processes holding one of their sockets, scored by
when that claim expires (epoch seconds). A process refreshes its claims every ``ttl / 3`` seconds while it lives
(:meth:`RedisPresence.refresh`, run by the gateway) and drops a claim when the user's last socket on it closes; a
user is online while any claim has not expired. A killed process's claims lapse within ``ttl``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from .memory import InMemoryPresence

if TYPE_CHECKING:
    from redis.asyncio import Redis

DEFAULT_TTL_SECONDS = 30.0


class RedisPresence:
    """Implements :class:`~whaticket_core.ports.presence.AgentPresence` (any process may read it, the worker too)
    and counts this process's sockets like :class:`InMemoryPresence`."""

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        process_id: str | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._ttl = ttl_seconds
        self._process = process_id or uuid.uuid4().hex
        self._now = wall_clock
        self._local = InMemoryPresence()

    @property
    def refresh_interval(self) -> float:
        return self._ttl / 3

    def _key(self, user_id: int) -> str:
        return f"{self._prefix}:{user_id}"

    async def _claim(self, user_ids: Collection[int]) -> None:
        if not user_ids:
            return
        expires = self._now() + self._ttl
        async with self._redis.pipeline(transaction=False) as pipe:
            for user_id in user_ids:
                pipe.zadd(self._key(user_id), {self._process: expires})
                pipe.zremrangebyscore(self._key(user_id), "-inf", self._now())
                pipe.expire(self._key(user_id), int(self._ttl) + 1)
            await pipe.execute()

    async def connected(self, user_id: int) -> bool:
        """A socket of ``user_id`` connected here; True when the user had no other socket on any process."""
        first_here = await self._local.connected(user_id)
        if not first_here:
            return False
        was_online = user_id in await self.online([user_id])
        await self._claim([user_id])
        if user_id not in self.local_users():
            # The socket closed while the claim was on its way, and its disconnect may have run first.
            await self._redis.zrem(self._key(user_id), self._process)
        return not was_online

    async def disconnected(self, user_id: int) -> bool:
        """A socket of ``user_id`` closed here; True when it was their last one here."""
        last_here = await self._local.disconnected(user_id)
        if last_here:
            await self._redis.zrem(self._key(user_id), self._process)
        return last_here

    async def refresh(self) -> None:
        """Extend this process's claims (call every :attr:`refresh_interval` seconds)."""
        await self._claim(self.local_users())

    def local_users(self) -> frozenset[int]:
        """Users with a socket on this process."""
        return self._local.local_users()

    async def online(self, user_ids: Collection[int]) -> frozenset[int]:
        wanted = list(dict.fromkeys(user_ids))
        if not wanted:
            return frozenset()
        now = self._now()
        async with self._redis.pipeline(transaction=False) as pipe:
            for user_id in wanted:
                pipe.zcount(self._key(user_id), f"({now}", "+inf")
            counts = await pipe.execute()
        return frozenset(u for u, n in zip(wanted, counts, strict=True) if int(n) > 0)
