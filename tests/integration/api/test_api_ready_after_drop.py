"""Readiness after the server dropped a pooled connection (the engine pings none at checkout): still ready."""

from __future__ import annotations

from pathlib import Path

from api_harness import Live, build_app, client_for, running
from pg_backends import terminate_pooled_connection
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import create_engine


async def test_ready_reports_the_database_after_its_pooled_connection_was_dropped(
    pg_url: str, pg_engine: AsyncEngine, live: Live, tmp_path: Path
) -> None:
    engine = create_engine(pg_url, pool_size=1, max_overflow=0)
    try:
        app = build_app(engine, live, tmp_path)
        async with running(app), client_for(app) as c:
            assert (await c.get("/health/ready")).json()["checks"] == {"database": "ok", "schema": "ok"}
            await terminate_pooled_connection(engine, pg_engine)
            ready = await c.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ok", "checks": {"database": "ok", "schema": "ok"}}
    finally:
        await engine.dispose()
