"""The WhatsApp transport over neonize (whatsmeow): one ``NewAClient`` per connection, in this process.

Implements the core's ``MessageSender``, ``SessionController`` and ``MediaFetcher`` ports. The parts live beside it:
:mod:`.session_store` (where device keys are kept), :mod:`.jids`, :mod:`.lifecycle` (connect and reconnect),
:mod:`.outbound` (the messages sent) and :mod:`.inbound` (what the client reports). Media is always uploaded from
bytes: neonize's high-level ``send_image``/``send_document`` helpers fetch any string that looks like a URL, so they
are not used.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from neonize.aioze.events import MessageEv
from neonize.exc import NeonizeError
from neonize.proto.Neonize_pb2 import JID
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from neonize.utils.enum import ReceiptType

from whaticket_core.domain.message import MediaFile, MediaType, SendErrorKind
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.ports.transport import Recipient, TransportError

from ..backoff import Backoff
from ..handlers import TransportHandlers
from ..pacing import SendPacer
from .client import ClientFactory, NeonizeClient, new_neonize_client
from .inbound import InboundReporter, register_events
from .jids import jid_of, jid_string, own_jid
from .lifecycle import ExecutorSizer, Session, bounded, supervise
from .outbound import (
    UPLOAD_TYPE,
    RecentMessages,
    contact_message,
    media_message,
    revoke_message,
    text_message,
)
from .send_errors import classify_send_error
from .session_store import forget_store, prepare_store
from .translation import decode_media_ref

log = logging.getLogger(__name__)

PAIR_READY_TIMEOUT = 30.0


def send_failure(whatsapp_id: int, error: NeonizeError, pacer: SendPacer) -> TransportError:
    """A failed send as the core's error, classified; a rate limit also pauses the connection's sends."""
    kind = classify_send_error(str(error))
    if kind is SendErrorKind.RATE_LIMITED:
        pause = pacer.rate_limited(whatsapp_id)
        log.warning("connection %s rate-limited by WhatsApp; pausing its sends for %.0fs", whatsapp_id, pause)
    return TransportError(str(error), kind=kind)


class NeonizeTransport:
    """WhatsApp over neonize, one session per connection, in this process.

    ``session_store``: a folder for the SQLite session files (``DATA_DIR/whatsapp`` by default) or a PostgreSQL URL
    (``postgres://user:pw@host:5432/whatsmeow``) of a database kept apart from the app's. ``handlers`` receive inbound
    commands, QR codes and status changes. ``client_factory(store, uuid)`` builds a client (tests pass a fake).
    ``max_sessions`` sizes the loop's default executor: each session holds one of its threads. ``pacer`` pauses a
    connection's sends after WhatsApp rate-limited it.
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
        pacer: SendPacer | None = None,
    ) -> None:
        self._store = str(session_store)
        self._client_factory = client_factory
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._executor = ExecutorSizer(max_sessions)
        self._sessions: dict[int, Session] = {}
        self._recent = RecentMessages()
        self._pacer = pacer or SendPacer()
        self._resumes: dict[int, asyncio.Task[None]] = {}  # banned sessions waiting for their ban to end
        self._inbound = InboundReporter(handlers, self._recent)

    # -- SessionController -------------------------------------------------------------------------------------------

    async def start_session(self, whatsapp_id: int) -> None:
        """Start (or keep) connection ``whatsapp_id``'s session; progress arrives through the handlers."""
        self._cancel_resume(whatsapp_id)
        existing = self._sessions.get(whatsapp_id)
        if existing is not None and not existing.stopping:
            return
        self._executor.ensure()
        store = await prepare_store(self._store, whatsapp_id)
        session = Session(whatsapp_id, self._client_factory(store, f"whaticket-{whatsapp_id}"))
        register_events(session, self._inbound, self._end)
        self._sessions[whatsapp_id] = session
        session.supervisor = asyncio.create_task(
            supervise(
                session, report=self._inbound.status, backoff=self._backoff, sleep=self._sleep, forget=self._forget
            ),
            name=f"whatsapp-session-{whatsapp_id}",
        )

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
        await self._inbound.status(whatsapp_id, ConnectionStatus.PAIRING)
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
        # Without a running session nobody told WhatsApp; forgetting the keys still forces a new QR here.
        await forget_store(self._store, whatsapp_id)
        await self._inbound.status(whatsapp_id, ConnectionStatus.DISCONNECTED)

    async def stop_session(self, whatsapp_id: int) -> None:
        """Stop holding the session (shutdown, lease lost) without logging out: another process may resume it."""
        self._cancel_resume(whatsapp_id)  # a banned session waiting to resume goes too
        session = self._sessions.pop(whatsapp_id, None)
        if session is None:
            return
        session.stopping = True
        session.connected = False
        await bounded(session.client.disconnect())
        await bounded(session.client.stop())
        if session.supervisor is not None:
            # The supervisor only waits (shielded) on the connect task, so cancelling it never cancels that task.
            session.supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await session.supervisor

    async def close(self) -> None:
        for whatsapp_id in list(self._resumes):
            self._cancel_resume(whatsapp_id)
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
        context = self._recent.quote(whatsapp_id, chat, quoted_wa_message_id) if quoted_wa_message_id else None
        return await self._send(whatsapp_id, client, chat, text_message(body, context))

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
        context = self._recent.quote(whatsapp_id, chat, quoted_wa_message_id) if quoted_wa_message_id else None
        if media.media_type is MediaType.CONTACT:
            return await self._send(whatsapp_id, client, chat, contact_message(media, context))
        upload_type = UPLOAD_TYPE.get(media.media_type)
        if upload_type is None:
            raise TransportError(f"cannot send {media.media_type} media", retryable=False)
        try:
            upload = await client.upload(media.data, upload_type)
        except NeonizeError as error:
            kind = classify_send_error(str(error), message_may_have_left=False)
            raise TransportError(f"upload failed: {error}", kind=kind) from error
        return await self._send(whatsapp_id, client, chat, media_message(media, upload, caption, context))

    async def edit_text(self, whatsapp_id: int, to: Recipient, wa_message_id: str, body: str) -> None:
        client = self._client(whatsapp_id)
        try:
            await client.edit_message(jid_of(to), wa_message_id, Message(conversation=body))
        except NeonizeError as error:
            raise send_failure(whatsapp_id, error, self._pacer) from error

    async def delete_for_everyone(self, whatsapp_id: int, to: Recipient, wa_message_id: str) -> None:
        client = self._client(whatsapp_id)
        chat = jid_of(to)
        try:
            await client.send_message(chat, revoke_message(chat, wa_message_id))
        except NeonizeError as error:
            raise send_failure(whatsapp_id, error, self._pacer) from error

    async def reject_call(self, whatsapp_id: int, caller: Recipient, call_id: str) -> None:
        client = self._client(whatsapp_id)
        try:
            await client.reject_call(jid_of(caller), call_id)
        except NeonizeError as error:
            raise TransportError(str(error), retryable=False) from error

    async def mark_read(self, whatsapp_id: int, chat: Recipient, wa_message_ids: tuple[str, ...]) -> None:
        if not wa_message_ids:
            return
        client = self._client(whatsapp_id)
        chat_jid = jid_of(chat)
        # A read receipt names the messages' sender: the chat itself, or in a group each member (known when we saw
        # the message arrive in this process; otherwise the group, which WhatsApp may ignore).
        by_sender: dict[str, tuple[JID, list[str]]] = {}
        for wa_id in wa_message_ids:
            seen = self._recent.sender(whatsapp_id, wa_id) if chat.is_group else None
            sender = seen if seen is not None else chat_jid
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

    # -- inbound -----------------------------------------------------------------------------------------------------

    async def handle_message_event(self, whatsapp_id: int, event: MessageEv) -> None:
        """Translate one message event and hand it to the core (public so the event path can be driven in tests)."""
        session = self._sessions.get(whatsapp_id)
        await self._inbound.message(None if session is None else session.client, whatsapp_id, event)

    # -- internals ---------------------------------------------------------------------------------------------------

    def _client(self, whatsapp_id: int) -> NeonizeClient:
        session = self._sessions.get(whatsapp_id)
        if session is None or not session.connected:
            raise TransportError(f"WhatsApp connection {whatsapp_id} is not connected in this process", retryable=True)
        return session.client

    async def _send(self, whatsapp_id: int, client: NeonizeClient, chat: JID, message: Message) -> str:
        await self._pacer.before_send(whatsapp_id)
        try:
            response = await client.send_message(chat, message)
        except NeonizeError as error:
            # On a timeout neonize drops the id whatsmeow chose (its SendMessageError keeps only the text), so an
            # unknown outcome cannot be matched to a later receipt here: the message stays failed/unknown.
            raise send_failure(whatsapp_id, error, self._pacer) from error
        self._pacer.succeeded(whatsapp_id)
        wa_id = str(response.ID)
        own = own_jid(client)
        if own is not None:
            self._recent.remember(whatsapp_id, wa_id, own, message)
        return wa_id

    def _forget(self, session: Session) -> None:
        self._sessions.pop(session.whatsapp_id, None)

    async def _end(
        self, session: Session, reason: str, status: ConnectionStatus, banned_until: datetime | None
    ) -> None:
        """WhatsApp or the phone ended the session: stop it (no reconnect loop) and report why. A ban is waited
        out, then the session starts again by itself."""
        whatsapp_id = session.whatsapp_id
        log.warning("connection %s ended: %s", whatsapp_id, reason)
        if self._sessions.get(whatsapp_id) is session:
            await self.stop_session(whatsapp_id)
        await self._inbound.status(whatsapp_id, status, banned_until=banned_until)
        if status is ConnectionStatus.BANNED and banned_until is not None:
            wait = max(0.0, (banned_until - datetime.now(UTC)).total_seconds())
            self._resumes[whatsapp_id] = asyncio.create_task(
                self._resume_after_ban(whatsapp_id, wait), name=f"whatsapp-resume-{whatsapp_id}"
            )

    async def _resume_after_ban(self, whatsapp_id: int, wait: float) -> None:
        await self._sleep(wait)
        self._resumes.pop(whatsapp_id, None)
        log.info("connection %s: the ban is over; starting the session again", whatsapp_id)
        await self.start_session(whatsapp_id)

    def _cancel_resume(self, whatsapp_id: int) -> None:
        task = self._resumes.pop(whatsapp_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
