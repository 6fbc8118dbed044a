"""Job attempts by kind and outcome. Every process counts its own; workers of the production layout also add them to
a Redis hash, so the API processes' ``/metrics`` report the whole cluster's jobs (workers serve no HTTP)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Any

from whaticket_adapters.jobs import functions

log = logging.getLogger("whaticket.metrics")


def outcomes_key(namespace: str) -> str:
    """The shared hash of one deployment (its Redis namespace)."""
    return f"{namespace}:metrics:jobs"


LOCAL: Counter[tuple[str, str]] = Counter()


def _count_locally(kind: str, outcome: str, _attempt: int) -> None:
    LOCAL[(kind, outcome)] += 1


if _count_locally not in functions.OUTCOME_LISTENERS:
    functions.OUTCOME_LISTENERS.append(_count_locally)


class RedisJobOutcomes:
    """Adds each outcome to the shared hash (fire and forget: a lost increment is a metric off by one, not a job)."""

    def __init__(self, redis: Any, namespace: str) -> None:
        self._redis = redis
        self._key = outcomes_key(namespace)
        self._pending: set[asyncio.Task[Any]] = set()

    def __call__(self, kind: str, outcome: str, _attempt: int) -> None:
        task = asyncio.get_running_loop().create_task(self._redis.hincrby(self._key, f"{kind}|{outcome}", 1))
        self._pending.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.debug("could not count a job outcome in Redis: %s", task.exception())

    def install(self) -> None:
        functions.OUTCOME_LISTENERS.append(self)

    def uninstall(self) -> None:
        if self in functions.OUTCOME_LISTENERS:
            functions.OUTCOME_LISTENERS.remove(self)


async def shared_outcomes(redis: Any, namespace: str) -> dict[tuple[str, str], float]:
    raw = await redis.hgetall(outcomes_key(namespace))
    found: dict[tuple[str, str], float] = {}
    for field, value in raw.items():
        name = field.decode() if isinstance(field, bytes) else str(field)
        kind, _, outcome = name.partition("|")
        found[(kind, outcome)] = float(value)
    return found
