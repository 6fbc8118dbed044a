"""Liveness and readiness."""

from __future__ import annotations

import asyncio

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import Response, get
from sqlalchemy.ext.asyncio import AsyncEngine

from ..outages import RETRY_AFTER_SECONDS
from ..providers import RedisHandle
from ..readiness import OK, database_checks, redis_checks
from ..settings import Settings


class HealthOut(msgspec.Struct):
    status: str


class ReadyOut(msgspec.Struct):
    status: str
    checks: dict[str, str]


@get("/health", summary="Liveness")
async def health() -> HealthOut:
    """200 while the process lives."""
    return HealthOut("ok")


@get("/health/ready", summary="Readiness", responses=None)
async def ready(
    engine: FromDishka[AsyncEngine], redis: FromDishka[RedisHandle], settings: FromDishka[Settings]
) -> Response[ReadyOut]:
    """200 when the database answers with the schema at the code's revision, Redis answers (where configured) and,
    in the production layout, a worker is alive; else 503 naming each failing check with its reason."""
    database, redis_found = await asyncio.gather(database_checks(engine), redis_checks(redis, settings))
    checks = {**database, **redis_found}
    ok = all(v == OK for v in checks.values())
    headers = None if ok else {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return Response(ReadyOut("ok" if ok else "unavailable", checks), status_code=200 if ok else 503, headers=headers)


def health_router(path: str = "/", *, include_in_schema: bool = True) -> DishkaRouter:
    return DishkaRouter(
        path, route_handlers=[health, ready], include_in_schema=include_in_schema, security=[], tags=["health"]
    )
