"""The plain baseline of the realtime fan-out: a bare python-socketio ``AsyncServer`` on uvicorn, no project code.

What the project's gateway does for a new inbound message on an agent's ticket, written directly: every socket of
the benchmark is an agent of queue 1, so on connect it enters its personal room and the queue's room and gets
``connected``; a new message emits ``ticket:updated {ticket}`` then ``message:created {message, ticket}`` to the
ticket's rooms (staff, its ticket room, its queue's room), with the same payloads, built here by hand as plain dicts
(``ab_realtime.py`` checks they equal the gateway's before it times anything). No token check, no presence, no
control deliveries, stdlib JSON (python-socketio's default).

Run by ``ab_realtime.py`` as ``python benchmarks/realtime_baseline.py --port N``; it answers the same control routes
as the project's server in ``realtime_fanout.py``: ``GET /bench/sockets`` and ``POST /bench/message/{n}/{rate}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import socketio
import uvicorn

QUEUE_ROOM = "queue:1"
ROOMS = ["staff", "ticket:1", QUEUE_ROOM]


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def ticket_dict(now: datetime) -> dict[str, Any]:
    stamp = iso(now)
    return {
        "id": 1,
        "status": "pending",
        "contact": {
            "id": 1,
            "name": "bench",
            "number": "5511900000000",
            "profilePicUrl": None,
            "isGroup": False,
            "lid": None,
        },
        "whatsappId": 1,
        "queueId": 1,
        "userId": None,
        "unreadMessages": 1,
        "lastMessage": "hello",
        "lastMessageAt": stamp,
        "isGroup": False,
        "createdAt": stamp,
        "updatedAt": stamp,
        "closedAt": None,
        "tags": [],
        "rating": None,
    }


def message_dict(now: datetime) -> dict[str, Any]:
    return {
        "id": 1,
        "ticketId": 1,
        "contactId": 1,
        "fromMe": False,
        "body": "hello",
        "ack": "delivered",
        "mediaType": None,
        "mediaUrl": None,
        "quotedMessageId": None,
        "isEdited": False,
        "isDeleted": False,
        "error": None,
        "createdAt": iso(now),
        "participant": None,
        "participantName": None,
        "undecryptable": False,
        "reactions": [],
        "userId": None,
        "sendAt": None,
        "errorKind": None,
    }


def new_message_events(now: datetime) -> list[tuple[str, dict[str, Any]]]:
    """The two events of a new message, in the gateway's order."""
    ticket = ticket_dict(now)
    message = message_dict(now)
    return [("ticket:updated", {"ticket": ticket}), ("message:created", {"message": message, "ticket": ticket})]


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def paced(n: int, rate: float, one: Any) -> list[float]:
    """Call ``one()`` ``n`` times on a fixed schedule of ``rate`` per second; the milliseconds each call took.

    Shared with the project's server so both sides pace alike: a late call does not push the next ones back."""
    took: list[float] = []
    start = time.perf_counter()
    for i in range(n):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        began = time.perf_counter()
        await one()
        took.append((time.perf_counter() - began) * 1000)
    return took


def build(redis_url: str | None = None) -> socketio.ASGIApp:
    manager = socketio.AsyncRedisManager(redis_url) if redis_url else None
    sio = socketio.AsyncServer(async_mode="asgi", client_manager=manager, cors_allowed_origins=[])
    sockets: set[str] = set()
    greetings: set[asyncio.Future[None]] = set()

    @sio.event
    async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        user_id = int(str(auth["token"]).removeprefix("agent-"))
        sockets.add(sid)
        await sio.enter_room(sid, f"user:{user_id}")
        await sio.enter_room(sid, QUEUE_ROOM)
        greeting = asyncio.ensure_future(greet(sid, user_id))
        greetings.add(greeting)
        greeting.add_done_callback(greetings.discard)

    async def greet(sid: str, user_id: int) -> None:
        # As the gateway: ``connected`` only once python-socketio has sent the CONNECT packet.
        while sid in sockets and not sio.manager.is_connected(sid, "/"):  # noqa: ASYNC110  # nothing to wait on
            await asyncio.sleep(0.01)
        await sio.emit("connected", {"userId": user_id}, to=sid)

    @sio.event
    async def disconnect(sid: str, reason: Any = None) -> None:
        sockets.discard(sid)

    async def publish_one() -> None:
        for event, data in new_message_events(datetime.now(UTC)):
            await sio.emit(event, data, room=ROOMS)

    async def control(scope: dict[str, Any], receive: Any, send: Any) -> None:
        path: str = scope["path"]
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if path == "/bench/sockets":
            body: dict[str, Any] = {"sockets": len(sockets), "rssKb": rss_kb()}
        elif path.startswith("/bench/message/"):
            n, rate = path.removeprefix("/bench/message/").split("/")
            body = {"published": int(n), "publishMs": await paced(int(n), float(rate), publish_one)}
        else:
            body = {}
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": json.dumps(body).encode()})

    return socketio.ASGIApp(sio, other_asgi_app=control)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()
    print(f"baseline pid {os.getpid()}", flush=True)
    uvicorn.run(
        build(args.redis_url),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        backlog=4096,
        ws_per_message_deflate=False,
    )


if __name__ == "__main__":
    main()
