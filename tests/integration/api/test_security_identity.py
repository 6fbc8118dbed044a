"""Finding 2 (ids never reused, tokens bound to the account) and the token/cursor part of finding 13."""

from __future__ import annotations

import base64
from pathlib import Path

import jwt
from api_harness import JWT_SECRET, Live, build_app, client_for, empty_tables, running
from api_world import World, bearer, ok
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import create_engine, upgrade


async def test_a_deleted_users_token_never_speaks_for_the_next_account_on_sqlite(
    sqlite_engine: AsyncEngine, live: Live, tmp_path: Path
) -> None:
    await empty_tables(sqlite_engine)
    app = build_app(sqlite_engine, live, tmp_path)
    async with running(app), client_for(app) as client:
        world = await World(client, app).seed()
        admin = world.admin.headers
        victim = await world.add_person("leaver", "user")  # the newest account: its id is the highest
        await ok(await client.get("/auth/me", headers=victim.headers))
        await ok(await client.delete(f"/users/{victim.id}", headers=admin), 204)
        body = {"name": "New Admin", "email": "new@example.com", "password": "correct-horse-battery", "role": "admin"}
        newcomer = await ok(await client.post("/users", json=body, headers=admin), 201)

        assert newcomer["id"] != victim.id  # AUTOINCREMENT: the deleted id is never handed out again
        stale = await client.get("/auth/me", headers=victim.headers)
        assert stale.status_code == 401


async def test_a_token_forged_for_a_reused_id_is_refused(clean_db: AsyncEngine, live: Live, tmp_path: Path) -> None:
    """Even where an id comes back (rows restored, a database without AUTOINCREMENT), the token carries the account's
    random first token version, which the newcomer does not share."""
    app = build_app(clean_db, live, tmp_path)
    async with running(app), client_for(app) as client:
        world = await World(client, app).seed()
        claims = jwt.decode(world.agent.access, JWT_SECRET, algorithms=["HS256"], options={"verify_aud": False})
        async with clean_db.begin() as conn:  # the agent's row replaced by a new one under the same id
            row = (await conn.execute(text("SELECT * FROM users WHERE id = :id"), {"id": world.agent.id})).mappings()
            values = dict(row.one())
            await conn.execute(text("DELETE FROM users WHERE id = :id"), {"id": world.agent.id})
            values.update(email="newcomer@example.com", token_version=1)
            columns = ", ".join(values)
            await conn.execute(text(f"INSERT INTO users ({columns}) VALUES (:{', :'.join(values)})"), values)
        assert claims["ver"] != 1
        stale = await client.get("/auth/me", headers=world.agent.headers)
        assert stale.status_code == 401


async def test_upgrading_a_sqlite_database_keeps_rows_and_stops_id_reuse(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    await upgrade(url, "0001")
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql(
                "INSERT INTO users (id, name, email, password_hash, role, created_at, token_version) "
                "VALUES (1, 'A', 'a@example.com', 'h', 'admin', '2026-01-01 00:00:00', 0), "
                "(2, 'B', 'b@example.com', 'h', 'user', '2026-01-01 00:00:00', 0)"
            )
            await conn.exec_driver_sql(
                "INSERT INTO refresh_tokens (token_id, family_id, user_id, expires_at, created_at, revoked) "
                "VALUES ('t', 'f', 2, '2027-01-01 00:00:00', '2026-01-01 00:00:00', 0)"
            )
        await upgrade(url)
        async with engine.begin() as conn:
            assert (await conn.exec_driver_sql("SELECT count(*) FROM refresh_tokens")).scalar() == 1  # no cascade
            await conn.exec_driver_sql("DELETE FROM refresh_tokens")
            await conn.exec_driver_sql("DELETE FROM users WHERE id = 2")
            await conn.exec_driver_sql(
                "INSERT INTO users (name, email, password_hash, role, created_at, token_version) "
                "VALUES ('C', 'c@example.com', 'h', 'user', '2026-01-01 00:00:00', 0)"
            )
            new_id = (await conn.exec_driver_sql("SELECT id FROM users WHERE email = 'c@example.com'")).scalar()
        assert new_id == 3
    finally:
        await engine.dispose()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


async def test_absurd_numbers_in_signed_tokens_and_cursors_are_4xx(world: World) -> None:
    c = world.client
    base = {"typ": "access", "iss": "whaticket", "ver": 1, "sub": str(world.agent.id), "exp": 4_000_000_000}
    for changes in ({"sub": str(10**30)}, {"sub": 10**30}, {"exp": 10**20}, {"ver": 10**40}, {"sub": "-5"}):
        token = jwt.encode({**base, **changes}, JWT_SECRET, algorithm="HS256")
        answer = await c.get("/auth/me", headers=bearer(token))
        assert answer.status_code == 401, changes
    h = world.admin.headers
    for cursor in (_b64(b"[99999999999999999999999]"), _b64(b'["2026-01-01T00:00:00+00:00", 99999999999999999999]')):
        messages = await c.get("/messages", params={"ticketId": world.t_pending, "cursor": cursor}, headers=h)
        tickets = await c.get("/tickets", params={"cursor": cursor}, headers=h)
        assert {messages.status_code, tickets.status_code} == {400}, cursor
