"""What a session's client reports, turned into the handlers' calls: status, QR codes and inbound commands."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from neonize.aioze.events import (
    CallOfferEv,
    ClientOutdatedEv,
    ConnectedEv,
    ConnectFailureEv,
    DisconnectedEv,
    HistorySyncEv,
    LoggedOutEv,
    MessageEv,
    ReceiptEv,
    StreamReplacedEv,
    TemporaryBanEv,
)
from neonize.proto.Neonize_pb2 import JID, ConnectFailureReason
from neonize.proto.Neonize_pb2 import UndecryptableMessage as UndecryptableMessageEv  # registered, not re-exported

from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.use_cases.inbound.inbound_commands import InboundCommand, InboundMessage

from ..handlers import TransportHandlers
from .client import NeonizeClient
from .event_translation import translate_call, translate_history, translate_undecryptable
from .jids import own_jid
from .lid_store import with_known_number
from .lifecycle import Session
from .outbound import RecentMessages
from .translation import translate_message, translate_receipt, unwrap

log = logging.getLogger(__name__)
# A history sync replays older chats too: only what arrived in this window is backfilled into tickets.
HISTORY_WINDOW = timedelta(days=3)


class InboundReporter:
    """Hands the handlers what sessions report. A failing handler is logged and never reaches neonize: its events
    come from a Go thread, where nobody would see the exception."""

    def __init__(self, handlers: TransportHandlers, recent: RecentMessages) -> None:
        self.handlers = handlers
        self._recent = recent
        self._group_names: dict[tuple[int, str], str] = {}

    async def status(
        self,
        whatsapp_id: int,
        status: ConnectionStatus,
        number: str | None = None,
        banned_until: datetime | None = None,
    ) -> None:
        try:
            await self.handlers.on_status(whatsapp_id, status, number, banned_until)
        except Exception:
            log.exception("status handler failed for connection %s (%s)", whatsapp_id, status)

    async def qr(self, whatsapp_id: int, code: str) -> None:
        try:
            await self.handlers.on_qr(whatsapp_id, code)
        except Exception:
            log.exception("QR handler failed for connection %s", whatsapp_id)

    async def message(self, client: NeonizeClient | None, whatsapp_id: int, event: MessageEv) -> None:
        """Translate one message event and hand it on; ``client`` (when running) looks up a group's name."""
        command = translate_message(whatsapp_id, event)
        if command is None:
            return
        if isinstance(command, InboundMessage):
            source = event.Info.MessageSource
            self._recent.remember(whatsapp_id, command.wa_message_id, source.Sender, unwrap(event.Message))
            if command.is_group and command.group_name is None and client is not None:
                name = await self._group_name(client, whatsapp_id, source.Chat)
                if name:
                    command = replace(command, group_name=name)
            if client is not None:
                command = await with_known_number(client, command)
        await self.deliver(command)

    async def undecryptable(
        self, client: NeonizeClient | None, whatsapp_id: int, event: UndecryptableMessageEv
    ) -> None:
        command = translate_undecryptable(whatsapp_id, event)
        if command is not None:
            await self.deliver(command if client is None else await with_known_number(client, command))

    async def call(self, client: NeonizeClient | None, whatsapp_id: int, event: CallOfferEv) -> None:
        command = translate_call(whatsapp_id, event)
        if command is not None:
            await self.deliver(command if client is None else await with_known_number(client, command))

    async def history(self, whatsapp_id: int, event: HistorySyncEv) -> None:
        """Backfill what a history sync carries (mappings first, then messages in order) through the same handlers
        as live events: redeliveries are no-ops, so a sync overlapping stored messages stores each once."""
        since = datetime.now(UTC) - HISTORY_WINDOW
        for command in translate_history(whatsapp_id, event, since=since):
            await self.deliver(command)

    async def receipt(self, whatsapp_id: int, event: ReceiptEv) -> None:
        command = translate_receipt(whatsapp_id, event)
        if command is not None:
            await self.deliver(command)

    async def deliver(self, command: InboundCommand) -> None:
        try:
            await self.handlers.on_inbound(command)
        except Exception:
            log.exception("inbound handler failed for %r", command)

    async def _group_name(self, client: NeonizeClient, whatsapp_id: int, group: JID) -> str | None:
        key = (whatsapp_id, group.User)
        if key in self._group_names:
            return self._group_names[key]
        try:
            info = await client.get_group_info(group)
            name = str(info.GroupName.Name)
        except Exception as error:  # a name is a nicety; the message goes on without it
            log.debug("no group name for %s: %s", group.User, error)
            return None
        self._group_names[key] = name
        return name


