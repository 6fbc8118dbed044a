"""Findings 9 (per-account login throttle) and 12 (current password for a self password change), and the refresh
part of finding 13, as an attacker holding a stolen token or rotating addresses would try them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from api_harness import PASSWORD, Live, build_app, client_for, running
from api_world import World, bearer, ok
from sqlalchemy.ext.asyncio import AsyncEngine


async def test_guessing_one_accounts_password_is_throttled_whatever_the_address(
    clean_db: AsyncEngine, live: Live, tmp_path: Path
) -> None:
    app = build_app(clean_db, live, tmp_path, login_account_attempts=4)
    async with running(app), client_for(app) as client:
        world = await World(client, app).seed()  # each seeded account has logged in once
        guesses = [
            (
                await client.post(
                    "/auth/login",
                    json={"email": world.agent.email.upper(), "password": f"guess-{n}"},
                    headers={"X-Forwarded-For": f"198.51.100.{n}"},
                )
            ).status_code
            for n in range(3)
        ]
        blocked = await client.post("/auth/login", json={"email": world.agent.email, "password": PASSWORD})
        other = await client.post("/auth/login", json={"email": world.supervisor.email, "password": PASSWORD})

        assert guesses == [401, 401, 401]
        assert (blocked.status_code, blocked.json()["code"]) == (429, "rate_limited")
        assert int(blocked.headers["Retry-After"]) > 0
        assert other.status_code == 200  # another account is untouched


async def test_a_stolen_access_token_cannot_change_the_password(world: World) -> None:
    c, me = world.client, world.agent
    stolen = me.headers
    without = await c.put(f"/users/{me.id}", json={"password": "attacker-owns-it"}, headers=stolen)
    wrong = await c.put(
        f"/users/{me.id}", json={"password": "attacker-owns-it", "currentPassword": "guess"}, headers=stolen
    )
    assert (without.status_code, without.json()["code"]) == (403, "current_password_invalid")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "current_password_invalid")
    assert (await c.post("/auth/login", json={"email": me.email, "password": PASSWORD})).status_code == 200
    # The owner, who knows it, may.
    changed = await c.put(
        f"/users/{me.id}", json={"password": "owner-changed-it", "currentPassword": PASSWORD}, headers=stolen
    )
    assert changed.status_code == 200
    assert (await c.get("/auth/me", headers=bearer(me.access))).status_code == 401  # sessions ended
    await ok(await c.post("/auth/login", json={"email": me.email, "password": "owner-changed-it"}))


async def test_a_replayed_refresh_token_ends_the_thiefs_access_token_too(world: World) -> None:
    c = world.client
    stolen = world.agent.refresh
    thief = await ok(await c.post("/auth/refresh", json={"refreshToken": stolen}))  # the thief rotates first
    assert (await c.get("/auth/me", headers=bearer(thief["accessToken"]))).status_code == 200

    owner = await c.post("/auth/refresh", json={"refreshToken": stolen})  # the owner's tab, later

    assert (owner.status_code, owner.json()["code"]) == (401, "refresh_token_reused")
    assert (await c.get("/auth/me", headers=bearer(thief["accessToken"]))).status_code == 401
    assert (await c.post("/auth/refresh", json={"refreshToken": thief["refreshToken"]})).status_code == 401


async def test_two_tabs_refreshing_the_same_token_at_once_stay_logged_in(
    clean_db: AsyncEngine, live: Live, tmp_path: Path
) -> None:
    app = build_app(clean_db, live, tmp_path, refresh_reuse_grace=timedelta(seconds=30))
    async with running(app), client_for(app) as client:
        world = await World(client, app).seed()
        token = world.agent.refresh
        tabs = await asyncio.gather(*(client.post("/auth/refresh", json={"refreshToken": token}) for _ in range(2)))
        assert [t.status_code for t in tabs] == [200, 200]
        for tab in tabs:
            assert (await client.get("/auth/me", headers=bearer(tab.json()["accessToken"]))).status_code == 200
