"""The process's WhatsApp transport, and what it reports bound to the core's use cases through one table."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from whaticket_adapters.jobs import UseCaseFactory
from whaticket_adapters.whatsapp.cluster.session_router import SessionRouter
from whaticket_adapters.whatsapp.handlers import TransportHandlers
from whaticket_adapters.whatsapp.ports import WhatsAppPorts, WhatsAppTransport
from whaticket_adapters.whatsapp.simulator.transport import SimulatorTransport
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.use_cases.automation.assign_tickets import AssignPendingTickets, AssignPendingTicketsCommand
from whaticket_core.use_cases.automation.reply_outside_hours import ReplyOutsideHours, ReplyOutsideHoursCommand
from whaticket_core.use_cases.connections.whatsapp_sessions import (
    UpdateConnectionStatus,
    UpdateConnectionStatusCommand,
    UpdateQrCode,
    UpdateQrCodeCommand,
)
from whaticket_core.use_cases.inbound.apply_inbound_edit import ApplyInboundEdit
from whaticket_core.use_cases.inbound.apply_inbound_reaction import ApplyInboundReaction
from whaticket_core.use_cases.inbound.apply_inbound_revoke import ApplyInboundRevoke
from whaticket_core.use_cases.inbound.inbound_commands import (
    InboundCall,
    InboundCommand,
    InboundEdit,
    InboundIdentity,
    InboundMessage,
    InboundReaction,
    InboundReceipt,
    InboundRevoke,
)
from whaticket_core.use_cases.inbound.inbox import ProcessInboxEntry, ProcessInboxEntryCommand, RecordInboundEvent
from whaticket_core.use_cases.inbound.link_contact_identity import LinkContactIdentity
from whaticket_core.use_cases.inbound.receive_call import ReceiveCall
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage, ReceiveMessageResult
from whaticket_core.use_cases.inbound.update_message_ack import UpdateMessageAck

from .observability.connection_log import ConnectionLog
from .settings import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger("whaticket.inbound")


class _Executes(Protocol):
    async def execute(self, command: Any, /) -> object: ...


INBOUND_USE_CASES: dict[type[InboundCommand], type[_Executes]] = {
    InboundMessage: ReceiveMessage,
    InboundEdit: ApplyInboundEdit,
    InboundRevoke: ApplyInboundRevoke,
    InboundReceipt: UpdateMessageAck,
    InboundReaction: ApplyInboundReaction,
    InboundIdentity: LinkContactIdentity,
    InboundCall: ReceiveCall,
}
"""Each inbound command to the use case that executes it."""


async def after_customer_message(
    use_cases: UseCaseFactory, command: InboundMessage, result: ReceiveMessageResult
) -> None:
    """The automation that follows a customer's new message, once ReceiveMessage (and so the routing bot) has
    committed: auto-assignment of the ticket's queue, then the away message (which an agent online and now assigned
    makes unnecessary). Each step is its own transaction; a failing one is logged and the message stays received
    (the periodic assigner catches up)."""
    silent = command.from_me or command.is_group or command.history or command.undecryptable
    if silent or result.duplicate or result.ignored or result.ticket_id is None:
        return
    try:
        async with use_cases.open(AssignPendingTickets) as assign:
            await assign.execute(AssignPendingTicketsCommand(ticket_id=result.ticket_id))
    except Exception:
        log.exception("auto-assigning ticket %s failed", result.ticket_id)
    try:
        async with use_cases.open(ReplyOutsideHours) as reply:
            await reply.execute(ReplyOutsideHoursCommand(result.ticket_id))
    except Exception:
        log.exception("the away message of ticket %s failed", result.ticket_id)


def transport_handlers(use_cases: UseCaseFactory) -> TransportHandlers:
    """What WhatsApp reports, run by the core's use cases (each in a scope, so a unit of work, of its own); QR codes,
    connects, drops and reconnects are logged too.

    An inbound event is first stored in the inbox (a redelivery stores nothing and stops there), then processed from
    the store right away; a failure stays on the stored event, whose retry job takes over (see ProcessInboxEntry)."""
    lifecycle = ConnectionLog()

    async def on_inbound(command: InboundCommand) -> object:
        async with use_cases.open(RecordInboundEvent) as record:
            recorded = await record.execute(command)
        if not recorded.created:
            return None
        async with use_cases.open(ProcessInboxEntry) as process:
            return await process.execute(ProcessInboxEntryCommand(recorded.entry_id))

    async def on_status(
        whatsapp_id: int, status: ConnectionStatus, number: str | None, banned_until: datetime | None
    ) -> object:
        lifecycle.status(whatsapp_id, status, banned_until)
        async with use_cases.open(UpdateConnectionStatus) as use_case:
            return await use_case.execute(UpdateConnectionStatusCommand(whatsapp_id, status, number, banned_until))

    async def on_qr(whatsapp_id: int, qr: str) -> object:
        lifecycle.qr(whatsapp_id)
        async with use_cases.open(UpdateQrCode) as use_case:
            return await use_case.execute(UpdateQrCodeCommand(whatsapp_id, qr))

    return TransportHandlers(on_inbound, on_status, on_qr)


@dataclass(frozen=True, slots=True)
class Transport:
    """The process's WhatsApp. ``local`` runs sessions in this process (neonize or the simulator); ``ports``, what
    the core's ports are served by, is ``local`` itself in the embedded default and a :class:`SessionRouter` in front
    of it in production, where each session lives in the one worker holding its lease."""

    ports: WhatsAppPorts
    local: WhatsAppTransport


def _local_transport(settings: Settings, handlers: TransportHandlers, redis: Redis | None) -> WhatsAppTransport:
    if settings.simulator:
        state = None
        if redis is not None:  # API and workers are separate processes: the simulated sessions live in Redis
            from whaticket_adapters.whatsapp.simulator.state import RedisSimulatorState

            state = RedisSimulatorState(redis, prefix=f"{settings.redis_namespace}:simulator")
        return SimulatorTransport(handlers=handlers, state=state)
    from whaticket_adapters.whatsapp.neonize import NeonizeTransport

    store = settings.whatsapp_session_store or str(settings.data_dir / "whatsapp")
    return NeonizeTransport(session_store=store, handlers=handlers)


def session_prefix(settings: Settings) -> str:
    """The per-connection call queues of the session router (server and worker sides must agree)."""
    return f"{settings.redis_namespace}:wa"


@asynccontextmanager
async def open_transport(settings: Settings, use_cases: UseCaseFactory) -> AsyncIterator[Transport]:
    """The transport for ``settings``, closed on exit."""
    handlers = transport_handlers(use_cases)
    # Sessions are spread over processes only in production (a shared database): the embedded default holds them all.
    cluster_url = None if settings.embedded else settings.redis_url
    redis = None
    if cluster_url is not None and settings.simulator:
        from redis.asyncio import Redis

        redis = Redis.from_url(cluster_url)
    local = _local_transport(settings, handlers, redis)
    router = (
        SessionRouter(local, redis_url=cluster_url, holds=local.holds, prefix=session_prefix(settings))
        if cluster_url is not None
        else None
    )
    try:
        yield Transport(router or local, local)
    finally:
        if router is not None:
            await router.close()
        await local.close()
        if redis is not None:
            await redis.aclose()
