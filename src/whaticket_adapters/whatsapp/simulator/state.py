"""Where the WhatsApp simulator keeps its state: in memory (one process, the embedded default) or in Redis (an API
process and worker processes sharing one simulated WhatsApp)."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import asdict, dataclass, replace
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from whaticket_core.domain.message import MediaType
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.ports.transport import TransportError


@dataclass(frozen=True, slots=True)
class SimulatedMedia:
    """Media the simulated phone sends (inbound) or received from the business (in the outbox)."""

    media_type: MediaType
    mime_type: str
    data: bytes
    file_name: str | None = None


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One thing the business sent, in send order (``seq`` grows across all connections)."""

    seq: int
    whatsapp_id: int
    kind: str  # text | media | edit | delete | read-receipt
    to: str
    is_group: bool = False
    body: str = ""
    wa_message_id: str | None = None
    quoted_wa_message_id: str | None = None
    media: SimulatedMedia | None = None
    wa_message_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SimulatedSession:
    status: ConnectionStatus
    qr: str | None = None
    number: str | None = None


@dataclass(frozen=True, slots=True)
class StoredMedia:
    data: bytes
    mime_type: str


class SimulatorState(Protocol):
    async def next_id(self) -> int: ...

    async def append_outbox(self, item: OutboxItem) -> OutboxItem:
        """Store ``item`` with the next sequence number (its ``seq`` is ignored) and return it as stored."""
        ...

    async def outbox(self, whatsapp_id: int | None = None, after: int = 0) -> list[OutboxItem]: ...

    async def fail_next(self, whatsapp_id: int, count: int, error: str, channel: str = "send") -> None:
        """The next ``count`` operations of ``channel`` (``send``: sends; ``inbound``: processing inbound events)
        on the connection fail with ``error``."""
        ...

    async def take_failure(self, whatsapp_id: int, channel: str = "send") -> str | None:
        """The failure the next send must raise (as the transport encoded it for :meth:`fail_next`), counting it
        down; None when sends should succeed."""
        ...

    async def put_media(self, ref: str, media: StoredMedia) -> None: ...

    async def get_media(self, ref: str) -> StoredMedia | None: ...

    async def get_session(self, whatsapp_id: int) -> SimulatedSession | None: ...

    async def set_session(self, whatsapp_id: int, session: SimulatedSession | None) -> None: ...


class InMemorySimulatorState:
    def __init__(self) -> None:
        self._counter = 0
        self._outbox: list[OutboxItem] = []
        self._failures: dict[tuple[str, int], tuple[int, str]] = {}
        self._media: dict[str, StoredMedia] = {}
        self._sessions: dict[int, SimulatedSession] = {}
        self._lock = asyncio.Lock()

    async def next_id(self) -> int:
        self._counter += 1
        return self._counter

    async def append_outbox(self, item: OutboxItem) -> OutboxItem:
        async with self._lock:
            stored = replace(item, seq=len(self._outbox) + 1)
            self._outbox.append(stored)
        return stored

    async def outbox(self, whatsapp_id: int | None = None, after: int = 0) -> list[OutboxItem]:
        return [
            item
            for item in self._outbox
            if item.seq > after and (whatsapp_id is None or item.whatsapp_id == whatsapp_id)
        ]

    async def fail_next(self, whatsapp_id: int, count: int, error: str, channel: str = "send") -> None:
        if count <= 0:
            self._failures.pop((channel, whatsapp_id), None)
        else:
            self._failures[(channel, whatsapp_id)] = (count, error)

    async def take_failure(self, whatsapp_id: int, channel: str = "send") -> str | None:
        key = (channel, whatsapp_id)
        count, error = self._failures.get(key, (0, ""))
        if count <= 0:
            return None
        if count == 1:
            del self._failures[key]
        else:
            self._failures[key] = (count - 1, error)
        return error

    async def put_media(self, ref: str, media: StoredMedia) -> None:
        self._media[ref] = media

    async def get_media(self, ref: str) -> StoredMedia | None:
        return self._media.get(ref)

    async def get_session(self, whatsapp_id: int) -> SimulatedSession | None:
        return self._sessions.get(whatsapp_id)

    async def set_session(self, whatsapp_id: int, session: SimulatedSession | None) -> None:
        if session is None:
            self._sessions.pop(whatsapp_id, None)
        else:
            self._sessions[whatsapp_id] = session


# Count down atomically, so two worker processes never both consume the last failure.
_TAKE_FAILURE = """
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
if count <= 0 then return false end
local error = redis.call('HGET', KEYS[1], 'error')
if count == 1 then redis.call('DEL', KEYS[1]) else redis.call('HSET', KEYS[1], 'count', count - 1) end
return error
"""

# Number and append in one step, so the outbox order is the sequence order.
_APPEND = """
local seq = redis.call('INCR', KEYS[1])
local item = cjson.decode(ARGV[1])
item['seq'] = seq
local encoded = cjson.encode(item)
redis.call('RPUSH', KEYS[2], encoded)
return encoded
"""


