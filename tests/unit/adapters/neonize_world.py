"""A fake of neonize's client (a third-party library) and the world the NeonizeTransport tests run in."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from neonize.aioze.events import ConnectedEv, MessageEv
from neonize.proto.Neonize_pb2 import (
    JID,
    Device,
    GroupInfo,
    GroupName,
    MessageInfo,
    MessageSource,
    SendResponse,
    UploadResponse,
)
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from neonize.utils.enum import MediaType as NeonizeMediaType
from neonize.utils.enum import ReceiptType
from neonize.utils.jid import build_jid

from whaticket_adapters.whatsapp.backoff import Backoff
from whaticket_adapters.whatsapp.handlers import TransportHandlers
from whaticket_adapters.whatsapp.neonize import NeonizeTransport
from whaticket_core.domain.whatsapp import ConnectionStatus

ME = build_jid("5511888888888")
CUSTOMER = build_jid("5511999999999")
GROUP = build_jid("120363025246125486", "g.us")


class FakeEvents:
    def __init__(self) -> None:
        self.handlers: dict[type, Any] = {}
        self.qr_handler: Any = None

    def __call__(self, event_type: type) -> Any:
        def register(handler: Any) -> None:
            self.handlers[event_type] = handler

        return register

    def qr(self, handler: Any) -> None:
        self.qr_handler = handler


class FakeNeonizeClient:
    """Records calls like NewAClient would receive them. ``outcomes`` scripts each connect(): an exception fails the
    dial at once, "end" returns at once, anything else (default) holds the session until disconnect()."""

    def __init__(self, store: str, uuid: str) -> None:
        self.store, self.uuid = store, uuid
        self.event = FakeEvents()
        self.lid_numbers: dict[str, str] = {}
        self.me = Device(JID=ME)
        self.calls: list[tuple[Any, ...]] = []
        self.outcomes: list[object] = []
        self.connect_tasks: list[asyncio.Task[None]] = []
        self.send_errors: list[Exception] = []
        self.download_error: Exception | None = None
        self._ended = asyncio.Event()
        self._sent = 0

    async def connect(self) -> asyncio.Task[None]:
        outcome = self.outcomes.pop(0) if self.outcomes else "hold"
        self._ended = asyncio.Event()
        ended = self._ended

        async def run() -> None:
            if isinstance(outcome, Exception):
                raise outcome
            if outcome != "end":
                await ended.wait()

        task = asyncio.create_task(run())
        self.connect_tasks.append(task)
        return task

    async def disconnect(self) -> None:
        self.calls.append(("disconnect",))
        self._ended.set()

    async def stop(self) -> None:
        self.calls.append(("stop",))

    async def logout(self) -> None:
        self.calls.append(("logout",))

    async def send_message(self, to: JID, message: Message) -> SendResponse:
        if self.send_errors:
            raise self.send_errors.pop(0)
        self._sent += 1
        self.calls.append(("send_message", to, message))
        return SendResponse(ID=f"3EB0{self._sent}")

    async def edit_message(self, chat: JID, message_id: str, new_message: Message) -> SendResponse:
        self.calls.append(("edit_message", chat, message_id, new_message))
        return SendResponse(ID="EDIT")

    async def upload(self, binary: bytes, media_type: NeonizeMediaType | None = None) -> UploadResponse:
        self.calls.append(("upload", binary, media_type))
        return UploadResponse(
            url="https://mmg.whatsapp.net/u",
            DirectPath="/v/t62/up",
            MediaKey=b"m" * 32,
            FileEncSHA256=b"e" * 32,
            FileSHA256=b"s" * 32,
            FileLength=len(binary),
        )

    async def download_any(self, message: Message) -> bytes:
        self.calls.append(("download_any", message))
        if self.download_error is not None:
            raise self.download_error
        return b"downloaded bytes"

    async def mark_read(self, *message_ids: str, chat: JID, sender: JID, receipt: ReceiptType) -> None:
        self.calls.append(("mark_read", message_ids, chat, sender, receipt))

    async def PairPhone(self, phone: str, show_push_notification: bool) -> str:
        self.calls.append(("PairPhone", phone))
        return "ABCD-1234"

    async def reject_call(self, call_from: JID, call_id: str) -> None:
        self.calls.append(("reject_call", call_from, call_id))

    async def get_pn_from_lid(self, jid: JID) -> JID:
        if jid.User not in self.lid_numbers:
            raise RuntimeError("no mapping")  # neonize raises GetJIDFromStoreError
        return build_jid(self.lid_numbers[jid.User])

    async def get_group_info(self, jid: JID) -> GroupInfo:
        return GroupInfo(GroupName=GroupName(Name="Support group"))

    async def fire(self, event_type: type, event: object) -> None:
        await self.event.handlers[event_type](self, event)

    def sent(self) -> list[tuple[JID, Message]]:
        return [(call[1], call[2]) for call in self.calls if call[0] == "send_message"]


class Recorder:
    def __init__(self) -> None:
        self.statuses: list[tuple[int, ConnectionStatus, str | None]] = []
        self.qrs: list[tuple[int, str]] = []
        self.inbound: list[object] = []
        self.sleeps: list[float] = []
        self.bans: list[tuple[int, datetime]] = []

    def handlers(self) -> TransportHandlers:
        async def on_status(
            whatsapp_id: int, status: ConnectionStatus, number: str | None, banned_until: datetime | None
        ) -> None:
            self.statuses.append((whatsapp_id, status, number))
            if banned_until is not None:
                self.bans.append((whatsapp_id, banned_until))

        async def on_qr(whatsapp_id: int, qr: str) -> None:
            self.qrs.append((whatsapp_id, qr))

        async def on_inbound(command: object) -> None:
            self.inbound.append(command)

        return TransportHandlers(on_inbound=on_inbound, on_status=on_status, on_qr=on_qr)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0)


class World:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.recorder = Recorder()
        self.clients: dict[str, FakeNeonizeClient] = {}
        self.next_outcomes: list[object] = []
        self.transport = NeonizeTransport(
            session_store=tmp_path,
            handlers=self.recorder.handlers(),
            client_factory=self.factory,
            backoff=Backoff(initial=1.0, factor=2.0, maximum=8.0, jitter=0.0),
            sleep=self.recorder.sleep,
        )

    def factory(self, store: str, uuid: str) -> FakeNeonizeClient:
        client = FakeNeonizeClient(store, uuid)
        client.outcomes = list(self.next_outcomes)
        self.clients[uuid] = client
        return client

    async def connected(self, whatsapp_id: int = 1) -> FakeNeonizeClient:
        await self.transport.start_session(whatsapp_id)
        await settle()
        client = self.clients[f"whaticket-{whatsapp_id}"]
        await client.fire(ConnectedEv, ConnectedEv())
        return client


async def settle() -> None:
    # Let the session's tasks run until they block again (a bounded number of loop turns, no wall-clock waits).
    for _ in range(50):
        await asyncio.sleep(0)


def inbound_event(wa_id: str, content: Message, *, chat: JID = CUSTOMER, sender: JID = CUSTOMER) -> MessageEv:
    source = MessageSource(Chat=chat, Sender=sender, IsFromMe=False, IsGroup=chat.Server == "g.us")
    return MessageEv(Message=content, Info=MessageInfo(ID=wa_id, Timestamp=1_700_000_000, MessageSource=source))


@pytest.fixture(name="wa")
async def wa_fixture(tmp_path: Path) -> AsyncIterator[World]:
    """A NeonizeTransport over fake neonize clients (import it into a test module to use ``wa``)."""
    w = World(tmp_path)
    yield w
    await w.transport.close()
