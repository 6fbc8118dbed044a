"""``Idempotency-Key`` for ``POST /messages``: the first answer is kept 24 hours and replayed to retries.

Keys are scoped per user (one user's key never replays another's answer) and bound to the request's content: the
same key with a different request is a 409, as is a retry arriving while the first attempt still runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from typing import TYPE_CHECKING, Protocol

import msgspec

from whaticket_core.domain.errors import Conflict

if TYPE_CHECKING:
    from redis.asyncio import Redis

TTL_SECONDS = 24 * 3600
IN_FLIGHT_SECONDS = 120
MAX_KEY_LENGTH = 255


class IdempotencyKeyInUse(Conflict):
    code = "idempotency_key_in_use"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"


class Stored(msgspec.Struct):
    fingerprint: str
    status: int = 0  # 0 while the first attempt runs
    body: bytes = b""


class IdempotencyStore(Protocol):
    async def claim(self, key: str, record: Stored, ttl: int) -> Stored | None:
        """Store ``record`` when ``key`` is free and return None; else return what is stored."""
        ...

    async def put(self, key: str, record: Stored, ttl: int) -> None: ...

    async def release(self, key: str) -> None: ...


class MemoryIdempotencyStore:
    def __init__(self) -> None:
        self._items: dict[str, tuple[float, Stored]] = {}
        self._lock = asyncio.Lock()

    async def claim(self, key: str, record: Stored, ttl: int) -> Stored | None:
        async with self._lock:
            now = time.monotonic()
            found = self._items.get(key)
            if found and found[0] > now:
                return found[1]
            if len(self._items) > 50_000:
                self._items = {k: v for k, v in self._items.items() if v[0] > now}
            self._items[key] = (now + ttl, record)
            return None

    async def put(self, key: str, record: Stored, ttl: int) -> None:
        self._items[key] = (time.monotonic() + ttl, record)

    async def release(self, key: str) -> None:
        self._items.pop(key, None)


class RedisIdempotencyStore:
    def __init__(self, redis: Redis, prefix: str = "whaticket:idem:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def claim(self, key: str, record: Stored, ttl: int) -> Stored | None:
        name = self._prefix + key
        if await self._redis.set(name, msgspec.msgpack.encode(record), nx=True, ex=ttl):
            return None
        raw = await self._redis.get(name)
        if raw is None:  # expired between the two calls: take it
            return await self.claim(key, record, ttl)
        # The client answers bytes (no decode_responses); redis-py types it bytes or str.
        return msgspec.msgpack.decode(raw.encode() if isinstance(raw, str) else raw, type=Stored)

    async def put(self, key: str, record: Stored, ttl: int) -> None:
        await self._redis.set(self._prefix + key, msgspec.msgpack.encode(record), ex=ttl)

    async def release(self, key: str) -> None:
        await self._redis.delete(self._prefix + key)


def fingerprint(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


def scoped_key(user_id: int, key: str) -> str:
    return f"{user_id}:{hashlib.sha256(key.encode()).hexdigest()}"


async def begin(store: IdempotencyStore, key: str, fp: str) -> Stored | None:
    """None: go ahead (the key is now held). A Stored with a status: replay it. Raises on a clash."""
    found = await store.claim(key, Stored(fp), IN_FLIGHT_SECONDS)
    if found is None:
        return None
    if found.fingerprint != fp:
        raise IdempotencyKeyReused("This Idempotency-Key was used for a different request")
    if found.status == 0:
        raise IdempotencyKeyInUse("A request with this Idempotency-Key is still being processed")
    return found