class RedisSimulatorState:
    """The same state in Redis under ``prefix`` (``whaticket:simulator`` by default); media expire after a day."""

    def __init__(self, redis: Redis, *, prefix: str = "whaticket:simulator", media_ttl_s: int = 86_400) -> None:
        self._redis = redis
        self._prefix = prefix
        self._media_ttl = media_ttl_s
        self._take = redis.register_script(_TAKE_FAILURE)
        self._append = redis.register_script(_APPEND)

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> RedisSimulatorState:
        return cls(Redis.from_url(url), **kwargs)

    def _key(self, *parts: object) -> str:
        return ":".join([self._prefix, *(str(part) for part in parts)])

    async def close(self) -> None:
        await self._redis.aclose()

    async def next_id(self) -> int:
        return int(await self._call(self._redis.incr(self._key("ids"))))

    async def append_outbox(self, item: OutboxItem) -> OutboxItem:
        raw = await self._call(self._append(keys=[self._key("seq"), self._key("outbox")], args=[_encode_item(item)]))
        return _decode_item(raw)

    async def outbox(self, whatsapp_id: int | None = None, after: int = 0) -> list[OutboxItem]:
        # Items are appended in seq order from 1 and never trimmed: item n sits at index n - 1.
        raws = await self._call(self._redis.lrange(self._key("outbox"), max(after, 0), -1))
        items = [_decode_item(raw) for raw in raws]
        return [item for item in items if item.seq > after and (whatsapp_id is None or item.whatsapp_id == whatsapp_id)]

    def _fail_key(self, whatsapp_id: int, channel: str) -> str:
        # Send failures keep the key they always had (a state shared with an older process stays readable).
        return self._key("fail", whatsapp_id) if channel == "send" else self._key("fail", channel, whatsapp_id)

    async def fail_next(self, whatsapp_id: int, count: int, error: str, channel: str = "send") -> None:
        key = self._fail_key(whatsapp_id, channel)
        if count <= 0:
            await self._call(self._redis.delete(key))
        else:
            await self._call(self._redis.hset(key, mapping={"count": count, "error": error}))

    async def take_failure(self, whatsapp_id: int, channel: str = "send") -> str | None:
        raw = await self._call(self._take(keys=[self._fail_key(whatsapp_id, channel)]))
        return None if raw is None else _text(raw)

    async def put_media(self, ref: str, media: StoredMedia) -> None:
        key = self._key("media", ref)
        await self._call(self._redis.hset(key, mapping={"data": media.data, "mime": media.mime_type}))
        await self._call(self._redis.expire(key, self._media_ttl))

    async def get_media(self, ref: str) -> StoredMedia | None:
        raw = await self._call(self._redis.hgetall(self._key("media", ref)))
        if not raw:
            return None
        return StoredMedia(raw[b"data"], _text(raw[b"mime"]))

    async def get_session(self, whatsapp_id: int) -> SimulatedSession | None:
        raw = await self._call(self._redis.get(self._key("session", whatsapp_id)))
        if raw is None:
            return None
        data = json.loads(raw)
        return SimulatedSession(ConnectionStatus(data["status"]), data.get("qr"), data.get("number"))

    async def set_session(self, whatsapp_id: int, session: SimulatedSession | None) -> None:
        key = self._key("session", whatsapp_id)
        if session is None:
            await self._call(self._redis.delete(key))
        else:
            payload = {"status": session.status.value, "qr": session.qr, "number": session.number}
            await self._call(self._redis.set(key, json.dumps(payload)))

    @staticmethod
    async def _call(awaitable: Any) -> Any:
        try:
            return await awaitable
        except RedisError as error:
            raise TransportError(f"simulator state unavailable: {error}", retryable=True) from error


def _text(raw: bytes | str) -> str:
    return raw.decode() if isinstance(raw, bytes) else raw


def _encode_item(item: OutboxItem) -> str:
    data = asdict(item)
    data["wa_message_ids"] = list(item.wa_message_ids)
    if item.media is not None:
        data["media"] = {
            "media_type": item.media.media_type.value,
            "mime_type": item.media.mime_type,
            "file_name": item.media.file_name,
            "data": base64.b64encode(item.media.data).decode("ascii"),
        }
    return json.dumps(data)


def _decode_item(raw: bytes | str) -> OutboxItem:
    data = json.loads(raw)
    media = data.pop("media", None)
    # cjson turns an empty array into an empty object; either way it means "no ids".
    ids = data.pop("wa_message_ids", None) or []
    return OutboxItem(
        **data,
        wa_message_ids=tuple(ids),
        media=None
        if not media
        else SimulatedMedia(
            MediaType(media["media_type"]), media["mime_type"], base64.b64decode(media["data"]), media["file_name"]
        ),
    )
