"""The embedded default: jobs run by asyncio tasks in this process, with SAQ's semantics (dedupe by key while a job
is waiting or running, retries with exponential backoff per kind, a per-run timeout) and the same job functions.

Jobs live in memory: a crash loses the waiting ones. Deliveries come back through the sweeper (their messages stay
``pending`` in the database); a lost media download or read receipt is not redone.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from whaticket_core.ports.jobs import DispatchWebhooksJob, Job

from . import functions
from .context import JobContext, UseCaseFactory
from .policy import DEFAULT_POLICIES, RetryPolicies

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class _Queued:
    spec: functions.JobSpec
    attempt: int


class InProcessJobQueue:
    """Implements :class:`~whaticket_core.ports.jobs.JobQueue`. Enqueue any time; jobs run once :meth:`start` has
    been given the use case factory (the app builds the queue before the use cases that need it).

    ``sweep_interval`` (seconds, None to disable) runs SweepPendingMessages periodically; ``automation_interval``
    (seconds, None to disable) runs the automation rules (auto-close, auto-assignment) periodically.
    """

    def __init__(
        self,
        *,
        policies: RetryPolicies = DEFAULT_POLICIES,
        concurrency: int = 4,
        sweep_interval: float | None = 30.0,
        automation_interval: float | None = 60.0,
    ) -> None:
        self._automation_interval = automation_interval
        self._policies = policies
        self._concurrency = concurrency
        self._sweep_interval = sweep_interval
        self._queue: asyncio.Queue[_Queued] = asyncio.Queue()
        self._incomplete: set[str] = set()  # keys waiting, running or waiting to retry: SAQ's dedupe window
        self._tasks: list[asyncio.Task[None]] = []
        self._retries: set[asyncio.Task[None]] = set()
        self._context: JobContext | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self.failed: list[tuple[str, str]] = []  # (key, last error) of jobs that ran out of attempts

    async def enqueue(self, job: Job) -> None:
        spec = functions.spec_of(job)
        if spec.key in self._incomplete:
            return
        self._incomplete.add(spec.key)
        self._idle.clear()
        self._queue.put_nowait(_Queued(spec, 1))

    async def schedule(self, job: Job, at: datetime) -> None:
        """Implements :class:`~whaticket_core.ports.jobs.JobScheduler`: a timer task enqueues ``job`` at ``at`` (wall
        clock). Timers live in memory like the jobs; what they are about stays in the database for the sweeper."""
        spec = functions.spec_of(job)
        if spec.key in self._incomplete:
            return
        self._incomplete.add(spec.key)
        self._idle.clear()
        # A hair late rather than early: the event loop's timer may fire a little before the wall clock's ``at``.
        delay = max(0.0, (at - datetime.now(UTC)).total_seconds()) + 0.01
        timer = asyncio.create_task(self._retry_later(_Queued(spec, 1), delay), name=f"whaticket-timer-{spec.key}")
        self._retries.add(timer)
        timer.add_done_callback(self._retries.discard)

    async def start(self, use_cases: UseCaseFactory) -> None:
        if self._tasks:
            return
        self._context = JobContext(use_cases, self._policies)
        self._tasks = [
            asyncio.create_task(self._work(), name=f"whaticket-job-worker-{n}") for n in range(self._concurrency)
        ]
        if self._sweep_interval is not None:
            self._tasks.append(asyncio.create_task(self._sweep_forever(self._sweep_interval), name="whaticket-sweep"))
        if self._automation_interval is not None:
            self._tasks.append(
                asyncio.create_task(self._automate_forever(self._automation_interval), name="whaticket-automation")
            )

    async def stop(self) -> None:
        for task in [*self._tasks, *self._retries]:
            task.cancel()
        for task in [*self._tasks, *self._retries]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        self._retries.clear()

    def depth(self) -> dict[str, int]:
        """Jobs waiting to run, and every job not finished (waiting, running or due for a retry)."""
        return {"queued": self._queue.qsize(), "incomplete": len(self._incomplete)}

    async def join(self) -> None:
        """Wait until no job is waiting, running or due for a retry (tests and orderly shutdown)."""
        await self._idle.wait()

    async def _work(self) -> None:
        assert self._context is not None
        context = self._context
        while True:
            item = await self._queue.get()
            try:
                await self._run(context, item)
            finally:
                self._queue.task_done()

    async def _run(self, context: JobContext, item: _Queued) -> None:
        spec = item.spec
        policy = functions.policy_of(spec.function, context.policies)
        try:
            await asyncio.wait_for(
                functions.run(context, spec.function, item.attempt, spec.kwargs), timeout=policy.timeout
            )
        except Exception as error:
            if item.attempt < policy.max_attempts:
                delay = policy.backoff(item.attempt)
                log.info("job %s attempt %s failed (%s); retrying in %.1fs", spec.key, item.attempt, error, delay)
                retry = asyncio.create_task(self._retry_later(_Queued(spec, item.attempt + 1), delay))
                self._retries.add(retry)
                retry.add_done_callback(self._retries.discard)
                return
            log.error("job %s failed after %s attempts: %s", spec.key, item.attempt, error)
            self.failed.append((spec.key, repr(error)))
        self._done(spec.key)

    async def _retry_later(self, item: _Queued, delay: float) -> None:
        await asyncio.sleep(delay)
        self._queue.put_nowait(item)

    def _done(self, key: str) -> None:
        self._incomplete.discard(key)
        if not self._incomplete:
            self._idle.set()

    async def _automate_forever(self, interval: float) -> None:
        assert self._context is not None
        while True:
            await asyncio.sleep(interval)
            for function in (functions.AUTO_CLOSE, functions.ASSIGN):
                try:
                    await functions.run(self._context, function, 1, {})
                except Exception:
                    log.exception("the periodic %s failed", functions.kind_of(function))

    async def _sweep_forever(self, interval: float) -> None:
        assert self._context is not None
        while True:
            await asyncio.sleep(interval)
            try:
                await functions.sweep_pending_messages(self._context)
            except Exception:
                log.exception("sweeping pending messages failed")
            # Webhook deliveries a crash or an earlier run left due (the outbox is the truth; this is its sweeper).
            await self.enqueue(DispatchWebhooksJob())
