"""Findings 4 and 8: the first-admin and last-admin rules hold under concurrent requests (PostgreSQL and SQLite)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from api_harness import PASSWORD, Live, build_app, client_for, empty_tables, running
from api_world import World, ok
from sqlalchemy.ext.asyncio import AsyncEngine

CONCURRENT = 20


@pytest.fixture(params=["postgres", "sqlite"])
def any_engine(request: pytest.FixtureRequest) -> AsyncEngine:
    engine: AsyncEngine = request.getfixturevalue("pg_engine" if request.param == "postgres" else "sqlite_engine")
    return engine


@pytest.fixture
async def engine(any_engine: AsyncEngine) -> AsyncEngine:
    await empty_tables(any_engine)
    return any_engine


async def test_concurrent_first_registrations_make_exactly_one_admin(
    engine: AsyncEngine, live: Live, tmp_path: Path
) -> None:
    app = build_app(engine, live, tmp_path)
    async with running(app), client_for(app) as client:

        async def register(n: int) -> dict[str, object]:
            body = {"name": f"Racer {n}", "email": f"racer{n}@example.com", "password": PASSWORD}
            answer = await client.post("/auth/register", json=body)
            # Later ones find registration disabled (the default once an account exists) or succeed as users.
            assert answer.status_code in (201, 403), answer.text
            return answer.json()

        answers = await asyncio.gather(*(register(n) for n in range(CONCURRENT)))
        roles = [a["user"]["role"] for a in answers if "user" in a]
        assert roles.count("admin") == 1, roles


async def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    engine: AsyncEngine, live: Live, tmp_path: Path
) -> None:
    app = build_app(engine, live, tmp_path)
    async with running(app), client_for(app) as client:
        world = await World(client, app).seed()
        second = await world.add_person("second_admin", "admin")
        first = world.admin
        for _ in range(5):  # the race is a window, not a certainty: try it a few times
            answers = await asyncio.gather(
                client.put(f"/users/{second.id}", json={"role": "user"}, headers=first.headers),
                client.put(f"/users/{first.id}", json={"role": "user"}, headers=second.headers),
            )
            statuses = sorted(a.status_code for a in answers)
            users = await ok(await client.get("/users", params={"limit": 100}, headers=world.supervisor.headers))
            admins = [u for u in users["items"] if u["role"] == "admin"]
            assert len(admins) == 1, (statuses, [a.text for a in answers])
            # Restore both admins for the next round, through whoever is still admin.
            remaining = first if admins[0]["id"] == first.id else second
            demoted = second if remaining is first else first
            await ok(await client.put(f"/users/{demoted.id}", json={"role": "admin"}, headers=remaining.headers))
            demoted.access = (await world.login(demoted.email))["accessToken"]


async def test_concurrent_deletions_of_the_two_admins_leave_one(
    engine: AsyncEngine, live: Live, tmp_path: Path
) -> None:
    app = build_app(engine, live, tmp_path)
    async with running(app), client_for(app) as client:
        world = await World(client, app).seed()
        second = await world.add_person("second_admin", "admin")
        first = world.admin
        await asyncio.gather(
            client.delete(f"/users/{second.id}", headers=first.headers),
            client.delete(f"/users/{first.id}", headers=second.headers),
        )
        users = await ok(await client.get("/users", params={"limit": 100}, headers=world.supervisor.headers))
        assert [u["role"] for u in users["items"]].count("admin") == 1
