"""Liveness and readiness."""

from __future__ import annotations

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import Response, get
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from ..providers import RedisHandle


class HealthOut(msgspec.Struct):
    status: str


class ReadyOut(msgspec.Struct):
    status: str
    checks: dict[str, str]


@get("/health", summary="Liveness")
async def health() -> HealthOut:
    """200 while the process lives."""
    return HealthOut("ok")


async def _database_answers(engine: AsyncEngine) -> bool:
    # The pool pings no connection at checkout: one the server dropped (a restart) fails once as a disconnect and
    # the pool discards it and its elders, so a second try on a fresh connection tells whether the database is up.
    for attempt in range(2):
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except DBAPIError as error:
            if attempt or not error.connection_invalidated:
                return False
        except Exception:
            return False
    return False


@get("/health/ready", summary="Readiness", responses=None)
async def ready(engine: FromDishka[AsyncEngine], redis: FromDishka[RedisHandle]) -> Response[ReadyOut]:
    """200 when the database (and Redis, where configured) answer, else 503 naming the one that failed."""
    checks: dict[str, str] = {"database": "ok" if await _database_answers(engine) else "unavailable"}
    if redis.client is not None:
        try:
            await redis.client.ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unavailable"
    ok = all(v == "ok" for v in checks.values())
    return Response(ReadyOut("ok" if ok else "unavailable", checks), status_code=200 if ok else 503)


def health_router(path: str = "/", *, include_in_schema: bool = True) -> DishkaRouter:
    return DishkaRouter(
        path, route_handlers=[health, ready], include_in_schema=include_in_schema, security=[], tags=["health"]
    )
