from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import DeliverMessageJob, JobQueue, ReleaseScheduledMessageJob
from whaticket_core.ports.unit_of_work import UnitOfWork

STALE_AFTER = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class SweepPendingMessagesCommand:
    limit: int = 500


class SweepPendingMessages:
    """The periodic safety net of the outbox: a crash between a commit and its enqueue (or a lost job) leaves an
    outbound message ``pending``; every such message older than a minute gets its ``DeliverMessageJob`` again.

    Rules: at most ``limit`` messages per run, oldest first; the job queue drops a twin of a job still waiting, and
    delivery is idempotent, so re-enqueueing a message whose job is merely slow is harmless. Returns the count.

    Scheduled messages whose ``send_at`` has passed (their timed job lost with the embedded runner, or Redis) get a
    :class:`ReleaseScheduledMessageJob` now, likewise idempotent; they count too.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, jobs: JobQueue) -> None:
        self._uow = uow
        self._clock = clock
        self._jobs = jobs

    async def execute(self, command: SweepPendingMessagesCommand) -> int:
        now = self._clock.now()
        async with self._uow as uow:
            stale = await uow.messages.list_stale_pending(now - STALE_AFTER, command.limit)
            overdue = await uow.messages.list_due_scheduled(now - STALE_AFTER, command.limit)
        for message in stale:
            await self._jobs.enqueue(DeliverMessageJob(message.id))
        for message in overdue:
            await self._jobs.enqueue(ReleaseScheduledMessageJob(message.id))
        return len(stale) + len(overdue)
