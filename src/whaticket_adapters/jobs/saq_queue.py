"""Jobs on SAQ over Redis, for production: any number of ``whaticket worker`` processes run them.

Dedupe: each job has a key per kind and subject (``deliver:<message_id>``...); SAQ refuses a second job under a key
while the first is queued or running, which is the port's rule. Retries and backoff come from the
kind's :class:`RetryPolicy`; SAQ counts attempts and the job functions receive the count.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError
from saq import CronJob, Queue, Worker
from saq.job import Job as SaqJob

from whaticket_core.ports.jobs import Job

from ..patient_queue import PatientRedisQueue
from . import functions
from .context import JobContext, UseCaseFactory
from .policy import DEFAULT_POLICIES, RetryPolicies

CONTEXT_KEY = "whaticket"
DEFAULT_QUEUE_NAME = "whaticket"
DEFAULT_SWEEP_CRON = "* * * * *"  # every minute: pending messages count as stale after one
DEFAULT_AUTOMATION_CRON = "* * * * *"  # auto-close and auto-assignment: settings are in minutes


class JobQueueUnavailable(RuntimeError):
    """The job queue's store (Redis) could not take the job."""


def _saq_function(name: str) -> Callable[..., Awaitable[object]]:
    async def call(ctx: dict[str, Any], **kwargs: Any) -> object:
        return await functions.run(ctx[CONTEXT_KEY], name, int(ctx["job"].attempts), kwargs)

    call.__qualname__ = call.__name__ = name  # SAQ registers functions (and names cron jobs) by qualified name
    return call


# How long a sweep waits for each stuck job's worker to acknowledge its abort before retrying it. SAQ waits 5 s per
# job, one job after another, so a killed worker's jobs came back one per 5 s; a dead worker never acknowledges, and
# every job here is idempotent (a delivery locks its message row), so a short wait is enough.
SWEEP_ABORT_WAIT_SECONDS = 0.2


