"""/auth: registration rules, login, refresh rotation and reuse detection, logout, me."""

from __future__ import annotations

import httpx
from api_harness import Live
from api_world import PASSWORD, World, bearer, ok

from whaticket_core.domain.events import UserSessionsRevoked

ADA = {"name": "Ada", "email": "Ada@Example.com", "password": PASSWORD}


async def test_first_account_becomes_admin_and_never_shows_a_hash(client: httpx.AsyncClient) -> None:
    body = await ok(await client.post("/auth/register", json=ADA), 201)
    assert body["user"]["role"] == "admin"
    assert body["user"]["email"] == "ada@example.com"
    assert set(body["user"]) == {"id", "name", "email", "role", "queueIds", "whatsappId", "createdAt", "maxOpenTickets"}
    assert body["user"]["createdAt"].endswith("Z")
    assert "argon2" not in str(body)


async def test_later_registration_needs_user_creation_enabled(client: httpx.AsyncClient) -> None:
    admin = await ok(await client.post("/auth/register", json=ADA), 201)
    bob = {"name": "Bob", "email": "bob@example.com", "password": PASSWORD}
    refused = await client.post("/auth/register", json=bob)
    assert refused.status_code == 403
    assert refused.json()["code"] == "registration_disabled"
    await ok(
        await client.put("/settings/userCreation", json={"value": "enabled"}, headers=bearer(admin["accessToken"]))
    )
    created = await ok(await client.post("/auth/register", json=bob), 201)
    assert created["user"]["role"] == "user"


async def test_registration_validates_and_refuses_a_taken_email(client: httpx.AsyncClient) -> None:
    short = await client.post("/auth/register", json={**ADA, "password": "short"})
    assert short.status_code == 400
    assert short.json()["code"] == "validation_error"
    assert short.json()["details"]["fields"] == ["password"]
    missing = await client.post("/auth/register", json={"name": "Ada", "password": PASSWORD})
    assert missing.status_code == 400
    assert missing.json()["details"]["fields"] == ["email"]
    admin = await ok(await client.post("/auth/register", json=ADA), 201)
    await client.put("/settings/userCreation", json={"value": "enabled"}, headers=bearer(admin["accessToken"]))
    taken = await client.post("/auth/register", json={**ADA, "email": "ada@example.com"})
    assert taken.status_code == 409
    assert taken.json()["code"] == "email_taken"


async def test_login_answers_the_same_for_a_wrong_email_and_a_wrong_password(client: httpx.AsyncClient) -> None:
    await ok(await client.post("/auth/register", json=ADA), 201)
    good = await ok(await client.post("/auth/login", json={"email": "ada@example.com", "password": PASSWORD}))
    assert good["user"]["email"] == "ada@example.com"
    assert good["accessToken"]
    assert good["refreshToken"]
    wrong_password = await client.post("/auth/login", json={"email": "ada@example.com", "password": "nope-nope"})
    wrong_email = await client.post("/auth/login", json={"email": "who@example.com", "password": PASSWORD})
    assert wrong_password.status_code == wrong_email.status_code == 401
    assert wrong_password.json() == wrong_email.json()
    assert wrong_email.json()["code"] == "invalid_credentials"


async def test_refresh_rotates_and_a_reused_token_revokes_the_family(world: World) -> None:
    c = world.client
    first = world.agent.refresh
    second = await ok(await c.post("/auth/refresh", json={"refreshToken": first}))
    assert second["refreshToken"] != first
    assert (await c.get("/auth/me", headers=bearer(second["accessToken"]))).status_code == 200
    reused = await c.post("/auth/refresh", json={"refreshToken": first})
    assert reused.status_code == 401
    assert reused.json()["code"] == "refresh_token_reused"
    # The whole family is gone: even the newest token of that login no longer refreshes.
    after = await c.post("/auth/refresh", json={"refreshToken": second["refreshToken"]})
    assert after.status_code == 401


async def test_logout_revokes_that_login_only(world: World) -> None:
    c = world.client
    other_login = await world.login(world.agent.email)
    await ok(await c.post("/auth/logout", json={"refreshToken": world.agent.refresh}, headers=world.agent.headers), 204)
    assert (await c.post("/auth/refresh", json={"refreshToken": world.agent.refresh})).status_code == 401
    await ok(await c.post("/auth/refresh", json={"refreshToken": other_login["refreshToken"]}))


async def test_logout_with_someone_elses_refresh_token_is_refused(world: World) -> None:
    c = world.client
    response = await c.post("/auth/logout", json={"refreshToken": world.admin.refresh}, headers=world.agent.headers)
    assert response.status_code == 401
    await ok(await c.post("/auth/refresh", json={"refreshToken": world.admin.refresh}))


async def test_logout_all_ends_every_session_and_tells_the_sockets(world: World, live: Live) -> None:
    c = world.client
    second = await world.login(world.agent.email)
    await ok(await c.post("/auth/logout-all", headers=world.agent.headers), 204)
    assert (await c.get("/auth/me", headers=world.agent.headers)).status_code == 401
    assert (await c.get("/auth/me", headers=bearer(second["accessToken"]))).status_code == 401
    assert (await c.post("/auth/refresh", json={"refreshToken": second["refreshToken"]})).status_code == 401
    assert (await c.get("/auth/me", headers=world.admin.headers)).status_code == 200
    assert [e.user_id for e in live.publisher.of_type(UserSessionsRevoked)] == [world.agent.id]


async def test_me_is_the_caller(world: World) -> None:
    me = await ok(await world.client.get("/auth/me", headers=world.agent.headers))
    assert me["id"] == world.agent.id
    assert me["role"] == "user"
    assert me["queueIds"] == [world.sales]
