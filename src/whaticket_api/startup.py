"""Start-up checks of ``serve`` and ``worker``, and the watch that logs a dependency's outages while running.

At start: the database answers, its schema is at the code's head revision (production refuses to start otherwise:
``run whaticket db upgrade``; the embedded default migrates itself before this runs) and Redis answers when
configured. Containers started together get ``STARTUP_WAIT_SECONDS`` for their dependencies to come up; after that
the process stops with one line naming the cause and the fix (:class:`StartupError`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import make_url

from whaticket_adapters.sql.database import create_engine
from whaticket_adapters.sql.schema_state import SchemaState, read_schema_state

from .outages import chain_of, is_redis_outage
from .settings import Settings

log = logging.getLogger("whaticket.startup")
CHECK_TIMEOUT_SECONDS = 5.0


class StartupError(Exception):
    """A dependency is missing or not ready; the message is one line: the cause, then the fix."""


@dataclass(frozen=True, slots=True)
class Problem:
    cause: str
    fix: str
    # Worth waiting for (a server still starting); False for what waiting cannot fix (a wrong password).
    transient: bool = True

    def line(self) -> str:
        return f"{self.cause}: {self.fix}"


def _where(database_url: str) -> str:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return f"SQLite database {url.database}"
    return f"database {url.database!r} at {url.host or 'localhost'}:{url.port or 5432}"


def describe_database_error(database_url: str, error: BaseException) -> Problem:
    """The cause of a failed connection in words an operator acts on."""
    where = _where(database_url)
    text = " ".join(str(error).split())
    name = type(error).__name__
    chain = [type(e).__name__ for e in chain_of(error)]
    if "InvalidCatalogNameError" in chain or ("does not exist" in text and "database" in text):
        return Problem(f"{where} does not exist", "create it (createdb) or fix DATABASE_URL", transient=False)
    if "InvalidPasswordError" in chain or "password authentication failed" in text:
        return Problem(f"{where} refused the credentials", "fix the user or password in DATABASE_URL", False)
    if "InvalidAuthorizationSpecificationError" in chain or ("role" in text and "does not exist" in text):
        return Problem(f"{where} does not know the user", "fix the user in DATABASE_URL", transient=False)
    if isinstance(error, TimeoutError) or "timeout" in text.lower():
        return Problem(f"{where} did not answer in time", "check that PostgreSQL runs and DATABASE_URL is right")
    if "refused" in text.lower() or isinstance(error, ConnectionRefusedError) or "Connect call failed" in text:
        return Problem(f"cannot reach {where} (connection refused)", "start PostgreSQL or fix DATABASE_URL")
    return Problem(f"cannot use {where} ({name}: {text[:200]})", "check DATABASE_URL and that PostgreSQL runs")


def database_url_of(settings: Settings) -> str:
    from whaticket_adapters.sql.database import database_url_from_env

    if settings.database_url:
        return settings.database_url
    return database_url_from_env({"DATA_DIR": str(settings.data_dir)}).render_as_string(hide_password=False)


async def check_database(database_url: str) -> Problem | None:
    engine = create_engine(database_url)
    try:
        state = await asyncio.wait_for(read_schema_state(engine), CHECK_TIMEOUT_SECONDS)
    except Exception as error:
        return describe_database_error(database_url, error)
    finally:
        await engine.dispose()
    return schema_problem(state)


def schema_problem(state: SchemaState) -> Problem | None:
    if state.at_head:
        return None
    if state.current is None:
        return Problem("the database has no schema yet", "run whaticket db upgrade")
    if state.ahead:
        return Problem(
            f"the database schema ({state.current}) is newer than this version of whaticket ({state.head})",
            "upgrade whaticket or point DATABASE_URL at the right database",
            transient=False,
        )
    return Problem(f"the database schema is behind ({state.current}, needs {state.head})", "run whaticket db upgrade")


async def check_redis(redis_url: str) -> Problem | None:
    from redis.asyncio import Redis

    client: Any = Redis.from_url(redis_url, socket_connect_timeout=CHECK_TIMEOUT_SECONDS)
    try:
        await asyncio.wait_for(client.ping(), CHECK_TIMEOUT_SECONDS)
    except Exception as error:
        where = make_url(redis_url.replace("rediss://", "redis://"))
        text = " ".join(str(error).split())[:200]
        return Problem(
            f"cannot reach Redis at {where.host or 'localhost'}:{where.port or 6379} ({text})",
            "start Redis or fix REDIS_URL",
        )
    finally:
        await client.aclose()
    return None


async def check_dependencies(settings: Settings, *, wait_seconds: float | None = None) -> None:
    """Wait (up to STARTUP_WAIT_SECONDS) for the database, its schema and Redis; raise StartupError if one is still
    not ready then, or at once for what waiting cannot fix."""
    wait = settings.startup_wait.total_seconds() if wait_seconds is None else wait_seconds
    deadline = time.monotonic() + wait
    database_url = database_url_of(settings)
    checks: list[Callable[[], Awaitable[Problem | None]]] = [lambda: check_database(database_url)]
    if settings.redis_url:
        redis_url = settings.redis_url
        checks.append(lambda: check_redis(redis_url))
    delay = 0.5
    announced: set[str] = set()
    while True:
        problems = [p for p in [await check() for check in checks] if p is not None]
        if not problems:
            return
        final = [p for p in problems if not p.transient]
        if final or time.monotonic() + delay > deadline:
            raise StartupError((final or problems)[0].line())
        for problem in problems:
            if problem.cause not in announced:
                announced.add(problem.cause)
                log.info("waiting up to %.0fs: %s", max(0.0, deadline - time.monotonic()), problem.line())
        await asyncio.sleep(delay)
        delay = min(delay * 2, 5.0)


class DependencyWatch:
    """Checks the database and Redis every few seconds (backing off while one is down) and logs one line per change
    of state, so an outage is reported once, with its cause, and its end too."""

    def __init__(self, checks: dict[str, Callable[[], Awaitable[None]]], *, every: float = 2.0) -> None:
        self._checks = checks
        self._every = every
        self.down: dict[str, str] = {}
        self._task: asyncio.Task[None] | None = None

    async def check_once(self) -> None:
        for name, check in self._checks.items():
            try:
                await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
            except Exception as error:
                reason = " ".join(str(error).split())[:200] or type(error).__name__
                if name not in self.down:
                    log.warning("%s unavailable (%s); retrying with backoff", name, reason)
                self.down[name] = reason
            else:
                if self.down.pop(name, None) is not None:
                    log.info("%s available again", name)

    async def run(self) -> None:
        delay = self._every
        while True:
            await self.check_once()
            delay = min(delay * 2, 30.0) if self.down else self._every
            await asyncio.sleep(delay)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="whaticket-dependency-watch")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


class OutageLogFilter(logging.Filter):
    """Drops library records whose error is a dependency outage (SAQ's upkeep tracebacks, lease warnings, unretrieved
    task errors): :class:`DependencyWatch` reports the outage once instead of a traceback a second."""

    def filter(self, record: logging.LogRecord) -> bool:
        from .outages import outage_of

        errors = [record.exc_info[1]] if record.exc_info and record.exc_info[1] is not None else []
        args = record.args if isinstance(record.args, tuple) else ()
        errors += [a for a in args if isinstance(a, BaseException)]
        context = getattr(record, "exception", None)
        if isinstance(context, BaseException):
            errors.append(context)
        return not any(is_redis_outage(e) or outage_of(e) is not None for e in errors)


def secrets_of(settings: Settings) -> list[str]:
    """Values no log line may carry: the JWT secrets, the metrics token and the passwords in the URLs."""
    values = [settings.jwt_secret, settings.jwt_refresh_secret, settings.metrics_token or ""]
    for url in (settings.database_url, settings.redis_url):
        if url:
            try:
                values.append(make_url(url.replace("rediss://", "redis://")).password or "")
            except Exception:
                continue
    return [v for v in values if v]


async def worker_watch(container: Any, redis: Any) -> DependencyWatch:
    """The watch of a worker process: its database engine and its Redis client."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import AsyncEngine

    engine = await container.get(AsyncEngine)

    async def database() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def ping_redis() -> None:
        await redis.ping()

    return DependencyWatch({"database": database, "redis": ping_redis})


async def serve_watch(container: Any) -> DependencyWatch:
    """The watch of a serving process: the database, and Redis when configured."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import AsyncEngine

    from .providers import RedisHandle

    engine = await container.get(AsyncEngine)
    redis = (await container.get(RedisHandle)).client

    async def database() -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    checks: dict[str, Callable[[], Awaitable[None]]] = {"database": database}
    if redis is not None:

        async def ping_redis() -> None:
            await redis.ping()

        checks["redis"] = ping_redis
    return DependencyWatch(checks)
