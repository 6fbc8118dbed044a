"""python-socketio client managers that carry out the gateway's control deliveries instead of sending them.

A control delivery (see :mod:`.routing`) is emitted like any event, so it crosses processes on python-socketio's own
Redis channel, from server processes and write-only worker publishers alike. Every server process intercepts it at
the point where the manager would deliver to its local sockets: ``AsyncManager.emit`` in-process,
``AsyncPubSubManager._handle_emit`` with Redis (called for local emits and for messages from other processes).
That hook, and ``_publish`` (replaced to report an outage once), are python-socketio 5.18's, pinned in
pyproject.toml; tests/integration/realtime covers them across processes, tests/integration/operations the outage.

Both managers deliver to their own sockets through :class:`.fanout.DirectFanOut`; the Redis one also tells the other
processes *before* serving its own sockets (see :meth:`RedisClientManager.emit`).
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final

import socketio
from socketio.packet import Packet

from .fanout import DirectFanOut
from .routing import is_control

ControlHandler = Callable[[str, dict[str, Any], list[str]], Awaitable[None]]

# How long an emit waits for Redis to take the event before serving this process's sockets anyway: a publish takes
# well under a millisecond; a stalled Redis must not hold back (or, through the publisher's timeout, cancel) the local
# delivery.
PUBLISH_HEAD_START: Final = 0.05

log = logging.getLogger("whaticket.realtime")


class _QuietPublishing(socketio.AsyncRedisManager):  # type: ignore[misc]  # python-socketio is untyped
    """Publishing that reports a Redis outage once, not twice per event.

    python-socketio logs two ERROR lines for every event it cannot publish; during an outage a worker publishes on
    every state change, so its log filled with them and hid the one line that says what is wrong. Events are
    best-effort (the port's contract): one WARNING when publishing starts failing, one INFO when it works again.
    """

    _publish_failing = False
    connected: bool  # python-socketio's attributes, declared for the type checker
    redis: Any

    async def _publish(self, data: Any) -> Any:
        for attempt in range(2):  # a dropped connection is reopened once, as python-socketio does
            try:
                if not self.connected:
                    self._redis_connect()
                published = await self.redis.publish(self.channel, self.json.dumps(data))
            except Exception as exc:  # redis-py raises several unrelated types for one outage
                self.connected = False
                if attempt == 1 and not self._publish_failing:
                    self._publish_failing = True
                    log.warning("realtime events are not published: Redis unreachable (%s)", exc)
                continue
            if self._publish_failing:
                self._publish_failing = False
                log.info("realtime events are published again")
            return published
        return None


def _rooms(room: object) -> list[str]:
    if isinstance(room, str):
        return [room]
    if isinstance(room, list | tuple):
        return [r for r in room if isinstance(r, str)]
    return []


class LocalClientManager(DirectFanOut):
    """In-process fan-out (no Redis): one server process holds every socket."""

    control: ControlHandler | None = None

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        if is_control(event):
            if self.control is not None:
                await self.control(event, data if isinstance(data, dict) else {}, _rooms(to or room))
            return
        await super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to, **kwargs)


class RedisClientManager(_QuietPublishing, DirectFanOut):
    """Fan-out across processes through Redis pub/sub (python-socketio's own protocol and channel)."""

    control: ControlHandler | None = None
    host_id: str

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None = None,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        """Publish to the other processes first, then deliver to this process's sockets.

        python-socketio does the reverse: it sends to all of its own sockets, then publishes, so every other process
        started its share only after this one finished (~100 ms later at p50 with 1,000 sockets). The message is the
        one python-socketio publishes, so its listeners (other versions included) read it unchanged.
        """
        room = to or room
        if kwargs.get("ignore_queue") or callback is not None:  # a socket of this process; acks stay upstream's
            await super().emit(
                event, data, namespace=namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs
            )
            return
        args = list(data) if isinstance(data, tuple) else [data]
        binary = Packet.data_is_binary(args)
        if binary:
            args, attachments = Packet.deconstruct_binary(args)
            args = [args, *[base64.b64encode(a).decode() for a in attachments]]
        message = {
            "method": "emit",
            "event": event,
            "data": args,
            "binary": binary,
            "namespace": namespace or "/",
            "room": room,
            "skip_sid": skip_sid,
            "callback": None,
            "host_id": self.host_id,
        }
        publishing = asyncio.ensure_future(self._publish(message))
        await asyncio.wait([publishing], timeout=PUBLISH_HEAD_START)
        await self._handle_emit(message)
        await publishing

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        if is_control(message.get("event")):
            if self.control is not None:
                data = message.get("data")
                if isinstance(data, list) and data:
                    data = data[0]
                await self.control(
                    str(message["event"]), data if isinstance(data, dict) else {}, _rooms(message.get("room"))
                )
            return
        await super()._handle_emit(message)


def make_client_manager(redis_url: str | None, channel: str) -> LocalClientManager | RedisClientManager:
    """The server's manager: Redis-backed when ``redis_url`` is set, in-process otherwise."""
    if redis_url:
        return RedisClientManager(redis_url, channel=channel)
    return LocalClientManager()


def make_write_only_manager(redis_url: str, channel: str) -> socketio.AsyncRedisManager:
    """For processes that publish but hold no sockets (the SAQ worker): emits go to Redis only."""
    return _QuietPublishing(redis_url, channel=channel, write_only=True)
