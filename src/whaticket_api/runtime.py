"""The live parts around the HTTP API: event publishing (Socket.IO), background jobs and the WhatsApp transport.

Embedded default (no DATABASE_URL): one process holds everything; jobs run as asyncio tasks
(:class:`InProcessJobQueue`) and WhatsApp sessions in this process. Production (DATABASE_URL and REDIS_URL): jobs go
to SAQ and sessions live in ``whaticket worker`` processes (reached through :class:`SessionRouter`); Socket.IO
events cross processes through Redis whenever REDIS_URL is set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from dishka import AsyncContainer, Provider, Scope, provide

from whaticket_adapters.jobs import DEFAULT_POLICIES, InProcessJobQueue, RetryPolicies, RetryPolicy, SaqJobQueue
from whaticket_adapters.whatsapp.cluster.session_router import SessionRouter
from whaticket_adapters.whatsapp.handlers import TransportHandlers
from whaticket_adapters.whatsapp.simulator.transport import SimulatorTransport
from whaticket_core.domain.events import DomainEvent
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.ports import EventPublisher, JobQueue, MediaFetcher, MessageSender, SessionController
from whaticket_core.use_cases.connections.whatsapp_sessions import (
    UpdateConnectionStatus,
    UpdateConnectionStatusCommand,
    UpdateQrCode,
    UpdateQrCodeCommand,
)
from whaticket_core.use_cases.inbound.apply_inbound_edit import ApplyInboundEdit
from whaticket_core.use_cases.inbound.apply_inbound_revoke import ApplyInboundRevoke
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage
from whaticket_core.use_cases.inbound.update_message_ack import UpdateMessageAck

from .observability.connection_log import ConnectionLog
from .settings import Settings

T = TypeVar("T")


class ContainerUseCases:
    """The jobs adapter's UseCaseFactory over dishka: each ``open`` is a REQUEST scope (its own unit of work)."""

    def __init__(self, container: AsyncContainer) -> None:
        self._container = container

    @asynccontextmanager
    async def open(self, kind: type[T]) -> AsyncIterator[T]:
        async with self._container() as request:
            yield await request.get(kind)


def transport_handlers(use_cases: ContainerUseCases) -> TransportHandlers:
    """What WhatsApp reports, bound to the core's use cases (and logged: QR, connect, drop, reconnect)."""
    lifecycle = ConnectionLog()

    async def on_message(command: Any) -> object:
        async with use_cases.open(ReceiveMessage) as uc:
            return await uc.execute(command)

    async def on_edit(command: Any) -> object:
        async with use_cases.open(ApplyInboundEdit) as uc:
            return await uc.execute(command)

    async def on_revoke(command: Any) -> object:
        async with use_cases.open(ApplyInboundRevoke) as uc:
            return await uc.execute(command)

    async def on_receipt(command: Any) -> object:
        async with use_cases.open(UpdateMessageAck) as uc:
            return await uc.execute(command)

    async def on_status(whatsapp_id: int, status: ConnectionStatus, number: str | None) -> object:
        lifecycle.status(whatsapp_id, status)
        async with use_cases.open(UpdateConnectionStatus) as uc:
            return await uc.execute(UpdateConnectionStatusCommand(whatsapp_id, status, number))

    async def on_qr(whatsapp_id: int, qr: str) -> object:
        lifecycle.qr(whatsapp_id)
        async with use_cases.open(UpdateQrCode) as uc:
            return await uc.execute(UpdateQrCodeCommand(whatsapp_id, qr))

    return TransportHandlers(on_message, on_edit, on_revoke, on_receipt, on_status, on_qr)


class NullPublisher:
    """For processes with no socket and no Redis (CLI commands): events are dropped, the next read recovers."""

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        return None


class Transport:
    """The process's WhatsApp transport. ``local`` is this process's own (neonize or the simulator); ``impl``, what
    the ports use, is ``local`` itself in the embedded default, and a :class:`SessionRouter` in front of it in
    production, where each session lives in the one worker holding its lease."""

    def __init__(self, impl: Any, local: Any | None = None) -> None:
        self.impl = impl
        self.local = impl if local is None else local


