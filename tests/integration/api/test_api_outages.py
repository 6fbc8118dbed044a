"""Outages answer 503 service_unavailable with Retry-After through the one error table: here, a database pool with
no free connection (PostgreSQL's connection limit reached, or every connection busy)."""

from __future__ import annotations

from pathlib import Path

from api_harness import Live, build_app, client_for, empty_tables, running
from api_world import World
from sqlalchemy import text

from whaticket_adapters.sql.database import create_engine


async def test_an_exhausted_pool_answers_503_then_serves_again(pg_url: str, live: Live, tmp_path: Path) -> None:
    engine = create_engine(pg_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        app = build_app(engine, live, tmp_path)
        credentials = {"email": "nobody@example.com", "password": "correct-horse-battery"}
        async with running(app), client_for(app) as client:
            async with engine.connect() as held:  # the pool's only connection
                await held.execute(text("SELECT 1"))
                busy = await client.post("/auth/login", json=credentials)
            assert busy.status_code == 503, busy.text
            assert busy.json()["code"] == "service_unavailable"
            assert busy.json()["details"] == {"dependency": "database"}
            assert int(busy.headers["Retry-After"]) > 0
            assert busy.headers["X-Request-ID"]
            # The connection is back in the pool: the same request gets its real answer.
            assert (await client.post("/auth/login", json=credentials)).status_code == 401
    finally:
        await engine.dispose()


async def test_a_hot_read_waiting_for_a_connection_answers_503(pg_url: str, live: Live, tmp_path: Path) -> None:
    """The bearer check and the ticket list read outside any unit of work: an exhausted pool is still a 503."""
    engine = create_engine(pg_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    await empty_tables(engine)  # the session's database: other tests' rows may be there
    try:
        app = build_app(engine, live, tmp_path)
        async with running(app), client_for(app) as client:
            world = await World(client, app).seed()
            async with engine.connect() as held:
                await held.execute(text("SELECT 1"))
                busy = await client.get("/tickets", headers=world.agent.headers)
            assert busy.status_code == 503, busy.text
            assert (busy.json()["code"], busy.json()["details"]) == ("service_unavailable", {"dependency": "database"})
            assert int(busy.headers["Retry-After"]) > 0
            assert (await client.get("/tickets", headers=world.agent.headers)).status_code == 200
    finally:
        await empty_tables(engine)
        await engine.dispose()