EndSession = Callable[[Session, str, ConnectionStatus, "datetime | None"], Awaitable[None]]
"""``end(session, reason, status, banned_until)``: WhatsApp or the phone ended the session; no reconnect."""

# ConnectFailure reasons that end a session (whatsmeow reports most of them as LoggedOut/ClientOutdated too).
_ENDING_FAILURES = {
    ConnectFailureReason.CLIENT_OUTDATED: ConnectionStatus.OUTDATED,
    ConnectFailureReason.LOGGED_OUT: ConnectionStatus.LOGGED_OUT,
    ConnectFailureReason.MAIN_DEVICE_GONE: ConnectionStatus.LOGGED_OUT,
    ConnectFailureReason.UNKNOWN_LOGOUT: ConnectionStatus.LOGGED_OUT,
}


def ban_end(event: Any, now: datetime) -> datetime:
    """When a TemporaryBan lifts: neonize gives whatsmeow's ``Expire`` duration in whole seconds."""
    return now + timedelta(seconds=max(0, int(event.Expire)))


def register_events(session: Session, reporter: InboundReporter, end: EndSession) -> None:
    """Bind the client's events of ``session``: ``end(...)`` when WhatsApp or the phone ended it (logged out,
    outdated client, banned, replaced)."""
    whatsapp_id = session.whatsapp_id
    client = session.client

    async def on_qr(_client: object, data: bytes) -> None:
        session.saw_qr = True
        session.websocket_up.set()
        await reporter.qr(whatsapp_id, data.decode() if isinstance(data, bytes) else str(data))

    async def on_connected(_client: object, _event: object) -> None:
        session.connected = session.ever_connected = session.connected_this_attempt = True
        session.websocket_up.set()
        own = own_jid(client)
        await reporter.status(whatsapp_id, ConnectionStatus.CONNECTED, own.User if own else None)

    async def on_disconnected(_client: object, _event: object) -> None:
        # whatsmeow reconnects an established session itself; the connection shows OPENING meanwhile.
        session.connected = False
        if not session.stopping:
            await reporter.status(whatsapp_id, ConnectionStatus.OPENING)

    async def on_logged_out(_client: object, event: Any) -> None:
        reason = ConnectFailureReason.Name(event.Reason) if event.HasField("Reason") else "unknown reason"
        await end(session, f"logged out from the phone ({reason})", ConnectionStatus.LOGGED_OUT, None)

    async def on_outdated(_client: object, _event: object) -> None:
        await end(session, "WhatsApp refuses this client version (405)", ConnectionStatus.OUTDATED, None)

    async def on_connect_failure(_client: object, event: Any) -> None:
        status = _ENDING_FAILURES.get(event.Reason)
        if status is None:  # anything else is retried by the session's supervisor with backoff
            log.warning("connection %s: connect failure %s %s", whatsapp_id, event.Reason, event.Message)
            return
        await end(session, f"connect failure {ConnectFailureReason.Name(event.Reason)}", status, None)

    async def on_replaced(_client: object, _event: object) -> None:
        await end(session, "another client took this session over", ConnectionStatus.DISCONNECTED, None)

    async def on_banned(_client: object, event: Any) -> None:
        until = ban_end(event, datetime.now(UTC))
        await end(session, f"temporarily banned by WhatsApp (code {event.Code})", ConnectionStatus.BANNED, until)

    async def on_message(_client: object, event: MessageEv) -> None:
        # A stopped session's client is not asked for group names.
        await reporter.message(None if session.stopping else client, whatsapp_id, event)

    async def on_receipt(_client: object, event: ReceiptEv) -> None:
        await reporter.receipt(whatsapp_id, event)

    async def on_undecryptable(_client: object, event: UndecryptableMessageEv) -> None:
        await reporter.undecryptable(None if session.stopping else client, whatsapp_id, event)

    async def on_call(_client: object, event: CallOfferEv) -> None:
        await reporter.call(None if session.stopping else client, whatsapp_id, event)

    async def on_history(_client: object, event: HistorySyncEv) -> None:
        await reporter.history(whatsapp_id, event)

    client.event.qr(on_qr)
    client.event(ConnectedEv)(on_connected)
    client.event(DisconnectedEv)(on_disconnected)
    client.event(LoggedOutEv)(on_logged_out)
    client.event(ClientOutdatedEv)(on_outdated)
    client.event(ConnectFailureEv)(on_connect_failure)
    client.event(StreamReplacedEv)(on_replaced)
    client.event(TemporaryBanEv)(on_banned)
    client.event(MessageEv)(on_message)
    client.event(ReceiptEv)(on_receipt)
    client.event(UndecryptableMessageEv)(on_undecryptable)
    client.event(CallOfferEv)(on_call)
    client.event(HistorySyncEv)(on_history)
