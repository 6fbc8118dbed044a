"""Helpers of the simulator suite: the served application (``build_server``: HTTP, Socket.IO and in-process jobs) in
simulator mode on PostgreSQL, on a free port of the test's event loop, driven over HTTP with a Socket.IO client
listening as the admin.

Nothing here reaches into the app: customers write through ``/dev/simulator/inbound``, what the business sent is read
from ``/dev/simulator/outbox``, and state is read back through the public API.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import socketio
from realtime_support import WAIT, Recorder

from whaticket_api.settings import Settings

T = TypeVar("T")

PASSWORD = "correct-horse-battery"
# The contract's outbox item; the simulator adds `seq` (for `after`), `whatsappId` and `waMessageIds` (receipts).
OUTBOX_FIELDS = {"to", "body", "media", "quotedWaMessageId", "waMessageId", "kind"}


def simulator_settings(database_url: str, data_dir: Path) -> Settings:
    return Settings(
        jwt_secret="simulator-suite-access-secret-" + "x" * 32,
        jwt_refresh_secret="simulator-suite-refresh-secret-" + "y" * 32,
        data_dir=data_dir,
        app_env="test",
        database_url=database_url,
        whatsapp_transport="simulator",
        auth_rate_limit_per_minute=100_000,
        # Retries in tens of milliseconds: the retry tests wait for the real backoff, just a short one.
        job_retry_delay_ms=20,
    )


async def eventually(read: Callable[[], Awaitable[T]], holds: Callable[[T], bool], what: str) -> T:
    """Poll ``read`` until ``holds`` (background jobs deliver after the request answered). Fails after WAIT."""
    value = await read()
    try:
        async with asyncio.timeout(WAIT):
            while not holds(value):
                await asyncio.sleep(0.02)
                value = await read()
    except TimeoutError:
        raise AssertionError(f"never happened: {what}; last seen {value!r}") from None
    return value


async def wait_count(rec: Recorder, event: str, where: Callable[[Any], bool], count: int) -> list[Any]:
    """Wait until ``rec`` holds at least ``count`` ``event``s matching ``where``; returns them all."""
    try:
        async with asyncio.timeout(WAIT), rec.changed:
            await rec.changed.wait_for(lambda: len(rec.received(event, where)) >= count)
    except TimeoutError:
        raise AssertionError(f"{len(rec.received(event, where))} {event} events, expected {count}") from None
    return rec.received(event, where)


def on_ticket(ticket_id: int) -> Callable[[Any], bool]:
    return lambda d: isinstance(d, dict) and (d.get("ticket") or {}).get("id") == ticket_id


def on_message(message_id: int) -> Callable[[Any], bool]:
    return lambda d: isinstance(d, dict) and (d.get("message") or {}).get("id") == message_id


@dataclass
class Sim:
    """The running server, an HTTP client on ``/api/v1`` and the first admin's headers (after :meth:`register`)."""

    url: str
    http: httpx.AsyncClient
    headers: dict[str, str] = field(default_factory=dict)
    token: str = ""
    sockets: list[Recorder] = field(default_factory=list)

    async def call(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        kwargs.setdefault("headers", self.headers)
        response = await self.http.request(method, path, **kwargs)
        assert response.status_code == status, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def register(self) -> dict[str, Any]:
        body = {"name": "Ana Admin", "email": "ana@example.com", "password": PASSWORD}
        answer = await self.call("POST", "/auth/register", 201, json=body, headers={})
        self.token = answer["accessToken"]
        self.headers = {"Authorization": f"Bearer {self.token}"}
        return dict(answer["user"])

    async def socket(self) -> Recorder:
        """A Socket.IO client connected as the admin (the staff room: every ticket and connection event)."""
        client = socketio.AsyncClient(reconnection=False)
        rec = Recorder(client)

        @client.on("*")
        async def any_event(event: str, data: Any = None) -> None:
            await rec._record(event, data)

        await client.connect(self.url, auth={"token": self.token}, transports=["websocket"], wait_timeout=WAIT)
        await rec.wait_for("connected")
        self.sockets.append(rec)
        return rec

    async def queue(self, name: str, color: str, greeting: str = "") -> int:
        body = {"name": name, "color": color, "greetingMessage": greeting}
        return int((await self.call("POST", "/queues", 201, json=body))["id"])

    async def connection(self, name: str = "Main", **fields: Any) -> int:
        """A connection, its session started and scanned: CONNECTED and ready for customers."""
        whatsapp_id = int((await self.call("POST", "/whatsapps", 201, json={"name": name, **fields}))["id"])
        await self.call("POST", f"/whatsapps/{whatsapp_id}/session")
        await self.call("POST", f"/dev/simulator/whatsapps/{whatsapp_id}/scan", 202)
        return whatsapp_id

    async def inbound(self, whatsapp_id: int, sender: str, body: str = "", **extra: Any) -> str:
        payload = {"whatsappId": whatsapp_id, "from": sender, "body": body, **extra}
        return str((await self.call("POST", "/dev/simulator/inbound", 202, json=payload))["waMessageId"])

    async def outbox(self, whatsapp_id: int | None = None, after: int = 0) -> list[dict[str, Any]]:
        params: dict[str, int] = {"after": after}
        if whatsapp_id is not None:
            params["whatsappId"] = whatsapp_id
        return list((await self.call("GET", "/dev/simulator/outbox", params=params))["items"])

    async def tickets(self, **params: Any) -> list[dict[str, Any]]:
        return list((await self.call("GET", "/tickets", params=params))["items"])

    async def messages(self, ticket_id: int) -> list[dict[str, Any]]:
        """A ticket's messages, oldest first."""
        page = await self.call("GET", "/messages", params={"ticketId": ticket_id, "limit": 100})
        return list(reversed(page["items"]))

    async def message(self, message_id: int) -> dict[str, Any]:
        return dict(await self.call("GET", f"/messages/{message_id}"))

    async def sent_texts(self, whatsapp_id: int, count: int, after: int = 0) -> list[dict[str, Any]]:
        """Wait for ``count`` text sends on the connection (after ``after``) and return them in send order."""
        items = await eventually(
            lambda: self.outbox(whatsapp_id, after),
            lambda items: len([i for i in items if i["kind"] == "text"]) >= count,
            f"{count} texts in the outbox of connection {whatsapp_id}",
        )
        return [i for i in items if i["kind"] == "text"]
