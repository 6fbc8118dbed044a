"""Worker heartbeats in Redis: each ``whaticket worker`` stamps itself every few seconds in one sorted set, and
readiness counts the stamps younger than the heartbeat's lifetime (a worker that died stops counting by itself). The
set lives under the deployment's Redis namespace (``<namespace>:workers``), so deployments sharing a server never count
each other's workers."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

log = logging.getLogger(__name__)


def workers_key(namespace: str) -> str:
    return f"{namespace}:workers"


INTERVAL_SECONDS = 5.0
LIFETIME_SECONDS = 20.0


async def alive_workers(redis: Any, namespace: str, *, lifetime: float = LIFETIME_SECONDS) -> int:
    now = time.time()
    return int(await redis.zcount(workers_key(namespace), now - lifetime, "+inf"))


class WorkerHeartbeat:
    def __init__(self, redis: Any, worker_id: str, namespace: str, *, interval: float = INTERVAL_SECONDS) -> None:
        self._redis = redis
        self._key = workers_key(namespace)
        self._id = worker_id
        self._interval = interval
        self._task: asyncio.Task[None] | None = None

    async def beat(self) -> None:
        now = time.time()
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.zadd(self._key, {self._id: now})
            pipe.zremrangebyscore(self._key, "-inf", now - 10 * LIFETIME_SECONDS)  # forget long-dead workers
            await pipe.execute()

    async def _run(self) -> None:
        while True:
            try:
                await self.beat()
            except Exception as error:  # Redis down: the dependency watch reports it; keep trying
                log.debug("heartbeat failed: %s", error)
            await asyncio.sleep(self._interval)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="whaticket-worker-heartbeat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        try:
            await self._redis.zrem(self._key, self._id)
        except Exception:
            log.debug("could not remove the heartbeat of %s", self._id)
