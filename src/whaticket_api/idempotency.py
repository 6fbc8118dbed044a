"""``Idempotency-Key`` for ``POST /messages``: the first answer is kept 24 hours and replayed to retries.

Keys are scoped per user (one user's key never replays another's answer) and bound to the request's content: the
same key with a different request is a 409, as is a retry arriving while the first attempt still runs.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import msgspec
from litestar import Response
from litestar.enums import MediaType
from litestar.params import HeaderParameter

from whaticket_core.domain.errors import Conflict

if TYPE_CHECKING:
    from redis.asyncio import Redis

TTL_SECONDS = 24 * 3600
IN_FLIGHT_SECONDS = 120
MAX_KEY_LENGTH = 255

# The header as the routes that honour it declare it (the OpenAPI document shows it on each).
IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        max_length=MAX_KEY_LENGTH,
        min_length=1,
        description="Retries with the same key return the first result (kept 24 hours)",
    ),
]


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
    """The embedded store: bounded, oldest entries evicted first.

    Keys live 24 hours, so without a bound every keyed request would be kept a day (a client sending keys in a loop
    grows the process without limit). Past ``max_items`` entries or ``max_bytes`` of stored answers the oldest go
    first; a retry of an evicted key is then treated as a new request, which only a day-old retry can meet.
    """

    def __init__(self, *, max_items: int = 10_000, max_bytes: int = 16 * 1024 * 1024) -> None:
        self._items: OrderedDict[str, tuple[float, Stored]] = OrderedDict()
        self._bytes = 0
        self._max_items = max_items
        self._max_bytes = max_bytes
        self._lock = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._items)

    async def claim(self, key: str, record: Stored, ttl: int) -> Stored | None:
        async with self._lock:
            now = time.monotonic()
            found = self._items.get(key)
            if found and found[0] > now:
                return found[1]
            self._set(key, now + ttl, record)
            return None

    async def put(self, key: str, record: Stored, ttl: int) -> None:
        async with self._lock:
            self._set(key, time.monotonic() + ttl, record)

    async def release(self, key: str) -> None:
        async with self._lock:
            self._drop(key)

    def _set(self, key: str, expires: float, record: Stored) -> None:
        self._drop(key)
        self._items[key] = (expires, record)
        self._bytes += _size(key, record)
        while self._items and (len(self._items) > self._max_items or self._bytes > self._max_bytes):
            self._drop(next(iter(self._items)))

    def _drop(self, key: str) -> None:
        found = self._items.pop(key, None)
        if found is not None:
            self._bytes -= _size(key, found[1])


def _size(key: str, record: Stored) -> int:
    return len(key) + len(record.fingerprint) + len(record.body) + 64


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


def scoped_key(user_id: int, key: str, *, api_token_id: int | None = None) -> str:
    """Keys are per caller: a person, or an API token (which acts under its issuer's id but is a caller of its own)."""
    owner = f"t{api_token_id}" if api_token_id is not None else str(user_id)
    return f"{owner}:{hashlib.sha256(key.encode()).hexdigest()}"


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


async def created_once(
    store: IdempotencyStore, key: str | None, fp: str, create: Callable[[], Awaitable[Any]]
) -> Response[Any]:
    """201 with what ``create`` returns; with a ``key``, a retry replays the first answer (``Idempotent-Replayed``)
    instead of creating again, and a failed first attempt frees the key for the next one."""
    if key is None:
        return Response(await create(), status_code=201)
    stored = await begin(store, key, fp)
    if stored is not None:
        return Response(
            stored.body,
            status_code=stored.status,
            media_type=MediaType.JSON,
            headers={"Idempotent-Replayed": "true"},
        )
    try:
        out = await create()
    except BaseException:
        await store.release(key)
        raise
    await store.put(key, Stored(fp, 201, msgspec.json.encode(out)), TTL_SECONDS)
    return Response(out, status_code=201)
