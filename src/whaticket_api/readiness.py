"""The readiness checks behind ``GET /health/ready``: the database and its schema revision, Redis, and (production
layout) a live worker. Each check is a name and "ok", or the reason it fails."""

from __future__ import annotations

import asyncio

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.jobs.heartbeat import alive_workers
from whaticket_adapters.sql.schema_state import SchemaState, read_schema_state

from .providers import RedisHandle
from .settings import Settings

OK = "ok"
CHECK_SECONDS = 3.0


async def _schema_state(engine: AsyncEngine) -> SchemaState:
    # The pool pings no connection at checkout: one the server dropped (a restart) fails once as a disconnect and
    # the pool discards it and its elders, so a second try on a fresh connection tells whether the database is up.
    try:
        return await read_schema_state(engine)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
    return await read_schema_state(engine)


def _reason(error: BaseException) -> str:
    return "unavailable: " + (" ".join(str(error).split())[:120] or type(error).__name__)


async def database_checks(engine: AsyncEngine) -> dict[str, str]:
    try:
        state = await asyncio.wait_for(_schema_state(engine), CHECK_SECONDS)
    except Exception as error:
        return {"database": _reason(error), "schema": "unknown: database unavailable"}
    if state.at_head:
        schema = OK
    elif state.ahead:
        schema = f"ahead ({state.current}): upgrade whaticket"
    else:
        schema = "behind: run whaticket db upgrade"
    return {"database": OK, "schema": schema}


async def redis_checks(redis: RedisHandle, settings: Settings) -> dict[str, str]:
    if redis.client is None:
        return {}
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(redis.client.ping(), CHECK_SECONDS)
        checks["redis"] = OK
    except Exception as error:
        checks["redis"] = _reason(error)
    if not settings.embedded:  # production layout: jobs and sessions need a live `whaticket worker`
        if checks["redis"] != OK:
            checks["workers"] = "unknown: redis unavailable"
        else:
            alive = await alive_workers(redis.client, settings.redis_namespace)
            checks["workers"] = OK if alive else "none alive: start whaticket worker"
    return checks