class QuickSweepRedisQueue(PatientRedisQueue):
    """SAQ's Redis queue with a short per-job abort wait in its sweep (and, from its parent, a dequeue that waits out
    a Redis outage).

    A sweep marks each stuck job aborted for 5 s (SAQ's abort marker), and while the marker lives an enqueue of the
    same key is silently refused. SAQ's own 5 s wait outlived it; after the short wait the job has been retried, so
    the markers of the jobs this sweep handled are removed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sweeping: list[SaqJob] | None = None

    async def sweep(self, lock: int = 60, abort: float = SWEEP_ABORT_WAIT_SECONDS) -> list[str]:
        self._sweeping = []
        try:
            swept = await super().sweep(lock=lock, abort=min(abort, SWEEP_ABORT_WAIT_SECONDS))
        finally:
            handled, self._sweeping = self._sweeping, None
        if handled:
            await self.redis.delete(*{job.abort_id for job in handled})
        return swept

    async def abort(self, job: SaqJob, error: str, ttl: float = 5) -> None:
        if self._sweeping is not None:
            self._sweeping.append(job)
        await super().abort(job, error, ttl)


class SaqJobQueue:
    """Implements :class:`~whaticket_core.ports.jobs.JobQueue` on a SAQ queue (``from_url`` for Redis).

    The application calls :meth:`connect` at startup and :meth:`disconnect` at shutdown; a worker process runs
    :meth:`worker` (or ``saq`` with :meth:`worker_settings`).
    """

    def __init__(self, queue: Queue, *, policies: RetryPolicies = DEFAULT_POLICIES) -> None:
        self.queue = queue
        self.policies = policies

    @classmethod
    def from_url(
        cls, redis_url: str, *, name: str = DEFAULT_QUEUE_NAME, policies: RetryPolicies = DEFAULT_POLICIES
    ) -> SaqJobQueue:
        return cls(QuickSweepRedisQueue.from_url(redis_url, name=name), policies=policies)

    async def connect(self) -> None:
        await self.queue.connect()

    async def disconnect(self) -> None:
        await self.queue.disconnect()

    async def depth(self) -> dict[str, int]:
        """Jobs waiting to run, and every job not finished (queued, active or scheduled for a retry)."""
        return {
            "queued": int(await self.queue.count("queued")),
            "incomplete": int(await self.queue.count("incomplete")),
        }

    async def enqueue(self, job: Job) -> None:
        await self._enqueue(job, None)

    async def schedule(self, job: Job, at: datetime) -> None:
        """Implements :class:`~whaticket_core.ports.jobs.JobScheduler` with SAQ's scheduled jobs (run by any worker
        once ``at`` has passed)."""
        await self._enqueue(job, at)

    async def _enqueue(self, job: Job, at: datetime | None) -> None:
        spec = functions.spec_of(job)
        policy = functions.policy_of(spec.function, self.policies)
        try:
            await self.queue.enqueue(
                spec.function,
                key=spec.key,
                timeout=policy.timeout,
                retries=policy.max_attempts,
                retry_delay=policy.delay,
                retry_backoff=policy.max_delay,  # a number: exponential backoff capped there, with jitter
                # Whole seconds, rounded up: a job must not run before its time.
                scheduled=0 if at is None else math.ceil(at.timestamp()),
                **spec.kwargs,
            )
        except (RedisError, OSError) as error:
            raise JobQueueUnavailable(f"could not enqueue {spec.key}: {error}") from error

    def worker_settings(
        self,
        use_cases: UseCaseFactory,
        *,
        concurrency: int = 10,
        sweep_cron: str | None = DEFAULT_SWEEP_CRON,
        automation_cron: str | None = DEFAULT_AUTOMATION_CRON,
        startup: Sequence[Callable[[dict[str, Any]], Awaitable[None]]] = (),
        shutdown: Sequence[Callable[[dict[str, Any]], Awaitable[None]]] = (),
        **worker_kwargs: Any,
    ) -> dict[str, Any]:
        """Keyword arguments for ``saq.Worker`` (also usable as a ``saq`` CLI settings dict)."""
        context = JobContext(use_cases, self.policies)

        async def install_context(ctx: dict[str, Any]) -> None:
            ctx[CONTEXT_KEY] = context

        cron_jobs = []
        if sweep_cron is not None:
            sweep = self.policies.sweep
            cron_jobs.append(
                CronJob(_saq_function(functions.SWEEP), cron=sweep_cron, unique=True, timeout=int(sweep.timeout))
            )
            # The webhook outbox's sweeper: deliveries due, whatever happened to the enqueue after their commit.
            dispatch = self.policies.webhooks
            cron_jobs.append(
                CronJob(
                    _saq_function(functions.DISPATCH_WEBHOOKS),
                    cron=sweep_cron,
                    unique=True,
                    timeout=int(dispatch.timeout),
                )
            )
        if automation_cron is not None:
            # Every worker schedules these; the use cases claim rows (SKIP LOCKED), so overlapping runs split the work.
            timeout = int(self.policies.sweep.timeout)
            for name in (functions.AUTO_CLOSE, functions.ASSIGN):
                cron_jobs.append(CronJob(_saq_function(name), cron=automation_cron, unique=True, timeout=timeout))
        return {
            "queue": self.queue,
            "functions": [
                (name, _saq_function(name))
                for name in (
                    functions.DELIVER,
                    functions.DOWNLOAD,
                    functions.READ_RECEIPTS,
                    functions.DISPATCH_WEBHOOKS,
                    functions.RELEASE,
                    functions.PROCESS_INBOX,
                )
            ],
            "concurrency": concurrency,
            "cron_jobs": cron_jobs,
            "startup": [install_context, *startup],
            "shutdown": list(shutdown),
            **worker_kwargs,
        }

    def worker(self, use_cases: UseCaseFactory, **kwargs: Any) -> Worker[Any]:
        settings = self.worker_settings(use_cases, **kwargs)
        queue = settings.pop("queue")
        worker_functions = settings.pop("functions")
        return Worker(queue, worker_functions, **settings)
