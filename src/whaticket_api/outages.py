"""Which failures are outages of a dependency (the database, Redis) rather than bugs.

An outage answers 503 ``service_unavailable`` with ``Retry-After`` (see ``errors.py``) and is logged as one line
naming the dependency, never as a traceback: the same request will work once the dependency is back.
"""

from __future__ import annotations

from redis.exceptions import BusyLoadingError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from whaticket_adapters.jobs import JobQueueUnavailable
from whaticket_adapters.sql.errors import is_unavailable

RETRY_AFTER_SECONDS = 5
_REDIS_OUTAGES = (RedisConnectionError, RedisTimeoutError, BusyLoadingError, JobQueueUnavailable)


def chain_of(error: BaseException) -> list[BaseException]:
    """``error`` and what it wraps (causes first, then contexts), each once."""
    found: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in found:
        found.append(current)
        current = current.__cause__ or current.__context__
    return found


def is_redis_outage(error: BaseException) -> bool:
    return any(isinstance(e, _REDIS_OUTAGES) for e in chain_of(error))


def outage_of(error: BaseException) -> str | None:
    """``"redis"`` or ``"database"`` when ``error`` means that dependency is unavailable now, else None."""
    if is_redis_outage(error):
        return "redis"
    if is_unavailable(error):
        return "database"
    return None
