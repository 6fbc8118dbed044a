"""API tokens over HTTP: issued once and stored as a digest, usable within their scopes only (a scope matrix over
every route), revoked on the next request, rate limited per token, their last use recorded."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from api_harness import WorldFactory, build_app, client_for, running
from api_world import World, bearer, ok
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from test_api_rbac_matrix import ROWS, Row, _call

from whaticket_core.domain.api_tokens import ApiScope

SCOPES = [s.value for s in ApiScope]


async def test_a_token_is_shown_once_and_stored_only_as_its_digest(world: World, clean_db: AsyncEngine) -> None:
    body = {"name": "CRM", "scopes": ["tickets:read", "messages:write"], "expiresAt": "2099-01-01T00:00:00Z"}
    created = await ok(await world.client.post("/api-tokens", json=body, headers=world.admin.headers), 201)
    token = created["token"]
    assert token.startswith("wt_")
    assert len(token) >= 46
    assert created["prefix"] == token[: len(created["prefix"])]
    assert len(created["prefix"]) < len(token)
    assert created["scopes"] == ["messages:write", "tickets:read"]
    assert created["expiresAt"] == "2099-01-01T00:00:00Z"
    listed = await ok(await world.client.get("/api-tokens", headers=world.admin.headers))
    assert [t["id"] for t in listed] == [created["id"]]
    assert "token" not in listed[0]
    assert listed[0]["lastUsedAt"] is None
    async with clean_db.connect() as conn:
        rows = (await conn.execute(text("SELECT * FROM api_tokens"))).all()
    assert len(rows) == 1
    assert all(token not in str(value) for value in rows[0])
    assert hashlib.sha256(token.encode()).hexdigest() in rows[0]


async def test_a_token_sees_every_ticket_and_records_its_last_use(world: World) -> None:
    token = await world.add_api_token("tickets:read")
    page = await ok(await world.client.get("/tickets", params={"status": "open"}, headers=bearer(token)))
    assert world.t_hidden in [t["id"] for t in page["items"]]  # assigned to another agent: staff reach
    await ok(await world.client.get(f"/tickets/{world.t_hidden}", headers=bearer(token)))
    (listed,) = await ok(await world.client.get("/api-tokens", headers=world.admin.headers))
    assert listed["lastUsedAt"] is not None


async def test_outside_its_scopes_a_token_gets_insufficient_scope(world: World) -> None:
    token = await world.add_api_token("tickets:read")
    for method, path in [
        ("POST", f"/tickets/{world.t_pending}/accept"),
        ("GET", f"/messages?ticketId={world.t_pending}"),
        ("GET", "/users"),
        ("GET", "/api-tokens"),
        ("PUT", "/settings/userCreation"),
        ("GET", "/whatsapps"),
        ("GET", "/auth/me"),
    ]:
        response = await world.client.request(method, path, headers=bearer(token), json={"value": "enabled"})
        assert (response.status_code, response.json()["code"]) == (403, "insufficient_scope"), (method, path)


async def test_revocation_is_effective_on_the_next_request(world: World) -> None:
    token = await world.add_api_token("tickets:read")
    await ok(await world.client.get("/tickets", headers=bearer(token)))
    await ok(await world.client.delete(f"/api-tokens/{world.api_token}", headers=world.admin.headers), 204)
    response = await world.client.get("/tickets", headers=bearer(token))
    assert (response.status_code, response.json()["code"]) == (401, "invalid_token")
    gone = await world.client.delete(f"/api-tokens/{world.api_token}", headers=world.admin.headers)
    assert (gone.status_code, gone.json()["code"]) == (404, "api_token_not_found")


async def test_unknown_scopes_are_a_validation_error(world: World) -> None:
    response = await world.client.post(
        "/api-tokens", json={"name": "CRM", "scopes": ["tickets:delete"]}, headers=world.admin.headers
    )
    assert (response.status_code, response.json()["code"]) == (400, "validation_error")
    assert response.json()["details"]["fields"] == ["scopes"]


async def test_each_token_has_its_own_rate_limit(pg_engine: AsyncEngine, live, tmp_path: Path) -> None:
    from api_harness import empty_tables

    await empty_tables(pg_engine)
    app = build_app(pg_engine, live, tmp_path, api_token_rate_limit_per_minute=3)
    async with running(app), client_for(app) as client:
        world = await World(client, app).seed()
        first = await world.add_api_token("tickets:read", key="first")
        second = await world.add_api_token("tickets:read", key="second")
        statuses = [(await client.get("/tickets/counts", headers=bearer(first))).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = await client.get("/tickets/counts", headers=bearer(first))
        assert limited.json()["code"] == "rate_limited"
        assert int(limited.headers["Retry-After"]) >= 1
        await ok(await client.get("/tickets/counts", headers=bearer(second)))
        await ok(await client.get("/tickets/counts", headers=world.admin.headers))  # people are not limited by it


# ---- the scope matrix: every route x every scope ------------------------------------------------------------


def scope_of(row: Row) -> str | None:
    """The scope the contract gives each route: reads and writes of tickets, messages and contacts; nothing else is
    open to a token."""
    area = row.path.strip("/").split("/")[0]
    if area == "webhooks":
        return "webhooks:manage"
    if area not in ("tickets", "messages", "contacts"):
        return None
    return f"{area}:{'read' if row.method == 'GET' else 'write'}"


TOKEN_ROWS = [r for r in ROWS if not r.path.startswith(("/health", "/auth/register", "/auth/login", "/auth/refresh"))]


@pytest.mark.parametrize("row", TOKEN_ROWS, ids=[r.id + (f" {r.params}" if r.params else "") for r in TOKEN_ROWS])
async def test_every_route_answers_every_scope_as_the_contract_says(row: Row, new_world: WorldFactory) -> None:
    """A token without the route's scope is refused before anything happens (403 insufficient_scope); with it, it
    gets what a supervisor gets (its reach), and on webhooks what an admin gets. Refused scopes run first on the
    same world."""
    world = await new_world()
    tokens = {scope: await world.add_api_token(scope, key=f"token {scope}") for scope in SCOPES}
    needed = scope_of(row)
    allowed_status = row.expect[0] if needed == "webhooks:manage" else row.expect[1]
    got: dict[str, int] = {}
    for scope in sorted(SCOPES, key=lambda s: s == needed):
        world.people["supervisor"].access = tokens[scope]  # the row's supervisor body/headers, with this token
        got[scope] = await _call(world, row, "supervisor")
    expected = {scope: (allowed_status if scope == needed else 403) for scope in SCOPES}
    assert got == expected
