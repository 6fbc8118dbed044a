"""``whaticket worker``: runs SAQ jobs and holds WhatsApp sessions (production: REDIS_URL and DATABASE_URL set).

Each connection that wants a session (any status but DISCONNECTED, OUTDATED or LOGGED_OUT) is held by exactly one
worker under a Redis lease (:class:`SessionOwner`); that worker serves the connection's call queue
(:class:`SessionCallServer`) so API processes and other workers reach the session through :class:`SessionRouter`.
Events go to the API processes' sockets through Redis.

Timing settings: WHATSAPP_SESSION_LEASE_SECONDS (the lease), JOB_SWEEP_SECONDS and DELIVERY_TIMEOUT_SECONDS (how soon a
delivery held by a worker that died is retried).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from whaticket_adapters.jobs import SaqJobQueue
from whaticket_adapters.jobs.heartbeat import WorkerHeartbeat
from whaticket_adapters.whatsapp.cluster.lease import SessionOwner
from whaticket_adapters.whatsapp.cluster.session_router import SessionCallServer
from whaticket_core.ports import JobQueue, UnitOfWork

from .container import make_container
from .heap import freeze_startup_heap
from .observability.job_outcomes import RedisJobOutcomes
from .providers import RedisHandle
from .runtime import ContainerUseCases
from .settings import ConfigError, Settings
from .startup import worker_watch
from .transport import Transport, session_prefix

log = logging.getLogger("whaticket.worker")


async def run_worker(settings: Settings, *, concurrency: int = 10) -> None:
    if not settings.redis_url or settings.embedded:
        raise ConfigError(
            "whaticket worker needs DATABASE_URL and REDIS_URL; in the embedded default `whaticket serve` runs the "
            "jobs and sessions itself"
        )
    container = make_container(settings)
    try:
        use_cases = await container.get(ContainerUseCases)
        jobs = await container.get(JobQueue)
        assert isinstance(jobs, SaqJobQueue)
        transport = await container.get(Transport)
        redis = (await container.get(RedisHandle)).client
        assert redis is not None  # settings.redis_url is set
        calls = SessionCallServer(settings.redis_url, transport.local, prefix=session_prefix(settings))

        async def wanted() -> list[int]:
            async with container() as request:
                uow = await request.get(UnitOfWork)
                async with uow:
                    whatsapps = await uow.whatsapps.list_all()
            return [w.id for w in whatsapps if w.status.wants_session]

        async def start(whatsapp_id: int) -> None:
            await transport.local.start_session(whatsapp_id)
            await calls.start(whatsapp_id)

        async def stop(whatsapp_id: int) -> None:
            await calls.stop(whatsapp_id)
            await transport.local.stop_session(whatsapp_id)

        lease_ms = int(settings.session_lease.total_seconds() * 1000)
        owner = SessionOwner(
            redis,
            wanted=wanted,
            start=start,
            stop=stop,
            ttl_ms=lease_ms,
            prefix=f"{settings.redis_namespace}:session-lease",
        )
        # SAQ's sweep (retrying jobs left active by a dead worker) runs this often; it also sets its lock's lifetime.
        sweep_s = max(1, int(settings.job_sweep_interval.total_seconds()))
        worker = jobs.worker(use_cases, concurrency=concurrency, timers={"sweep": sweep_s})
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stopping.set)
        # Operations: a heartbeat readiness counts, job outcomes for /metrics, one log line per outage.
        heartbeat = WorkerHeartbeat(redis, owner.owner, settings.redis_namespace)
        outcomes = RedisJobOutcomes(redis, settings.redis_namespace)
        watch = await worker_watch(container, redis)
        heartbeat.start()
        outcomes.install()
        watch.start()
        owner.start_background()
        freeze_startup_heap()  # everything above lives as long as the worker
        worker_task = asyncio.create_task(worker.start(), name="whaticket-saq-worker")
        log.info("worker running (owner %s)", owner.owner)
        await asyncio.wait({worker_task, asyncio.create_task(stopping.wait())}, return_when=asyncio.FIRST_COMPLETED)
        await worker.stop()
        await owner.close()
        await calls.close()
        await watch.stop()
        outcomes.uninstall()
        await heartbeat.stop()
    finally:
        try:
            await container.close()
        except Exception as error:  # e.g. Redis down while stopping: say so in one line, the process ends anyway
            log.warning("worker stopped with an unclean shutdown: %s", " ".join(str(error).split())[:300])
