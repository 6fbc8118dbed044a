"""The WhatsApp transport over neonize (whatsmeow): one ``NewAClient`` per connection.

Implements the core's ``MessageSender``, ``SessionController`` and ``MediaFetcher`` ports. Facts about neonize this
relies on: it never retries a failed connect (we own the reconnect loop), a connect task must never be
cancelled (it would freeze the loop for the Go dial deadline: we disconnect instead and bound the wait), every session
holds a thread of the loop's default executor (we enlarge it), and media is always uploaded from bytes: the high-level
``send_image``/``send_document`` helpers fetch any string that looks like a URL, so they are not used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from neonize.aioze.events import (
    ConnectedEv,
    DisconnectedEv,
    LoggedOutEv,
    MessageEv,
    ReceiptEv,
    StreamReplacedEv,
    TemporaryBanEv,
)
from neonize.exc import NeonizeError
from neonize.proto.Neonize_pb2 import JID
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import (
    AudioMessage,
    ContactMessage,
    ContextInfo,
    DocumentMessage,
    ExtendedTextMessage,
    ImageMessage,
    Message,
    ProtocolMessage,
    StickerMessage,
    VideoMessage,
)
from neonize.utils.enum import MediaType as NeonizeMediaType
from neonize.utils.enum import ReceiptType

from whaticket_adapters.whatsapp.backoff import Backoff
from whaticket_adapters.whatsapp.handlers import TransportHandlers
from whaticket_adapters.whatsapp.neonize.translation import (
    GROUP_SERVER,
    USER_SERVER,
    decode_media_ref,
    translate_message,
    translate_receipt,
    unwrap,
)
from whaticket_core.domain.message import MediaFile, MediaType
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.ports.transport import Recipient, TransportError
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage

log = logging.getLogger(__name__)

DISCONNECT_TIMEOUT = 10.0  # a stalled dial makes disconnect() wait for the Go deadline (~56 s); we stop waiting sooner
PAIR_READY_TIMEOUT = 30.0
RECENT_MESSAGES = 5000


class NeonizeClient(Protocol):
    """The part of ``neonize.aioze.client.NewAClient`` this transport uses (a fake implements it in tests)."""

    event: Any
    me: Any

    async def connect(self) -> asyncio.Task[None]: ...

    async def disconnect(self) -> None: ...

    async def stop(self) -> None: ...

    async def logout(self) -> None: ...

    async def send_message(self, to: JID, message: Message) -> Any: ...

    async def edit_message(self, chat: JID, message_id: str, new_message: Message) -> Any: ...

    async def upload(self, binary: bytes, media_type: NeonizeMediaType | None = None) -> Any: ...

    async def download_any(self, message: Message) -> bytes | None: ...

    async def mark_read(self, *message_ids: str, chat: JID, sender: JID, receipt: ReceiptType) -> None: ...

    async def PairPhone(self, phone: str, show_push_notification: bool) -> str: ...

    async def get_group_info(self, jid: JID) -> Any: ...


ClientFactory = Callable[[str, str], NeonizeClient]


def new_neonize_client(store: str, uuid: str) -> NeonizeClient:
    from neonize.aioze.client import NewAClient

    client: NeonizeClient = NewAClient(store, uuid=uuid)
    return client


def session_store_for(store: str, whatsapp_id: int) -> str:
    """Where connection ``whatsapp_id`` keeps its device keys.

    ``store`` is a folder (one SQLite file per connection) or the PostgreSQL URL of a database set apart for sessions
    (``postgres://user:pw@host:5432/whatsmeow``): each connection then gets a database of its own on that server,
    named after it (``whatsmeow_7``). Separate stores, because whatsmeow without a known JID opens the *first* device
    of a store, so connections sharing one would share one device; and not one schema each in a shared database,
    because whatsmeow's migration then fails for the second schema (checked: "relation whatsmeow_version does not
    exist"; tables in ``public`` fail the same way).
    """
    if store.startswith("postgres"):
        parts = urlsplit(store)
        query = parse_qsl(parts.query)
        if not any(key == "sslmode" for key, _ in query):
            query.append(("sslmode", "disable"))  # lib/pq insists on TLS unless told otherwise
        return urlunsplit(parts._replace(path=f"/{session_database(store, whatsapp_id)}", query=urlencode(query)))
    return str(Path(store) / f"whatsapp-{whatsapp_id}.db")


def session_database(store: str, whatsapp_id: int) -> str:
    base = urlsplit(store).path.strip("/") or "whatsmeow"
    return f"{base}_{int(whatsapp_id)}"


async def prepare_postgres_store(store: str, whatsapp_id: int) -> None:
    """whatsmeow creates its tables, not the database: create connection ``whatsapp_id``'s when missing."""
    import asyncpg

    parts = urlsplit(store)
    name = session_database(store, whatsapp_id)
    connection = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # another worker created it meanwhile
                await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


def jid_of(recipient: Recipient) -> JID:
    address = recipient.address
    if "@" in address:
        user, server = address.rsplit("@", 1)
    else:
        user = address if recipient.is_group else "".join(ch for ch in address if ch.isdigit())
        server = GROUP_SERVER if recipient.is_group else USER_SERVER
    return JID(User=user, Server=server, Device=0, RawAgent=0, Integrator=0, IsEmpty=False)


def jid_string(jid: JID) -> str:
    return f"{jid.User}@{jid.Server}"


@dataclass(slots=True)
class _Session:
    whatsapp_id: int
    client: NeonizeClient
    supervisor: asyncio.Task[None] | None = None
    connect_task: asyncio.Task[None] | None = None
    stopping: bool = False
    connected: bool = False
    ever_connected: bool = False
    saw_qr: bool = False
    connected_this_attempt: bool = False
    websocket_up: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(frozen=True, slots=True)
class _Recent:
    sender: JID
    message: Message


_UPLOAD_TYPE = {
    MediaType.IMAGE: NeonizeMediaType.MediaImage,
    MediaType.STICKER: NeonizeMediaType.MediaImage,
    MediaType.VIDEO: NeonizeMediaType.MediaVideo,
    MediaType.AUDIO: NeonizeMediaType.MediaAudio,
    MediaType.VOICE: NeonizeMediaType.MediaAudio,
    MediaType.DOCUMENT: NeonizeMediaType.MediaDocument,
}


class NeonizeTransport:
    """WhatsApp over neonize, one session per connection, in this process.

    ``session_store``: a folder for the SQLite session files (``DATA_DIR/whatsapp`` by default) or a PostgreSQL URL
    (``postgres://user:pw@host:5432/whatsmeow``) of a database kept apart from the app's. ``handlers`` receive inbound
    commands, QR codes and status changes. ``client_factory(store, uuid)`` builds a client (tests pass a fake).
    ``max_sessions`` sizes the loop's default executor: each session holds one of its threads.
    """

    def __init__(
        self,
        *,
        session_store: str | Path,
        handlers: TransportHandlers,
        client_factory: ClientFactory = new_neonize_client,
        backoff: Backoff | None = None,
        max_sessions: int = 32,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = str(session_store)
        self._handlers = handlers
        self._client_factory = client_factory
        self._backoff = backoff or Backoff()
        self._max_sessions = max_sessions
        self._sleep = sleep
        self._sessions: dict[int, _Session] = {}
        self._recent: OrderedDict[tuple[int, str], _Recent] = OrderedDict()
        self._group_names: dict[tuple[int, str], str] = {}
        self._executor_loop: asyncio.AbstractEventLoop | None = None

    # -- SessionController -------------------------------------------------------------------------------------------

    async def start_session(self, whatsapp_id: int) -> None:
        """Start (or keep) connection ``whatsapp_id``'s session; progress arrives through the handlers."""
        existing = self._sessions.get(whatsapp_id)
        if existing is not None and not existing.stopping:
            return
        self._enlarge_executor()
        store = session_store_for(self._store, whatsapp_id)
        if self._store.startswith("postgres"):
            await prepare_postgres_store(self._store, whatsapp_id)
        else:
            await asyncio.to_thread(Path(self._store).mkdir, parents=True, exist_ok=True)
        session = _Session(whatsapp_id, self._client_factory(store, f"whaticket-{whatsapp_id}"))
        self._register(session)
        self._sessions[whatsapp_id] = session
        session.supervisor = asyncio.create_task(self._supervise(session), name=f"whatsapp-session-{whatsapp_id}")

    async def request_pair_code(self, whatsapp_id: int, phone_number: str) -> str:
        """A code to type on the phone instead of scanning the QR; needs the session's websocket up first."""
        await self.start_session(whatsapp_id)
        session = self._sessions[whatsapp_id]
        try:
            await asyncio.wait_for(session.websocket_up.wait(), PAIR_READY_TIMEOUT)
        except TimeoutError:
            raise TransportError("WhatsApp did not answer in time", retryable=True) from None
        digits = "".join(ch for ch in phone_number if ch.isdigit())
        try:
            code = await session.client.PairPhone(digits, True)
        except NeonizeError as error:
            raise TransportError(str(error), retryable=True) from error
        await self._status(whatsapp_id, ConnectionStatus.PAIRING)
        return code

    async def logout(self, whatsapp_id: int) -> None:
        """Unlink the device from the phone and stop the session; the next start shows a new QR."""
        session = self._sessions.get(whatsapp_id)
        if session is not None and session.connected:
            try:
                await session.client.logout()
            except NeonizeError as error:
                log.warning("logout of connection %s failed: %s", whatsapp_id, error)
        if session is not None:
            await self.stop_session(whatsapp_id)
        if not self._store.startswith("postgres"):
            # Without a running session nobody told WhatsApp; forgetting the keys still forces a new QR here.
            await asyncio.to_thread(Path(session_store_for(self._store, whatsapp_id)).unlink, missing_ok=True)
        await self._status(whatsapp_id, ConnectionStatus.DISCONNECTED)

    async def stop_session(self, whatsapp_id: int) -> None:
        """Stop holding the session (shutdown, lease lost) without logging out: another process may resume it."""
        session = self._sessions.pop(whatsapp_id, None)
        if session is None:
            return
        session.stopping = True
        session.connected = False
        await self._bounded(session.client.disconnect())
        await self._bounded(session.client.stop())
        if session.supervisor is not None:
            # The supervisor only waits (shielded) on the connect task, so cancelling it never cancels that task.
            session.supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await session.supervisor

    async def close(self) -> None:
        for whatsapp_id in list(self._sessions):
            await self.stop_session(whatsapp_id)

    def holds(self, whatsapp_id: int) -> bool:
        """Whether this process runs connection ``whatsapp_id``'s session (connected or not yet)."""
        session = self._sessions.get(whatsapp_id)
        return session is not None and not session.stopping

    def is_connected(self, whatsapp_id: int) -> bool:
        session = self._sessions.get(whatsapp_id)
        return session is not None and session.connected

    # -- MessageSender -----------------------------------------------------------------------------------------------

    async def send_text(
        self, whatsapp_id: int, to: Recipient, body: str, *, quoted_wa_message_id: str | None = None
    ) -> str:
        client = self._client(whatsapp_id)
        chat = jid_of(to)
        if quoted_wa_message_id:
            text = ExtendedTextMessage(text=body, contextInfo=self._quote(whatsapp_id, chat, quoted_wa_message_id))
            message = Message(extendedTextMessage=text)
        else:
            message = Message(conversation=body)
        return await self._send(whatsapp_id, client, chat, message)

    async def send_media(
        self,
        whatsapp_id: int,
        to: Recipient,
        media: MediaFile,
        *,
        caption: str = "",
        quoted_wa_message_id: str | None = None,
    ) -> str:
        if not isinstance(media.data, bytes):  # a URL string would be fetched by neonize (SSRF)
            raise TransportError("media must be bytes", retryable=False)
        client = self._client(whatsapp_id)
        chat = jid_of(to)
        context = self._quote(whatsapp_id, chat, quoted_wa_message_id) if quoted_wa_message_id else None
        if media.media_type is MediaType.CONTACT:
            card = ContactMessage(displayName=media.file_name or "", vcard=media.data.decode("utf-8", "replace"))
            if context is not None:
                card.contextInfo.CopyFrom(context)
            return await self._send(whatsapp_id, client, chat, Message(contactMessage=card))
        upload_type = _UPLOAD_TYPE.get(media.media_type)
        if upload_type is None:
            raise TransportError(f"cannot send {media.media_type} media", retryable=False)
        try:
            upload = await client.upload(media.data, upload_type)
        except NeonizeError as error:
            raise TransportError(f"upload failed: {error}", retryable=True) from error
        message = _media_message(media, upload, caption)
        if context is not None:
            part = getattr(message, _MEDIA_FIELD[media.media_type])
            part.contextInfo.CopyFrom(context)
        return await self._send(whatsapp_id, client, chat, message)

    async def edit_text(self, whatsapp_id: int, to: Recipient, wa_message_id: str, body: str) -> None:
        client = self._client(whatsapp_id)
        try:
            await client.edit_message(jid_of(to), wa_message_id, Message(conversation=body))
        except NeonizeError as error:
            raise TransportError(str(error), retryable=True) from error

    async def delete_for_everyone(self, whatsapp_id: int, to: Recipient, wa_message_id: str) -> None:
        client = self._client(whatsapp_id)
        chat = jid_of(to)
        # Only our own messages are deleted from here, so the key is fromMe (neonize's helper asks the server).
        key = MessageKey(fromMe=True, ID=wa_message_id, remoteJID=jid_string(chat))
        revoke = Message(protocolMessage=ProtocolMessage(type=ProtocolMessage.REVOKE, key=key))
        try:
            await client.send_message(chat, revoke)
        except NeonizeError as error:
            raise TransportError(str(error), retryable=True) from error

    async def mark_read(self, whatsapp_id: int, chat: Recipient, wa_message_ids: tuple[str, ...]) -> None:
        if not wa_message_ids:
            return
        client = self._client(whatsapp_id)
        chat_jid = jid_of(chat)
        # A read receipt names the messages' sender: the chat itself, or in a group each member (known when we saw
        # the message arrive in this process; otherwise the group, which WhatsApp may ignore).
        by_sender: dict[str, tuple[JID, list[str]]] = {}
        for wa_id in wa_message_ids:
            recent = self._recent.get((whatsapp_id, wa_id))
            sender = recent.sender if (chat.is_group and recent is not None) else chat_jid
            by_sender.setdefault(jid_string(sender), (sender, []))[1].append(wa_id)
        for sender, ids in by_sender.values():
            try:
                await client.mark_read(*ids, chat=chat_jid, sender=sender, receipt=ReceiptType.READ)
            except NeonizeError as error:
                raise TransportError(str(error), retryable=True) from error

    # -- MediaFetcher ------------------------------------------------------------------------------------------------

    async def fetch(self, whatsapp_id: int, media_ref: str) -> bytes:
        try:
            message = decode_media_ref(media_ref)
        except ValueError as error:
            raise TransportError(str(error), retryable=False) from error
        client = self._client(whatsapp_id)
        try:
            data = await client.download_any(message)
        except NeonizeError as error:
            text = str(error)
            # WhatsApp deletes media from its servers after a while: 404/410 will never succeed.
            gone = "404" in text or "410" in text
            raise TransportError(f"download failed: {text}", retryable=not gone) from error
        if not data:
            raise TransportError("download returned nothing", retryable=True)
        return data

    # -- internals ---------------------------------------------------------------------------------------------------

    def _client(self, whatsapp_id: int) -> NeonizeClient:
        session = self._sessions.get(whatsapp_id)
        if session is None or not session.connected:
            raise TransportError(f"WhatsApp connection {whatsapp_id} is not connected in this process", retryable=True)
        return session.client

    async def _send(self, whatsapp_id: int, client: NeonizeClient, chat: JID, message: Message) -> str:
        try:
            response = await client.send_message(chat, message)
        except NeonizeError as error:
            raise TransportError(str(error), retryable=True) from error
        wa_id = str(response.ID)
        own = self._own_jid(client)
        if own is not None:
            self._remember(whatsapp_id, wa_id, own, message)
        return wa_id

    def _quote(self, whatsapp_id: int, chat: JID, wa_message_id: str) -> ContextInfo:
        recent = self._recent.get((whatsapp_id, wa_message_id))
        if recent is None:
            # Not seen by this process: the id alone still threads the reply on the phone.
            return ContextInfo(stanzaID=wa_message_id, participant=jid_string(chat))
        quoted = Message()
        quoted.CopyFrom(recent.message)
        return ContextInfo(stanzaID=wa_message_id, participant=jid_string(recent.sender), quotedMessage=quoted)

    def _remember(self, whatsapp_id: int, wa_id: str, sender: JID, message: Message) -> None:
        self._recent[(whatsapp_id, wa_id)] = _Recent(sender, message)
        self._recent.move_to_end((whatsapp_id, wa_id))
        while len(self._recent) > RECENT_MESSAGES:
            self._recent.popitem(last=False)

    @staticmethod
    def _own_jid(client: NeonizeClient) -> JID | None:
        me = getattr(client, "me", None)
        jid = getattr(me, "JID", None)
        if jid is None or not jid.User:
            return None
        return JID(User=jid.User, Server=jid.Server or USER_SERVER)

    def _enlarge_executor(self) -> None:
        loop = asyncio.get_running_loop()
        if self._executor_loop is loop:
            return
        loop.set_default_executor(ThreadPoolExecutor(max_workers=self._max_sessions + 16, thread_name_prefix="neonize"))
        self._executor_loop = loop

    async def _bounded(self, call: Awaitable[object]) -> None:
        task = asyncio.ensure_future(call)
        done, _pending = await asyncio.wait({task}, timeout=DISCONNECT_TIMEOUT)
        if task in done and task.exception() is not None:
            log.debug("ignored during shutdown: %r", task.exception())

    async def _status(self, whatsapp_id: int, status: ConnectionStatus, number: str | None = None) -> None:
        try:
            await self._handlers.on_status(whatsapp_id, status, number)
        except Exception:
            log.exception("status handler failed for connection %s (%s)", whatsapp_id, status)

    async def _supervise(self, session: _Session) -> None:
        attempt = 0
        while not session.stopping:
            await self._status(session.whatsapp_id, ConnectionStatus.OPENING)
            session.saw_qr = session.connected_this_attempt = False
            try:
                session.connect_task = await session.client.connect()
                await asyncio.shield(session.connect_task)  # never cancel a connect task: it would freeze the loop
                reason = "session ended"
            except asyncio.CancelledError:
                raise
            except Exception as error:
                reason = str(error)
            session.connected = False
            session.websocket_up.clear()
            if session.stopping:
                return
            if session.saw_qr and not session.ever_connected:
                # Nobody scanned the QR codes: wait for a new start instead of showing QR codes forever.
                log.info("connection %s: QR not scanned (%s)", session.whatsapp_id, reason)
                self._sessions.pop(session.whatsapp_id, None)
                session.stopping = True
                await self._bounded(session.client.stop())
                await self._status(session.whatsapp_id, ConnectionStatus.TIMEOUT)
                return
            # A session that got connected earns a fresh start; repeated failures wait longer and longer.
            attempt = 0 if session.connected_this_attempt else attempt + 1
            delay = self._backoff.delay(attempt)
            log.warning("connection %s lost (%s); reconnecting in %.1fs", session.whatsapp_id, reason, delay)
            # OPENING while we keep trying (as Whaticket shows it); DISCONNECTED is kept for sessions that ended
            # (logout, replaced, banned), so "wants a session" can be read from the stored status.
            await self._status(session.whatsapp_id, ConnectionStatus.OPENING)
            await self._sleep(delay)

    def _register(self, session: _Session) -> None:
        whatsapp_id = session.whatsapp_id
        client = session.client

        async def on_qr(_client: object, data: bytes) -> None:
            session.saw_qr = True
            session.websocket_up.set()
            code = data.decode() if isinstance(data, bytes) else str(data)
            try:
                await self._handlers.on_qr(whatsapp_id, code)
            except Exception:
                log.exception("QR handler failed for connection %s", whatsapp_id)

        async def on_connected(_client: object, _event: object) -> None:
            session.connected = session.ever_connected = session.connected_this_attempt = True
            session.websocket_up.set()
            own = self._own_jid(client)
            await self._status(whatsapp_id, ConnectionStatus.CONNECTED, own.User if own else None)

        async def on_disconnected(_client: object, _event: object) -> None:
            # whatsmeow reconnects an established session itself; the connection shows OPENING meanwhile.
            session.connected = False
            if not session.stopping:
                await self._status(whatsapp_id, ConnectionStatus.OPENING)

        async def on_logged_out(_client: object, _event: object) -> None:
            await self._end(session, "logged out from the phone")

        async def on_replaced(_client: object, _event: object) -> None:
            await self._end(session, "another client took this session over")

        async def on_banned(_client: object, event: Any) -> None:
            await self._end(session, f"temporarily banned by WhatsApp ({event})")

        async def on_message(_client: object, event: MessageEv) -> None:
            await self.handle_message_event(whatsapp_id, event)

        async def on_receipt(_client: object, event: ReceiptEv) -> None:
            command = translate_receipt(whatsapp_id, event)
            if command is not None:
                await self._deliver(command)

        client.event.qr(on_qr)
        client.event(ConnectedEv)(on_connected)
        client.event(DisconnectedEv)(on_disconnected)
        client.event(LoggedOutEv)(on_logged_out)
        client.event(StreamReplacedEv)(on_replaced)
        client.event(TemporaryBanEv)(on_banned)
        client.event(MessageEv)(on_message)
        client.event(ReceiptEv)(on_receipt)

    async def handle_message_event(self, whatsapp_id: int, event: MessageEv) -> None:
        """Translate one message event and hand it to the core (public so the event path can be driven in tests)."""
        command = translate_message(whatsapp_id, event)
        if command is None:
            return
        if isinstance(command, InboundMessage):
            source = event.Info.MessageSource
            self._remember(whatsapp_id, command.wa_message_id, source.Sender, unwrap(event.Message))
            if command.is_group and command.group_name is None:
                name = await self._group_name(whatsapp_id, source.Chat)
                if name:
                    command = _with_group_name(command, name)
        await self._deliver(command)

    async def _deliver(self, command: Any) -> None:
        try:
            await self._handlers.dispatch(command)
        except Exception:
            # The event came from a Go thread: nobody above us would see this exception.
            log.exception("inbound handler failed for %r", command)

    async def _group_name(self, whatsapp_id: int, group: JID) -> str | None:
        key = (whatsapp_id, group.User)
        if key in self._group_names:
            return self._group_names[key]
        session = self._sessions.get(whatsapp_id)
        if session is None:
            return None
        try:
            info = await session.client.get_group_info(group)
            name = str(info.GroupName.Name)
        except Exception as error:  # a name is a nicety; the message goes on without it
            log.debug("no group name for %s: %s", group.User, error)
            return None
        self._group_names[key] = name
        return name

    async def _end(self, session: _Session, reason: str) -> None:
        log.warning("connection %s ended: %s", session.whatsapp_id, reason)
        if self._sessions.get(session.whatsapp_id) is session:
            await self.stop_session(session.whatsapp_id)
        await self._status(session.whatsapp_id, ConnectionStatus.DISCONNECTED)


_MEDIA_FIELD = {
    MediaType.IMAGE: "imageMessage",
    MediaType.STICKER: "stickerMessage",
    MediaType.VIDEO: "videoMessage",
    MediaType.AUDIO: "audioMessage",
    MediaType.VOICE: "audioMessage",
    MediaType.DOCUMENT: "documentMessage",
}


def _media_message(media: MediaFile, upload: Any, caption: str) -> Message:
    common: dict[str, Any] = {
        "URL": upload.url,
        "directPath": upload.DirectPath,
        "mediaKey": upload.MediaKey,
        "fileEncSHA256": upload.FileEncSHA256,
        "fileSHA256": upload.FileSHA256,
        "fileLength": upload.FileLength,
        "mimetype": media.mime_type,
    }
    kind = media.media_type
    if kind is MediaType.IMAGE:
        return Message(imageMessage=ImageMessage(caption=caption, **common))
    if kind is MediaType.VIDEO:
        return Message(videoMessage=VideoMessage(caption=caption, **common))
    if kind in (MediaType.AUDIO, MediaType.VOICE):
        return Message(audioMessage=AudioMessage(PTT=kind is MediaType.VOICE, **common))
    if kind is MediaType.STICKER:
        return Message(stickerMessage=StickerMessage(**common))
    name = media.file_name or "file"
    return Message(documentMessage=DocumentMessage(fileName=name, title=name, caption=caption, **common))


def _with_group_name(command: InboundMessage, name: str) -> InboundMessage:
    return replace(command, group_name=name)
