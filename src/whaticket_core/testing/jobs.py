from __future__ import annotations

from ..ports.jobs import Job


class InMemoryJobQueue:
    """Keeps waiting jobs in order; an identical job already waiting is not added twice (the port's dedupe rule)."""

    def __init__(self) -> None:
        self.waiting: list[Job] = []
        self.history: list[Job] = []

    async def enqueue(self, job: Job) -> None:
        self.history.append(job)
        if job not in self.waiting:
            self.waiting.append(job)

    def take_all(self) -> list[Job]:
        jobs, self.waiting = self.waiting, []
        return jobs
