from __future__ import annotations

from datetime import datetime

from ..ports.jobs import Job


class InMemoryJobQueue:
    """Keeps waiting jobs in order; an identical job already waiting is not added twice (the port's dedupe rule).
    Also the :class:`~whaticket_core.ports.jobs.JobScheduler`: scheduled jobs wait in ``scheduled`` until
    :meth:`due` moves those whose time came to ``waiting``."""

    def __init__(self) -> None:
        self.waiting: list[Job] = []
        self.history: list[Job] = []
        self.scheduled: list[tuple[Job, datetime]] = []

    async def schedule(self, job: Job, at: datetime) -> None:
        if all(waiting != job for waiting, _ in self.scheduled) and job not in self.waiting:
            self.scheduled.append((job, at))

    async def due(self, now: datetime) -> None:
        """The scheduled jobs whose time is ``now`` or earlier become waiting jobs."""
        due = [job for job, at in self.scheduled if at <= now]
        self.scheduled = [(job, at) for job, at in self.scheduled if at > now]
        for job in due:
            await self.enqueue(job)

    async def enqueue(self, job: Job) -> None:
        self.history.append(job)
        if job not in self.waiting:
            self.waiting.append(job)

    def take_all(self) -> list[Job]:
        jobs, self.waiting = self.waiting, []
        return jobs
