"""Local fan-out without a task per socket: an event is encoded once and put on each recipient's send queue in turn.

python-socketio 5.18's ``AsyncManager.emit`` encodes the packet once, then creates one asyncio task per recipient
socket just to put it on that socket's engine.io queue, and waits for them all. Putting a packet on the queue never
suspends (the queue is unbounded), so those tasks only add cost (figures in benchmarks/README.md, ab_realtime.py).
Without them the whole emit runs in one turn of the event loop, so the two events of a new message
(``ticket:updated``, ``message:created``) are both queued before any socket's writer wakes: each writer wakes once
and sends both. This replaces only the no-callback branch (the only one the gateway uses); an emit with an
acknowledgement callback is python-socketio's own. Pinned with python-socketio (pyproject.toml); covered by
tests/unit/api/test_realtime_fanout.py and every delivery of tests/integration/realtime.
"""

from __future__ import annotations

import logging
from typing import Any

import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

log = logging.getLogger("whaticket.realtime")


class DirectFanOut(socketio.AsyncManager):  # type: ignore[misc]  # python-socketio is untyped
    """``emit`` to local sockets: one encoding, then each recipient's queue in turn (no task per socket)."""

    server: Any  # python-socketio's attribute, declared for the type checker

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        if callback is not None:
            await super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to)
            return
        room = to or room
        if namespace not in self.rooms:
            return
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        encoded = self.server.packet_class(sio_packet.EVENT, namespace=namespace, data=[event, *args]).encode()
        frames = [
            eio_packet.Packet(eio_packet.MESSAGE, p) for p in (encoded if isinstance(encoded, list) else [encoded])
        ]
        send = self.server._send_eio_packet
        for sid, eio_sid in self.get_participants(namespace, room):
            if sid in skip:
                continue
            for frame in frames:
                try:
                    await send(eio_sid, frame)
                except Exception:  # a socket closing meanwhile: the others still get the event
                    log.debug("socket %s missed %s", sid, event, exc_info=True)
                    break
