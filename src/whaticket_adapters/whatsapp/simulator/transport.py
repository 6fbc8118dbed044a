"""A simulated WhatsApp for demos and end-to-end tests (``WHATSAPP_TRANSPORT=simulator``; never the default).

It implements the same ports as :class:`NeonizeTransport` and reports through the same :class:`TransportHandlers`,
so everything after the transport (use cases, jobs, retries, acks, events) runs the code path of production. What
WhatsApp would do is driven from outside: :meth:`inbound` (a customer writes, by number or by LID, readable or not,
or reacts), :meth:`decrypt`, :meth:`lid_mapping`, :meth:`call`, :meth:`history`, :meth:`receipt`, :meth:`scan`,
:meth:`drop`, :meth:`fail_next`; what the business sent is read with :meth:`outbox`.

Like whatsmeow's LID store, the simulator remembers the LID/number mappings it revealed: a later message ``fromLid``
alone then carries the number too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from whaticket_adapters.whatsapp.backoff import Backoff
from whaticket_adapters.whatsapp.handlers import TransportHandlers
from whaticket_adapters.whatsapp.pacing import SendPacer
from whaticket_adapters.whatsapp.simulator.failures import SimulatedFailures
from whaticket_adapters.whatsapp.simulator.inbound import MEDIA_REF_PREFIX, SimulatedInbound
from whaticket_adapters.whatsapp.simulator.state import (
    InMemorySimulatorState,
    OutboxItem,
    SimulatedMedia,
    SimulatedSession,
    SimulatorState,
)
from whaticket_core.domain.errors import InvalidInput, WhatsAppNotConnected
from whaticket_core.domain.message import MediaFile, MessageAck, SendErrorKind
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.ports.transport import Recipient, TransportError
from whaticket_core.use_cases.inbound.inbound_commands import InboundReceipt

log = logging.getLogger(__name__)

# The session endings ``set_state`` plays.
ENDING_STATES = frozenset({ConnectionStatus.OUTDATED, ConnectionStatus.BANNED, ConnectionStatus.LOGGED_OUT})


def default_number(whatsapp_id: int) -> str:
    return f"5511900{whatsapp_id:06d}"


class SimulatorTransport(SimulatedInbound, SimulatedFailures):
    """Implements ``MessageSender``, ``SessionController`` and ``MediaFetcher`` against :class:`SimulatorState`
    (:class:`InMemorySimulatorState` in one process; ``RedisSimulatorState`` when API and workers are separate).

    With ``require_connection`` (the default, like WhatsApp) sends and inbound messages need the connection to be
    ``CONNECTED`` (after :meth:`scan`); a send on a connection that is not connected fails as retryable.
    """

    def __init__(
        self,
        *,
        handlers: TransportHandlers,
        state: SimulatorState | None = None,
        backoff: Backoff | None = None,
        require_connection: bool = True,
        number_for: Callable[[int], str] = default_number,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        pacer: SendPacer | None = None,
    ) -> None:
        # Short pauses, waited out rather than refused, so a simulated rate limit slows a test down only a little.
        self._pacer = pacer or SendPacer(base=0.2, ceiling=2.0, max_wait=2.0, sleep=sleep)
        self.state: SimulatorState = state if state is not None else InMemorySimulatorState()
        self._handlers = handlers
        self._backoff = backoff or Backoff()
        self._require_connection = require_connection
        self._number_for = number_for
        self._sleep = sleep
        self._reconnects: dict[int, asyncio.Task[None]] = {}

    # -- MessageSender -----------------------------------------------------------------------------------------------

    async def send_text(
        self, whatsapp_id: int, to: Recipient, body: str, *, quoted_wa_message_id: str | None = None
    ) -> str:
        def item(wa_id: str) -> OutboxItem:
            return OutboxItem(0, whatsapp_id, "text", to.address, to.is_group, body, wa_id, quoted_wa_message_id)

        return await self._send(whatsapp_id, item)

    async def send_media(
        self,
        whatsapp_id: int,
        to: Recipient,
        media: MediaFile,
        *,
        caption: str = "",
        quoted_wa_message_id: str | None = None,
    ) -> str:
        if not isinstance(media.data, bytes):
            raise TransportError("media must be bytes", retryable=False)
        sent = SimulatedMedia(media.media_type, media.mime_type, media.data, media.file_name)

        def item(wa_id: str) -> OutboxItem:
            return OutboxItem(
                0, whatsapp_id, "media", to.address, to.is_group, caption, wa_id, quoted_wa_message_id, sent
            )

        return await self._send(whatsapp_id, item)

    async def edit_text(self, whatsapp_id: int, to: Recipient, wa_message_id: str, body: str) -> None:
        await self._send(
            whatsapp_id,
            lambda _: OutboxItem(0, whatsapp_id, "edit", to.address, to.is_group, body, wa_message_id),
            wa_message_id,
        )

    async def delete_for_everyone(self, whatsapp_id: int, to: Recipient, wa_message_id: str) -> None:
        await self._send(
            whatsapp_id,
            lambda _: OutboxItem(0, whatsapp_id, "delete", to.address, to.is_group, "", wa_message_id),
            wa_message_id,
        )

    async def reject_call(self, whatsapp_id: int, caller: Recipient, call_id: str) -> None:
        await self._require_connected(whatsapp_id)
        await self.state.append_outbox(OutboxItem(0, whatsapp_id, "reject-call", caller.address, False, "", call_id))

    async def mark_read(self, whatsapp_id: int, chat: Recipient, wa_message_ids: tuple[str, ...]) -> None:
        # Receipts need the connection but do not consume fail-next failures (those are for sends).
        await self._require_connected(whatsapp_id)
        item = OutboxItem(0, whatsapp_id, "read-receipt", chat.address, chat.is_group, wa_message_ids=wa_message_ids)
        await self.state.append_outbox(item)

    # -- MediaFetcher ------------------------------------------------------------------------------------------------

    async def fetch(self, whatsapp_id: int, media_ref: str) -> bytes:
        stored = await self.state.get_media(media_ref) if media_ref.startswith(MEDIA_REF_PREFIX) else None
        if stored is None:
            raise TransportError(f"media {media_ref!r} is gone", retryable=False)
        return stored.data

    # -- SessionController -------------------------------------------------------------------------------------------

    async def start_session(self, whatsapp_id: int) -> None:
        """A connected session stays (and is reported again); otherwise a new QR code is shown until :meth:`scan`."""
        session = await self.state.get_session(whatsapp_id)
        if session is not None and session.status is ConnectionStatus.CONNECTED:
            await self._status(whatsapp_id, ConnectionStatus.CONNECTED, session.number)
            return
        qr = f"SIMULATOR:{whatsapp_id}:{secrets.token_urlsafe(24)}"
        await self.state.set_session(whatsapp_id, SimulatedSession(ConnectionStatus.QRCODE, qr=qr))
        await self._handlers.on_qr(whatsapp_id, qr)

    async def request_pair_code(self, whatsapp_id: int, phone_number: str) -> str:
        digits = "".join(ch for ch in phone_number if ch.isdigit())
        await self.state.set_session(whatsapp_id, SimulatedSession(ConnectionStatus.PAIRING, number=digits or None))
        code = secrets.token_hex(4).upper()
        return f"{code[:4]}-{code[4:]}"

    async def logout(self, whatsapp_id: int) -> None:
        self._cancel_reconnect(whatsapp_id)
        await self.state.set_session(whatsapp_id, None)
        await self._status(whatsapp_id, ConnectionStatus.DISCONNECTED)

    # -- what WhatsApp would do --------------------------------------------------------------------------------------

    async def scan(self, whatsapp_id: int, number: str | None = None) -> str:
        """The phone scans the QR (or enters the pair code): the connection is ``CONNECTED`` as ``number``."""
        session = await self.state.get_session(whatsapp_id)
        if session is None or session.status not in (ConnectionStatus.QRCODE, ConnectionStatus.PAIRING):
            raise WhatsAppNotConnected(
                f"Connection {whatsapp_id} is not waiting for a scan; start its session first", whatsappId=whatsapp_id
            )
        linked = number or session.number or self._number_for(whatsapp_id)
        await self.state.set_session(whatsapp_id, SimulatedSession(ConnectionStatus.CONNECTED, number=linked))
        await self._status(whatsapp_id, ConnectionStatus.CONNECTED, linked)
        return linked

    async def drop(self, whatsapp_id: int, *, failed_reconnects: int = 0) -> None:
        """The connection is lost: ``OPENING`` while it reconnects after a backoff (``failed_reconnects`` failed
        tries first, each waiting longer), then ``CONNECTED`` again, as NeonizeTransport reports a real loss."""
        session = await self.state.get_session(whatsapp_id)
        if session is None or session.status is not ConnectionStatus.CONNECTED:
            raise WhatsAppNotConnected(f"Connection {whatsapp_id} is not connected", whatsappId=whatsapp_id)
        await self.state.set_session(whatsapp_id, SimulatedSession(ConnectionStatus.OPENING, number=session.number))
        await self._status(whatsapp_id, ConnectionStatus.OPENING)
        self._cancel_reconnect(whatsapp_id)
        task = asyncio.create_task(self._reconnect(whatsapp_id, session.number, failed_reconnects))
        self._reconnects[whatsapp_id] = task
        task.add_done_callback(lambda done: self._forget(whatsapp_id, done))

    async def set_state(self, whatsapp_id: int, status: ConnectionStatus, banned_until: datetime | None = None) -> None:
        """WhatsApp ends the session as the real network can: ``OUTDATED`` (this client version is refused; nothing
        reconnects), ``LOGGED_OUT`` (the phone removed the device; the next start shows a new QR) or ``BANNED``
        until ``banned_until`` (required), after which the session is ``CONNECTED`` again by itself."""
        if status not in ENDING_STATES:
            raise InvalidInput(f"status is one of {', '.join(sorted(ENDING_STATES))}", "status")
        if status is ConnectionStatus.BANNED and banned_until is None:
            raise InvalidInput("a ban needs bannedUntil", "bannedUntil")
        session = await self.state.get_session(whatsapp_id)
        number = session.number if session is not None else None
        self._cancel_reconnect(whatsapp_id)
        if status is ConnectionStatus.LOGGED_OUT:
            await self.state.set_session(whatsapp_id, None)
        else:
            await self.state.set_session(whatsapp_id, SimulatedSession(status, number=number))
        await self._status(whatsapp_id, status, banned_until=banned_until)
        if status is ConnectionStatus.BANNED and banned_until is not None:
            wait = max(0.0, (banned_until - datetime.now(UTC)).total_seconds())
            task = asyncio.create_task(self._resume_after_ban(whatsapp_id, number, wait))
            self._reconnects[whatsapp_id] = task
            task.add_done_callback(lambda done: self._forget(whatsapp_id, done))

    async def _resume_after_ban(self, whatsapp_id: int, number: str | None, wait: float) -> None:
        await self._sleep(wait)
        await self.state.set_session(whatsapp_id, SimulatedSession(ConnectionStatus.CONNECTED, number=number))
        await self._status(whatsapp_id, ConnectionStatus.CONNECTED, number)

    async def receipt(self, whatsapp_id: int, wa_message_ids: tuple[str, ...], ack: MessageAck) -> None:
        if ack not in (MessageAck.DELIVERED, MessageAck.READ):
            raise InvalidInput("a receipt is delivered or read", "type")
        await self._handlers.on_inbound(InboundReceipt(whatsapp_id, tuple(wa_message_ids), ack))

    async def outbox(self, whatsapp_id: int | None = None, after: int = 0) -> list[OutboxItem]:
        return await self.state.outbox(whatsapp_id, after)

    def holds(self, whatsapp_id: int) -> bool:
        """Always: the simulated sessions live in the shared state, so every process may act on them."""
        return True

    async def stop_session(self, whatsapp_id: int) -> None:
        """Nothing to stop: the simulated session lives in the shared state, not in this process."""
        return None

    async def close(self) -> None:
        for whatsapp_id in list(self._reconnects):
            self._cancel_reconnect(whatsapp_id)

    # -- internals ---------------------------------------------------------------------------------------------------

    async def _send(
        self, whatsapp_id: int, item: Callable[[str], OutboxItem], existing_wa_id: str | None = None
    ) -> str:
        """Hand ``item(wa_id)`` to the simulated WhatsApp, or fail as the next queued failure says."""
        await self._require_connected(whatsapp_id)
        await self._pacer.before_send(whatsapp_id)
        failure = await self._next_failure(whatsapp_id)
        if failure is not None and failure.kind is not SendErrorKind.UNKNOWN:
            raise failure
        wa_id = existing_wa_id or await self._new_wa_id("3EB0SIM")
        await self.state.append_outbox(item(wa_id))
        if failure is not None:  # a timeout: WhatsApp took it, the answer was lost on the way back
            raise TransportError(failure.reason, kind=SendErrorKind.UNKNOWN, wa_message_id=wa_id)
        self._pacer.succeeded(whatsapp_id)
        return wa_id

    async def _require_connected(self, whatsapp_id: int, *, domain_error: bool = False) -> None:
        if not self._require_connection:
            return
        session = await self.state.get_session(whatsapp_id)
        if session is None or session.status is not ConnectionStatus.CONNECTED:
            reason = f"WhatsApp connection {whatsapp_id} is not connected"
            if domain_error:
                raise WhatsAppNotConnected(reason, whatsappId=whatsapp_id)
            raise TransportError(reason, retryable=True)

    async def _new_wa_id(self, prefix: str) -> str:
        # Random, like WhatsApp's own ids (3EB0 + 20 hex digits for a web client): a counter restarted with the
        # process and handed out ids already stored, which then clashed or were taken for redeliveries.
        return f"{prefix}{secrets.token_hex(10).upper()}"

    async def _status(
        self,
        whatsapp_id: int,
        status: ConnectionStatus,
        number: str | None = None,
        banned_until: datetime | None = None,
    ) -> None:
        try:
            await self._handlers.on_status(whatsapp_id, status, number, banned_until)
        except Exception:
            log.exception("status handler failed for connection %s (%s)", whatsapp_id, status)

    async def _reconnect(self, whatsapp_id: int, number: str | None, failures: int) -> None:
        for attempt in range(failures + 1):
            await self._sleep(self._backoff.delay(attempt))
            if attempt < failures:
                log.info("simulated reconnect %s of connection %s failed", attempt + 1, whatsapp_id)
        await self.state.set_session(whatsapp_id, SimulatedSession(ConnectionStatus.CONNECTED, number=number))
        await self._status(whatsapp_id, ConnectionStatus.CONNECTED, number)

    def _cancel_reconnect(self, whatsapp_id: int) -> None:
        task = self._reconnects.pop(whatsapp_id, None)
        if task is not None:
            task.cancel()

    def _forget(self, whatsapp_id: int, task: asyncio.Task[None]) -> None:
        if self._reconnects.get(whatsapp_id) is task:
            del self._reconnects[whatsapp_id]
        if not task.cancelled() and task.exception() is not None:
            log.error("simulated reconnect of %s failed: %r", whatsapp_id, task.exception())

    async def wait_reconnected(self, whatsapp_id: int) -> None:
        """Wait for a reconnect started by :meth:`drop` in this process (tests and the dev routes)."""
        task = self._reconnects.get(whatsapp_id)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(task)
