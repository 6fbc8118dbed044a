"""A SAQ Redis queue that waits out a Redis outage instead of spinning.

SAQ's worker calls ``dequeue`` in a loop and starts the next call as soon as one ends; with Redis down each call
fails at once, which turns into a busy loop writing a traceback per attempt. Here a failed dequeue sleeps (doubling
from half a second up to ten) and reports "no job", so the worker idles until Redis is back; the dependency watch of
the process logs the outage once.

Shared by the job queue and the cluster's session-call queues (adapters otherwise independent of each other).
"""

from __future__ import annotations

import asyncio
from typing import Any

from redis.exceptions import RedisError
from saq.queue.redis import RedisQueue

FIRST_PAUSE = 0.5
LONGEST_PAUSE = 10.0


class PatientRedisQueue(RedisQueue):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pause = FIRST_PAUSE

    async def dequeue(self, timeout: float = 0.0, poll_interval: float = 0.0) -> Any:  # noqa: ASYNC109 (SAQ's signature)
        try:
            job = await super().dequeue(timeout=timeout, poll_interval=poll_interval)
        except (RedisError, OSError):
            await asyncio.sleep(self._pause)
            self._pause = min(self._pause * 2, LONGEST_PAUSE)
            return None
        self._pause = FIRST_PAUSE
        return job
