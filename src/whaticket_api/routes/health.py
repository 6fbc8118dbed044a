"""Liveness and readiness."""

from __future__ import annotations

import asyncio

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import Response, get
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.jobs.heartbeat import alive_workers
from whaticket_adapters.sql.schema_state import SchemaState, read_schema_state

from ..outages import RETRY_AFTER_SECONDS
from ..providers import RedisHandle
from ..settings import Settings

OK = "ok"
CHECK_SECONDS = 3.0


class HealthOut(msgspec.Struct):
    status: str


class ReadyOut(msgspec.Struct):
    status: str
    checks: dict[str, str]


@get("/health", summary="Liveness")
async def health() -> HealthOut:
    """200 while the process lives."""
    return HealthOut("ok")


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


async def _database_checks(engine: AsyncEngine) -> dict[str, str]:
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


async def _redis_checks(redis: RedisHandle, settings: Settings) -> dict[str, str]:
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
            alive = await alive_workers(redis.client)
            checks["workers"] = OK if alive else "none alive: start whaticket worker"
    return checks


@get("/health/ready", summary="Readiness", responses=None)
async def ready(
    engine: FromDishka[AsyncEngine], redis: FromDishka[RedisHandle], settings: FromDishka[Settings]
) -> Response[ReadyOut]:
    """200 when the database answers with the schema at the code's revision, Redis answers (where configured) and,
    in the production layout, a worker is alive; else 503 naming each failing check with its reason."""
    database, redis_checks = await asyncio.gather(_database_checks(engine), _redis_checks(redis, settings))
    checks = {**database, **redis_checks}
    ok = all(v == OK for v in checks.values())
    headers = None if ok else {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return Response(ReadyOut("ok" if ok else "unavailable", checks), status_code=200 if ok else 503, headers=headers)


def health_router(path: str = "/", *, include_in_schema: bool = True) -> DishkaRouter:
    return DishkaRouter(path, route_handlers=[health, ready], include_in_schema=include_in_schema, security=[])