def _everywhere(_whatsapp_id: int) -> bool:
    return True


def retry_policies(settings: Settings) -> RetryPolicies:
    """The default policies with the configured delivery time limit (DELIVERY_TIMEOUT_SECONDS) and, when
    JOB_RETRY_DELAY_MS is set, that first retry delay for every kind of job (tests and demos want quick retries)."""
    policies = DEFAULT_POLICIES
    if settings.job_retry_delay_ms is not None:
        delay = settings.job_retry_delay_ms / 1000

        def quick(policy: RetryPolicy) -> RetryPolicy:
            return dataclasses.replace(policy, delay=delay, max_delay=delay * 16)

        policies = dataclasses.replace(
            policies,
            deliver=quick(policies.deliver),
            download=quick(policies.download),
            read_receipts=quick(policies.read_receipts),
        )
    deliver = dataclasses.replace(policies.deliver, timeout=settings.delivery_timeout.total_seconds())
    return dataclasses.replace(policies, deliver=deliver)


class RuntimeProvider(Provider):
    """APP-scope live parts. ``publisher`` is given by the server (the Socket.IO gateway's); absent, events go to
    Redis when configured (a worker), else nowhere."""

    scope = Scope.APP

    def __init__(self, publisher: EventPublisher | None = None) -> None:
        super().__init__()
        self._publisher = publisher

    @provide
    def publisher(self, settings: Settings) -> EventPublisher:
        if self._publisher is not None:
            return self._publisher
        if settings.redis_url:
            from .realtime import write_only_publisher

            return write_only_publisher(settings.redis_url)
        return NullPublisher()

    @provide
    async def jobs(self, settings: Settings) -> AsyncIterator[JobQueue]:
        # SAQ only with a shared database too: the embedded default (SQLite) has no worker process to run them.
        if settings.redis_url and not settings.embedded:
            queue = SaqJobQueue.from_url(settings.redis_url, policies=retry_policies(settings))
            await queue.connect()
            yield queue
            await queue.disconnect()
        else:
            in_process = InProcessJobQueue(policies=retry_policies(settings))
            yield in_process
            await in_process.stop()

    @provide
    async def transport(self, settings: Settings, container: AsyncContainer) -> AsyncIterator[Transport]:
        handlers = transport_handlers(ContainerUseCases(container))
        distributed = settings.redis_url is not None and not settings.embedded
        redis = None
        holds: Callable[[int], bool]
        if settings.simulator:
            state = None
            if distributed:
                from redis.asyncio import Redis

                from whaticket_adapters.whatsapp.simulator.state import RedisSimulatorState

                redis = Redis.from_url(settings.redis_url)  # type: ignore[arg-type]
                state = RedisSimulatorState(redis)
            local: Any = SimulatorTransport(handlers=handlers, state=state)
            holds = _everywhere  # the simulated sessions live in Redis: every process may act on them
        else:
            from whaticket_adapters.whatsapp.neonize.transport import NeonizeTransport

            store = settings.whatsapp_session_store or str(settings.data_dir / "whatsapp")
            local = NeonizeTransport(session_store=store, handlers=handlers)
            holds = local.holds
        router = SessionRouter(local, redis_url=settings.redis_url, holds=holds) if distributed else None  # type: ignore[arg-type]
        yield Transport(router or local, local)
        if router is not None:
            await router.close()
        await local.close()
        if redis is not None:
            await redis.aclose()

    @provide
    def sender(self, transport: Transport) -> MessageSender:
        return transport.impl  # type: ignore[no-any-return]

    @provide
    def sessions(self, transport: Transport) -> SessionController:
        return transport.impl  # type: ignore[no-any-return]

    @provide
    def fetcher(self, transport: Transport) -> MediaFetcher:
        return transport.impl  # type: ignore[no-any-return]


async def start_in_process_jobs(container: AsyncContainer) -> None:
    """Embedded mode: run jobs in this process (no-op when jobs go to SAQ)."""
    jobs = await container.get(JobQueue)
    if isinstance(jobs, InProcessJobQueue):
        await jobs.start(ContainerUseCases(container))
