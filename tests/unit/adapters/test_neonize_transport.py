"""NeonizeTransport against a fake of neonize's client (a third-party library): what it sends, how sessions live."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from neonize.aioze.events import ConnectedEv, DisconnectedEv, LoggedOutEv, MessageEv, ReceiptEv
from neonize.exc import DownloadError, NeonizeError, SendMessageError
from neonize.proto.Neonize_pb2 import (
    JID,
    Device,
    GroupInfo,
    GroupName,
    MessageInfo,
    MessageSource,
    Receipt,
    SendResponse,
    UploadResponse,
)
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import ImageMessage, Message, ProtocolMessage
from neonize.utils.enum import MediaType as NeonizeMediaType
from neonize.utils.enum import ReceiptType
from neonize.utils.jid import build_jid

from whaticket_adapters.whatsapp.backoff import Backoff
from whaticket_adapters.whatsapp.handlers import TransportHandlers
from whaticket_adapters.whatsapp.neonize.translation import encode_media_ref
from whaticket_adapters.whatsapp.neonize.transport import NeonizeTransport, session_store_for
from whaticket_core.domain.message import MediaFile, MediaType, MessageAck
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.ports.transport import Recipient, TransportError
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage, InboundReceipt

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

    def handlers(self) -> TransportHandlers:
        async def on_status(whatsapp_id: int, status: ConnectionStatus, number: str | None) -> None:
            self.statuses.append((whatsapp_id, status, number))

        async def on_qr(whatsapp_id: int, qr: str) -> None:
            self.qrs.append((whatsapp_id, qr))

        async def on_inbound(command: object) -> None:
            self.inbound.append(command)

        return TransportHandlers(
            on_message=on_inbound,
            on_edit=on_inbound,
            on_revoke=on_inbound,
            on_receipt=on_inbound,
            on_status=on_status,
            on_qr=on_qr,
        )

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await asyncio.sleep(0)


class World:
    def __init__(self, tmp_path: Path) -> None:
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


@pytest.fixture
async def wa(tmp_path: Path) -> Any:
    w = World(tmp_path)
    yield w
    await w.transport.close()


def inbound_event(wa_id: str, content: Message, *, chat: JID = CUSTOMER, sender: JID = CUSTOMER) -> MessageEv:
    source = MessageSource(Chat=chat, Sender=sender, IsFromMe=False, IsGroup=chat.Server == "g.us")
    return MessageEv(Message=content, Info=MessageInfo(ID=wa_id, Timestamp=1_700_000_000, MessageSource=source))


# -- sessions --------------------------------------------------------------------------------------------------------


async def test_session_connects_and_reports_the_linked_number(wa: World, tmp_path: Path) -> None:
    client = await wa.connected(1)
    assert client.store == str(tmp_path / "whatsapp-1.db")
    assert wa.recorder.statuses == [(1, ConnectionStatus.OPENING, None), (1, ConnectionStatus.CONNECTED, ME.User)]
    assert wa.transport.is_connected(1)


async def test_starting_twice_keeps_one_session(wa: World) -> None:
    await wa.transport.start_session(1)
    await wa.transport.start_session(1)
    assert list(wa.clients) == ["whaticket-1"]


async def test_qr_codes_go_to_the_core_and_an_unscanned_session_times_out(wa: World) -> None:
    wa.next_outcomes = ["hold"]
    await wa.transport.start_session(2)
    await settle()
    client = wa.clients["whaticket-2"]
    await client.event.qr_handler(client, b"2@abc,def,ghi")
    assert wa.recorder.qrs == [(2, "2@abc,def,ghi")]

    await client.disconnect()  # whatsmeow ends the dial once its QR codes run out
    await settle()
    assert wa.recorder.statuses[-1] == (2, ConnectionStatus.TIMEOUT, None)
    assert not wa.recorder.sleeps  # no reconnect loop of QR codes nobody scans


async def test_failed_dials_reconnect_with_growing_backoff(wa: World) -> None:
    wa.next_outcomes = [NeonizeError("failed to dial"), NeonizeError("failed to dial"), NeonizeError("x")]
    await wa.transport.start_session(3)
    await settle()
    client = wa.clients["whaticket-3"]
    assert wa.recorder.sleeps == [2.0, 4.0, 8.0]
    assert len(client.connect_tasks) == 4  # three failures, then the fourth dial holds

    await client.fire(ConnectedEv, ConnectedEv())
    await client.disconnect()  # an established session drops: start over from the shortest delay
    await settle()
    assert wa.recorder.sleeps[-1] == 1.0
    # Reconnecting shows OPENING; DISCONNECTED is only for sessions that ended.
    assert (3, ConnectionStatus.DISCONNECTED, None) not in wa.recorder.statuses
    assert wa.recorder.statuses[-1] == (3, ConnectionStatus.OPENING, None)


async def test_disconnected_event_shows_opening_while_whatsmeow_reconnects(wa: World) -> None:
    client = await wa.connected(1)
    await client.fire(DisconnectedEv, DisconnectedEv())
    assert wa.recorder.statuses[-1] == (1, ConnectionStatus.OPENING, None)
    assert not wa.transport.is_connected(1)


async def test_logged_out_from_the_phone_stops_without_reconnecting(wa: World) -> None:
    client = await wa.connected(1)
    await client.fire(LoggedOutEv, LoggedOutEv())
    await settle()
    assert wa.recorder.statuses[-1] == (1, ConnectionStatus.DISCONNECTED, None)
    assert not wa.transport.is_connected(1)
    assert len(client.connect_tasks) == 1
    assert not wa.recorder.sleeps


async def test_stop_disconnects_and_never_cancels_the_connect_task(wa: World) -> None:
    client = await wa.connected(1)
    await wa.transport.stop_session(1)
    task = client.connect_tasks[0]
    assert task.done()
    assert not task.cancelled()
    assert ("disconnect",) in client.calls
    assert ("stop",) in client.calls
    assert ("logout",) not in client.calls


async def test_logout_unlinks_the_device(wa: World, tmp_path: Path) -> None:
    client = await wa.connected(1)
    (tmp_path / "whatsapp-1.db").write_bytes(b"keys")
    await wa.transport.logout(1)
    assert ("logout",) in client.calls
    assert not (tmp_path / "whatsapp-1.db").exists()
    assert wa.recorder.statuses[-1] == (1, ConnectionStatus.DISCONNECTED, None)


async def test_pair_code_waits_for_the_websocket_then_asks_neonize(wa: World) -> None:
    await wa.transport.start_session(4)
    await settle()
    client = wa.clients["whaticket-4"]
    await client.event.qr_handler(client, b"QR")
    assert await wa.transport.request_pair_code(4, "+55 (11) 99999-9999") == "ABCD-1234"
    assert ("PairPhone", "5511999999999") in client.calls
    assert wa.recorder.statuses[-1] == (4, ConnectionStatus.PAIRING, None)


def test_session_stores_are_per_connection() -> None:
    assert session_store_for("/data/whatsapp", 5) == "/data/whatsapp/whatsapp-5.db"
    url = session_store_for("postgres://wa:pw@127.0.0.1:5432/whatsmeow?sslmode=require", 5)
    assert url == "postgres://wa:pw@127.0.0.1:5432/whatsmeow_5?sslmode=require"
    assert session_store_for("postgres://wa@db/wm", 6) == "postgres://wa@db/wm_6?sslmode=disable"


# -- sends -----------------------------------------------------------------------------------------------------------


async def test_send_text_to_a_number(wa: World) -> None:
    client = await wa.connected(1)
    wa_id = await wa.transport.send_text(1, Recipient("5511999999999"), "hello")
    [(to, message)] = client.sent()
    assert wa_id == "3EB01"
    assert (to.User, to.Server) == ("5511999999999", "s.whatsapp.net")
    assert message == Message(conversation="hello")


async def test_quoted_reply_carries_the_quoted_message_seen_inbound(wa: World) -> None:
    client = await wa.connected(1)
    await client.fire(MessageEv, inbound_event("IN1", Message(conversation="question?")))
    await wa.transport.send_text(1, Recipient("5511999999999"), "answer", quoted_wa_message_id="IN1")
    [(_to, message)] = client.sent()
    context = message.extendedTextMessage.contextInfo
    assert message.extendedTextMessage.text == "answer"
    assert (context.stanzaID, context.participant) == ("IN1", "5511999999999@s.whatsapp.net")
    assert context.quotedMessage == Message(conversation="question?")


async def test_quoted_reply_to_an_unknown_message_still_names_it(wa: World) -> None:
    client = await wa.connected(1)
    await wa.transport.send_text(1, Recipient("5511999999999"), "answer", quoted_wa_message_id="OLD")
    [(_to, message)] = client.sent()
    assert message.extendedTextMessage.contextInfo.stanzaID == "OLD"


async def test_send_image_uploads_bytes_then_sends_the_media_message(wa: World) -> None:
    client = await wa.connected(1)
    media = MediaFile(data=b"\x89PNG-bytes", media_type=MediaType.IMAGE, mime_type="image/png", file_name="pic.png")
    await wa.transport.send_media(1, Recipient("5511999999999"), media, caption="see", quoted_wa_message_id="Q1")
    assert client.calls[0] == ("upload", b"\x89PNG-bytes", NeonizeMediaType.MediaImage)
    [(_to, message)] = client.sent()
    image = message.imageMessage
    assert (image.caption, image.mimetype, image.directPath, image.fileLength) == ("see", "image/png", "/v/t62/up", 10)
    assert image.mediaKey == b"m" * 32
    assert image.contextInfo.stanzaID == "Q1"


@pytest.mark.parametrize(
    ("media_type", "upload_type", "field"),
    [
        (MediaType.VIDEO, NeonizeMediaType.MediaVideo, "videoMessage"),
        (MediaType.AUDIO, NeonizeMediaType.MediaAudio, "audioMessage"),
        (MediaType.VOICE, NeonizeMediaType.MediaAudio, "audioMessage"),
        (MediaType.DOCUMENT, NeonizeMediaType.MediaDocument, "documentMessage"),
        (MediaType.STICKER, NeonizeMediaType.MediaImage, "stickerMessage"),
    ],
)
async def test_media_kinds_are_sent_as_their_own_message_types(
    wa: World, media_type: MediaType, upload_type: NeonizeMediaType, field: str
) -> None:
    client = await wa.connected(1)
    media = MediaFile(data=b"data", media_type=media_type, mime_type="application/x-test", file_name="report.pdf")
    await wa.transport.send_media(1, Recipient("5511999999999"), media)
    assert client.calls[0] == ("upload", b"data", upload_type)
    [(_to, message)] = client.sent()
    assert message.HasField(field)
    if media_type is MediaType.VOICE:
        assert message.audioMessage.PTT
    if media_type is MediaType.DOCUMENT:
        assert message.documentMessage.fileName == "report.pdf"


async def test_a_url_string_is_never_handed_over_as_media(wa: World) -> None:
    client = await wa.connected(1)
    media = MediaFile(data="http://169.254.169.254/latest", media_type=MediaType.IMAGE, mime_type="image/png")  # type: ignore[arg-type]
    with pytest.raises(TransportError) as raised:
        await wa.transport.send_media(1, Recipient("5511999999999"), media)
    assert not raised.value.retryable
    assert client.calls == []


async def test_group_recipient(wa: World) -> None:
    client = await wa.connected(1)
    await wa.transport.send_text(1, Recipient("120363025246125486", is_group=True), "hi group")
    [(to, _message)] = client.sent()
    assert (to.User, to.Server) == ("120363025246125486", "g.us")


async def test_sending_on_a_connection_not_connected_here_is_retryable(wa: World) -> None:
    with pytest.raises(TransportError) as raised:
        await wa.transport.send_text(9, Recipient("5511999999999"), "hello")
    assert raised.value.retryable


async def test_neonize_send_errors_become_transport_errors(wa: World) -> None:
    client = await wa.connected(1)
    client.send_errors = [SendMessageError("server returned error 479")]
    with pytest.raises(TransportError, match="479") as raised:
        await wa.transport.send_text(1, Recipient("5511999999999"), "hello")
    assert raised.value.retryable


async def test_edit_and_delete_for_everyone(wa: World) -> None:
    client = await wa.connected(1)
    await wa.transport.edit_text(1, Recipient("5511999999999"), "3EB0X", "corrected")
    await wa.transport.delete_for_everyone(1, Recipient("5511999999999"), "3EB0Y")
    edit = next(call for call in client.calls if call[0] == "edit_message")
    assert (edit[1].User, edit[2], edit[3]) == ("5511999999999", "3EB0X", Message(conversation="corrected"))
    [(_to, revoke)] = client.sent()
    assert revoke.protocolMessage.type == ProtocolMessage.REVOKE
    assert (revoke.protocolMessage.key.ID, revoke.protocolMessage.key.fromMe) == ("3EB0Y", True)
    assert revoke.protocolMessage.key.remoteJID == "5511999999999@s.whatsapp.net"


async def test_mark_read_names_chat_and_sender(wa: World) -> None:
    client = await wa.connected(1)
    await wa.transport.mark_read(1, Recipient("5511999999999"), ("IN1", "IN2"))
    [(_, ids, chat, sender, receipt)] = [call for call in client.calls if call[0] == "mark_read"]
    assert ids == ("IN1", "IN2")
    assert chat.User == sender.User == "5511999999999"
    assert receipt is ReceiptType.READ


async def test_mark_read_in_a_group_names_each_member_seen(wa: World) -> None:
    client = await wa.connected(1)
    member = build_jid("5511777777777")
    await client.fire(MessageEv, inbound_event("G1", Message(conversation="hi"), chat=GROUP, sender=member))
    await wa.transport.mark_read(1, Recipient("120363025246125486", is_group=True), ("G1",))
    [(_, ids, chat, sender, _r)] = [call for call in client.calls if call[0] == "mark_read"]
    assert (ids, chat.User, sender.User) == (("G1",), "120363025246125486", "5511777777777")


# -- inbound and media -----------------------------------------------------------------------------------------------


async def test_inbound_events_reach_the_core_with_group_names(wa: World) -> None:
    client = await wa.connected(1)
    member = build_jid("5511777777777")
    await client.fire(MessageEv, inbound_event("G2", Message(conversation="hello"), chat=GROUP, sender=member))
    await client.fire(
        ReceiptEv, Receipt(MessageSource=MessageSource(Chat=CUSTOMER), MessageIDs=["3EB01"], Type=Receipt.READ)
    )
    message, receipt = wa.recorder.inbound
    assert isinstance(message, InboundMessage)
    assert (message.chat, message.group_name, message.participant) == (
        "120363025246125486",
        "Support group",
        "5511777777777",
    )
    assert receipt == InboundReceipt(1, ("3EB01",), MessageAck.READ)


async def test_a_failing_core_handler_does_not_stop_the_session(wa: World, caplog: Any) -> None:
    async def boom(_command: object) -> None:
        raise RuntimeError("database down")

    wa.transport._handlers = TransportHandlers(on_message=boom)
    client = await wa.connected(1)
    await client.fire(MessageEv, inbound_event("X", Message(conversation="hi")))
    assert "inbound handler failed" in caplog.text
    assert wa.transport.is_connected(1)


async def test_fetch_downloads_the_rebuilt_media_message(wa: World) -> None:
    client = await wa.connected(1)
    image = Message(imageMessage=ImageMessage(directPath="/v/x", mediaKey=b"k" * 32, mimetype="image/jpeg"))
    assert await wa.transport.fetch(1, encode_media_ref(image, "imageMessage")) == b"downloaded bytes"
    [(_, rebuilt)] = [call for call in client.calls if call[0] == "download_any"]
    assert rebuilt.imageMessage.directPath == "/v/x"


async def test_fetch_of_expired_media_is_final_other_failures_retry(wa: World) -> None:
    client = await wa.connected(1)
    ref = encode_media_ref(Message(imageMessage=ImageMessage(directPath="/v/x")), "imageMessage")
    client.download_error = DownloadError("download failed with status code 410")
    with pytest.raises(TransportError) as gone:
        await wa.transport.fetch(1, ref)
    assert not gone.value.retryable
    client.download_error = DownloadError("connection reset")
    with pytest.raises(TransportError) as flaky:
        await wa.transport.fetch(1, ref)
    assert flaky.value.retryable
    with pytest.raises(TransportError) as corrupt:
        await wa.transport.fetch(1, "not-a-ref")
    assert not corrupt.value.retryable
