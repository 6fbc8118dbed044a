"""The metrics' scrape-time sources of a serving process, read from its container."""

from __future__ import annotations

from collections.abc import Callable

from dishka import AsyncContainer
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.operational_queries import (
    count_connections_by_status,
    count_inbox_open,
    count_pending_outbound,
    pool_usage,
)
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.ports import JobQueue

from ..providers import RedisHandle
from ..settings import Settings
from .job_outcomes import LOCAL, shared_outcomes
from .metrics import Snapshot, Source


def container_sources(
    container: AsyncContainer, settings: Settings, sockets: Callable[[], int] | None = None
) -> list[Source]:
    production = settings.redis_url is not None and not settings.embedded

    async def jobs(snapshot: Snapshot) -> None:
        if production:
            redis = (await container.get(RedisHandle)).client
            snapshot.jobs = await shared_outcomes(redis, settings.redis_namespace)
        else:
            snapshot.jobs = {key: float(value) for key, value in LOCAL.items()}

    async def queue(snapshot: Snapshot) -> None:
        depth = getattr(await container.get(JobQueue), "depth", None)
        if depth is not None:
            result = depth()
            values = await result if hasattr(result, "__await__") else result
            snapshot.queue_depth = {k: float(v) for k, v in values.items()}

    async def database(snapshot: Snapshot) -> None:
        engine = await container.get(AsyncEngine)
        snapshot.pool = {k: float(v) for k, v in pool_usage(engine).items()}
        snapshot.pending_outbound = float(await count_pending_outbound(engine))
        counts = await count_connections_by_status(engine)
        snapshot.connections = {s.value: float(counts.get(s.value, 0)) for s in ConnectionStatus}
        inbox = await count_inbox_open(engine)
        snapshot.inbox = {status: float(inbox.get(status, 0)) for status in ("pending", "failed")}

    async def realtime(snapshot: Snapshot) -> None:
        if sockets is not None:
            snapshot.sockets = float(sockets())

    return [jobs, queue, database, realtime]
