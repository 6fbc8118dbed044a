"""The durable inbox: every inbound event is stored before it is processed, processed from the store, retried with
backoff when processing fails, and kept visible (with a retry) once the retries are spent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from whaticket_core.domain.errors import InboxFailureNotFound
from whaticket_core.domain.inbox import InboxEntry, InboxStatus
from whaticket_core.domain.pagination import CursorPage, check_limit, decode_cursor, encode_cursor
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import JobQueue, ProcessInboxJob
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.connections.whatsapps import load_whatsapp
from whaticket_core.use_cases.inbound.inbound_commands import InboundCommand
from whaticket_core.use_cases.inbound.inbox_codec import decode, encode, identity_of
from whaticket_core.use_cases.shared.guards import require_admin
from whaticket_core.use_cases.shared.retry import RetryLater

# Longer than any inline processing: a pending entry this old lost its processor (a crash) and is recovered.
STALE_AFTER = timedelta(minutes=1)


class InboundDispatcher(Protocol):
    """Runs an inbound command through the use case that handles it (the application's one table of inbound use
    cases, each in a unit of work of its own). Raises whatever that use case raised."""

    async def dispatch(self, command: InboundCommand) -> object: ...


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """``created``: the event is new and its recorder processes it now; else it was stored before (a redelivery),
    and is done or in the hands of its own retry."""

    entry_id: int
    created: bool


class RecordInboundEvent:
    """Store an inbound event before anything is done with it, idempotently on (connection, kind, WhatsApp key):
    a redelivery finds the stored entry and stores nothing."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: InboundCommand) -> RecordedEvent:
        kind, key = identity_of(command)
        entry = InboxEntry(command.whatsapp_id, kind, key, encode(command), self._clock.now())
        async with self._uow as uow:
            stored, created = await uow.inbox.add(entry)
            await uow.commit()
        return RecordedEvent(stored.id, created)


@dataclass(frozen=True, slots=True)
class ProcessInboxEntryCommand:
    """``in_job``: run by the retry job, whose runner backs off between attempts (a failure raises
    :class:`RetryLater` while retries are left); else the recorder's first run, which enqueues that job."""

    entry_id: int
    in_job: bool = False


class ProcessInboxEntry:
    """Process one stored inbound event, from the store.

    Rules: an unknown or ``done`` entry is a no-op returning None, so an event is never processed twice. The
    command is decoded from the stored payload and dispatched with no transaction of this use case open (the
    dispatched use case runs its own). Success: ``done``. Failure: ``failed`` with the error and one more attempt;
    while attempts are left (:data:`~whaticket_core.domain.inbox.MAX_INBOX_ATTEMPTS`) it is retried by a
    :class:`ProcessInboxJob` with backoff (enqueued by the first run; a job run raises :class:`RetryLater`). After
    the last attempt it stays ``failed``: listed by :class:`ListInboxFailures`, retried by :class:`RetryInboxFailure`.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, dispatcher: InboundDispatcher, jobs: JobQueue) -> None:
        self._uow = uow
        self._clock = clock
        self._dispatcher = dispatcher
        self._jobs = jobs

    async def execute(self, command: ProcessInboxEntryCommand) -> InboxEntry | None:
        async with self._uow as uow:
            entry = await uow.inbox.get(command.entry_id)
        if entry is None or entry.status is InboxStatus.DONE:
            return None
        error: str | None = None
        try:
            await self._dispatcher.dispatch(decode(entry.kind, entry.payload))
        except Exception as exc:  # any failure of the handler is kept on the entry, never lost
            error = f"{type(exc).__name__}: {' '.join(str(exc).split())}"
        async with self._uow as uow:
            entry = await uow.inbox.get(command.entry_id, for_update=True)
            if entry is None or entry.status is InboxStatus.DONE:
                return None
            if error is None:
                entry.succeeded(self._clock.now())
            else:
                entry.failed(error, self._clock.now())
            await uow.inbox.save(entry)
            await uow.commit()
        if error is not None and entry.retries_left:
            if command.in_job:
                raise RetryLater(error, attempt=entry.attempts)
            await self._jobs.enqueue(ProcessInboxJob(entry.id))
        return entry


@dataclass(frozen=True, slots=True)
class ListInboxFailuresCommand:
    actor: Viewer
    whatsapp_id: int
    limit: int = 50
    cursor: str | None = None


class ListInboxFailures:
    """Admin only. The connection's inbound events whose processing failed (newest first, keyset by id):
    ``whatsapp_not_found`` for an unknown connection."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListInboxFailuresCommand) -> CursorPage[InboxEntry]:
        require_admin(command.actor, "see inbox failures")
        check_limit(command.limit)
        before_id = int(decode_cursor(command.cursor, int)[0]) if command.cursor else None
        async with self._uow as uow:
            await load_whatsapp(uow, command.whatsapp_id)
            items = await uow.inbox.list_failed(command.whatsapp_id, command.limit + 1, before_id)
        more = len(items) > command.limit
        items = items[: command.limit]
        return CursorPage(items, encode_cursor(items[-1].id) if more else None)


@dataclass(frozen=True, slots=True)
class RetryInboxFailureCommand:
    actor: Viewer
    whatsapp_id: int
    entry_id: int


class RetryInboxFailure:
    """Admin only. Process a failed inbound event again (a :class:`ProcessInboxJob`, so the answer does not wait for
    it); ``inbox_failure_not_found`` unless the entry is a failed one of that connection. The event is stored by
    its use case's own idempotent rules, so a retry never doubles it."""

    def __init__(self, uow: UnitOfWork, jobs: JobQueue) -> None:
        self._uow = uow
        self._jobs = jobs

    async def execute(self, command: RetryInboxFailureCommand) -> InboxEntry:
        require_admin(command.actor, "retry inbox failures")
        async with self._uow as uow:
            await load_whatsapp(uow, command.whatsapp_id)
            entry = await uow.inbox.get(command.entry_id)
        if entry is None or entry.whatsapp_id != command.whatsapp_id or entry.status is not InboxStatus.FAILED:
            raise InboxFailureNotFound(
                f"No failed inbound event {command.entry_id} on connection {command.whatsapp_id}",
                inbox_failure_id=command.entry_id,
            )
        await self._jobs.enqueue(ProcessInboxJob(entry.id))
        return entry


@dataclass(frozen=True, slots=True)
class SweepInboxCommand:
    limit: int = 500


class SweepInbox:
    """The inbox's safety net, run with the outbox sweeper (not a loop of its own): an entry stored and never
    finished (the process died between storing and processing, or during a retry) gets its
    :class:`ProcessInboxJob` again. Returns how many."""

    def __init__(self, uow: UnitOfWork, clock: Clock, jobs: JobQueue) -> None:
        self._uow = uow
        self._clock = clock
        self._jobs = jobs

    async def execute(self, command: SweepInboxCommand) -> int:
        async with self._uow as uow:
            stale = await uow.inbox.list_stale(self._clock.now() - STALE_AFTER, command.limit)
        for entry in stale:
            await self._jobs.enqueue(ProcessInboxJob(entry.id))
        return len(stale)
