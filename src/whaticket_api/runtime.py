"""The live parts around the HTTP API: event publishing (Socket.IO), background jobs and the WhatsApp transport.

Embedded default (no DATABASE_URL): one process holds everything; jobs run as asyncio tasks
(:class:`InProcessJobQueue`) and WhatsApp sessions in this process. Production (DATABASE_URL and REDIS_URL): jobs go
to SAQ and sessions live in ``whaticket worker`` processes (reached through :class:`SessionRouter`); Socket.IO
events cross processes through Redis whenever REDIS_URL is set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

from dishka import AsyncContainer, Provider, Scope, provide

from whaticket_adapters.jobs import DEFAULT_POLICIES, InProcessJobQueue, RetryPolicies, RetryPolicy, SaqJobQueue
from whaticket_adapters.whatsapp.simulator.transport import SimulatorTransport
from whaticket_core.domain.events import DomainEvent
from whaticket_core.ports import (
    EventPublisher,
    JobQueue,
    JobScheduler,
    MediaFetcher,
    MessageSender,
    SessionController,
)
from whaticket_core.ports.transport import CallRejecter
from whaticket_core.use_cases.inbound.inbox import InboundDispatcher

from .inbound_dispatch import UseCaseDispatcher
from .settings import Settings
from .transport import Transport, open_transport

T = TypeVar("T")


class ContainerUseCases:
    """The jobs adapter's UseCaseFactory over dishka: each ``open`` is a REQUEST scope (its own unit of work)."""

    def __init__(self, container: AsyncContainer) -> None:
        self._container = container

    @asynccontextmanager
    async def open(self, kind: type[T]) -> AsyncIterator[T]:
        async with self._container() as request:
            yield await request.get(kind)


class NullPublisher:
    """For processes with no socket and no Redis (CLI commands): events are dropped, the next read recovers."""

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        return None


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
            inbox=quick(policies.inbox),
            webhooks=quick(policies.webhooks),
        )
    # The same time limit bounds the processing of a stored inbound event: a run stuck that long (its worker died)
    # is run again by another worker.
    limit = settings.delivery_timeout.total_seconds()
    deliver = dataclasses.replace(policies.deliver, timeout=limit)
    inbox = dataclasses.replace(policies.inbox, timeout=limit)
    return dataclasses.replace(policies, deliver=deliver, inbox=inbox)


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

            return write_only_publisher(settings.redis_url, channel=f"{settings.redis_namespace}:socketio")
        return NullPublisher()

    @provide
    async def jobs(self, settings: Settings) -> AsyncIterator[JobQueue]:
        # SAQ only with a shared database too: the embedded default (SQLite) has no worker process to run them.
        if settings.redis_url and not settings.embedded:
            queue = SaqJobQueue.from_url(
                settings.redis_url, name=f"{settings.redis_namespace}:jobs", policies=retry_policies(settings)
            )
            await queue.connect()
            yield queue
            await queue.disconnect()
        else:
            in_process = InProcessJobQueue(
                policies=retry_policies(settings), automation_interval=settings.automation_interval.total_seconds()
            )
            yield in_process
            await in_process.stop()

    @provide
    def scheduler(self, jobs: JobQueue) -> JobScheduler:
        """The queue schedules too: SAQ's scheduled jobs in production, the in-process runner's timers embedded."""
        if not isinstance(jobs, InProcessJobQueue | SaqJobQueue):
            raise TypeError(f"{type(jobs).__name__} cannot schedule jobs; provide a JobScheduler")
        return jobs

    @provide
    def use_case_factory(self, container: AsyncContainer) -> ContainerUseCases:
        return ContainerUseCases(container)

    @provide
    async def transport(self, settings: Settings, use_cases: ContainerUseCases) -> AsyncIterator[Transport]:
        async with open_transport(settings, use_cases) as transport:
            yield transport

    @provide
    def inbound_dispatcher(self, use_cases: ContainerUseCases, transport: Transport) -> InboundDispatcher:
        local = transport.local
        fault = local.take_inbound_failure if isinstance(local, SimulatorTransport) else None
        return UseCaseDispatcher(use_cases, fault)

    @provide
    def sender(self, transport: Transport) -> MessageSender:
        return transport.ports

    @provide
    def sessions(self, transport: Transport) -> SessionController:
        return transport.ports

    @provide
    def fetcher(self, transport: Transport) -> MediaFetcher:
        return transport.ports

    @provide
    def call_rejecter(self, transport: Transport) -> CallRejecter:
        return transport.ports


async def start_in_process_jobs(container: AsyncContainer) -> None:
    """Embedded mode: run jobs in this process (no-op when jobs go to SAQ)."""
    jobs = await container.get(JobQueue)
    if isinstance(jobs, InProcessJobQueue):
        await jobs.start(await container.get(ContainerUseCases))
