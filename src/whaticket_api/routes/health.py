"""Liveness and readiness."""

from __future__ import annotations

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import Response, get
from sqlalchemy import text
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


@get("/health/ready", summary="Readiness", responses=None)
async def ready(engine: FromDishka[AsyncEngine], redis: FromDishka[RedisHandle]) -> Response[ReadyOut]:
    """200 when the database (and Redis, where configured) answer, else 503 naming the one that failed."""
    checks: dict[str, str] = {}
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unavailable"
    if redis.client is not None:
        try:
            await redis.client.ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unavailable"
    ok = all(v == "ok" for v in checks.values())
    return Response(ReadyOut("ok" if ok else "unavailable", checks), status_code=200 if ok else 503)


def health_router(path: str = "/", *, include_in_schema: bool = True) -> DishkaRouter:
    return DishkaRouter(path, route_handlers=[health, ready], include_in_schema=include_in_schema, security=[])
