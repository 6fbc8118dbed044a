"""Protection and the error shape: rate limits, security headers, CORS, body size, framework errors, 500s."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from api_harness import FakesProvider, Live, build_app, client_for, running
from api_world import PASSWORD, World, ok
from dishka import provide
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_api.app import create_app
from whaticket_api.protection import MemoryRateLimiter
from whaticket_core.ports import TicketQueries
from whaticket_core.ports.queries import TicketListQuery

SECURITY = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "no-referrer"}


def _has_security_headers(response: httpx.Response) -> bool:
    return all(response.headers.get(k) == v for k, v in SECURITY.items()) and bool(
        response.headers.get("content-security-policy")
    )


async def test_login_is_rate_limited_per_client(clean_db: AsyncEngine, live: Live, tmp_path: Path) -> None:
    app = build_app(clean_db, live, tmp_path, auth_rate_limit_per_minute=3)
    async with running(app), client_for(app) as c:
        answers = [await c.post("/auth/login", json={"email": "x@example.com", "password": PASSWORD}) for _ in range(4)]
        assert [a.status_code for a in answers] == [401, 401, 401, 429]
        limited = answers[-1]
        assert limited.json()["code"] == "rate_limited"
        assert limited.json()["statusCode"] == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # Other clients are not affected.
        other = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.0.0.9", 1234)), base_url="http://test/api/v1"
        )
        async with other:
            assert (
                await other.post("/auth/login", json={"email": "x@example.com", "password": "p"})
            ).status_code == 401
        # Routes outside auth are not limited.
        assert all([(await c.get("/health")).status_code == 200 for _ in range(5)])


async def test_memory_limiter_opens_a_new_window() -> None:
    now = [0.0]
    limiter = MemoryRateLimiter(now=lambda: now[0])
    assert [await limiter.hit("k", 2, 60) for _ in range(3)] == [None, None, 60]
    now[0] = 61.0
    assert await limiter.hit("k", 2, 60) is None


async def test_security_headers_on_every_kind_of_answer(world: World) -> None:
    c = world.client
    answers = [
        await c.get("/no/such/route"),
        await c.get("/tickets"),  # 401
        await c.get("/tickets", headers=world.agent.headers),  # 200
        await c.get(f"/tickets/{world.t_hidden}", headers=world.agent.headers),  # 404 from the core
        await c.patch("/tickets", headers=world.agent.headers),  # 405
        await c.get("http://test/docs/openapi.json"),
    ]
    assert [a.status_code for a in answers] == [404, 401, 200, 404, 405, 200]
    assert all(_has_security_headers(a) for a in answers)


async def test_swagger_page_loads_with_its_csp(client: httpx.AsyncClient) -> None:
    page = await client.get("http://test/docs")
    assert page.status_code == 200
    assert "swagger" in page.text.lower()
    assert "https://" not in page.text  # every script and style is served from here
    csp = page.headers["content-security-policy"]
    assert "script-src 'self';" in csp  # no CDN, no inline script
    assert "https:" not in csp
    assert "frame-ancestors 'none'" in csp
    for asset in ("/docs/assets/swagger-ui/swagger-ui-bundle.js", "/docs/assets/redoc/redoc.standalone.js"):
        assert (await client.get(f"http://test{asset}")).status_code == 200
    document = (await client.get("http://test/docs/openapi.json")).json()
    assert all(path.startswith("/api/v1/") for path in document["paths"])
    assert document["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    assert document["paths"]["/api/v1/tickets"]["get"]["security"] == [{"BearerToken": []}]
    assert document["paths"]["/api/v1/auth/login"]["post"].get("security", []) == []


async def test_unknown_route_and_wrong_method_have_the_error_shape(client: httpx.AsyncClient) -> None:
    missing = await client.get("/nothing-here")
    assert missing.json() == {
        "statusCode": 404,
        "error": "Not Found",
        "code": "not_found",
        "message": "Resource not found",
    }
    wrong = await client.delete("/auth/login")
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method_not_allowed"


async def test_validation_errors_name_the_fields(world: World) -> None:
    c, h = world.client, world.admin.headers
    wrong_type = await c.post("/tickets", json={"contactId": "7"}, headers=h)
    assert (wrong_type.status_code, wrong_type.json()["details"]["fields"]) == (400, ["contactId"])
    coerced = await c.post("/whatsapps", json={"name": "W", "isDefault": 0}, headers=h)
    assert (coerced.status_code, coerced.json()["details"]["fields"]) == (400, ["isDefault"])
    too_long = await c.post("/contacts", json={"name": "x" * 201, "number": "5511912345678"}, headers=h)
    assert (too_long.status_code, too_long.json()["details"]["fields"]) == (400, ["name"])
    bad_query = await c.get("/tickets", params={"limit": 101}, headers=h)
    assert (bad_query.status_code, bad_query.json()["code"]) == (400, "validation_error")
    assert "limit" in bad_query.json()["details"]["fields"]
    bad_path = await c.get("/tickets/0", headers=h)
    assert bad_path.status_code == 400
    nul = await c.get("/tickets", params={"search": "a\x00b"}, headers=h)
    assert (nul.status_code, nul.json()["details"]["fields"]) == (400, ["search"])
    not_json = await c.post("/contacts", content=b"{nope", headers={**h, "Content-Type": "application/json"})
    assert (not_json.status_code, not_json.json()["code"]) == (400, "validation_error")


async def test_a_body_over_the_limit_is_413(clean_db: AsyncEngine, live: Live, tmp_path: Path) -> None:
    app = build_app(clean_db, live, tmp_path, max_body_bytes=1024)
    async with running(app), client_for(app) as c:
        big = await c.post("/auth/login", json={"email": "a@b.co", "password": "x" * 2000})
        assert (big.status_code, big.json()["code"]) == (413, "payload_too_large")
        upload = await c.post(
            "/messages", data={"ticketId": "1"}, files={"file": ("a.bin", b"x" * 4096, "application/octet-stream")}
        )
        assert upload.status_code in (401, 413)  # no token: refused before or while reading, never accepted


class _BrokenQueries:
    async def list_tickets(self, query: TicketListQuery) -> object:
        raise RuntimeError("SELECT password_hash FROM users -- exploded")

    async def get_ticket(self, ticket_id: int) -> object:
        raise RuntimeError("boom")


class _Broken(FakesProvider):
    @provide
    def tickets(self) -> TicketQueries:
        return _BrokenQueries()  # type: ignore[return-value]


async def test_a_500_carries_no_trace_and_no_sql(
    world: World, clean_db: AsyncEngine, live: Live, tmp_path: Path
) -> None:
    from api_harness import make_settings

    app = create_app(make_settings(tmp_path), overrides=[_Broken(clean_db, live)])
    async with running(app), client_for(app) as c:
        response = await c.get("/tickets", headers=world.admin.headers)
    assert response.status_code == 500
    assert response.json() == {
        "statusCode": 500,
        "error": "Internal Server Error",
        "code": "internal_error",
        "message": "Internal server error",
    }
    assert "SELECT" not in response.text
    assert "Traceback" not in response.text
    assert _has_security_headers(response)


@pytest.mark.parametrize("origin", ["https://app.example.com"])
async def test_cors_allows_the_frontend_only(clean_db: AsyncEngine, live: Live, tmp_path: Path, origin: str) -> None:
    app = build_app(clean_db, live, tmp_path, frontend_url=origin)
    async with running(app), client_for(app) as c:
        preflight = await c.options(
            "/tickets",
            headers={
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert preflight.status_code in (200, 204)
        assert preflight.headers["access-control-allow-origin"] == origin
        evil = await c.get("/health", headers={"Origin": "https://evil.example.com"})
        assert "access-control-allow-origin" not in evil.headers
        good = await c.get("/health", headers={"Origin": origin})
        assert good.headers["access-control-allow-origin"] == origin


async def test_options_lists_every_method_of_a_path(client: httpx.AsyncClient) -> None:
    answer = await client.options("/users")
    assert answer.headers["allow"] == "GET, OPTIONS, POST"
    assert (await client.options("/users/5")).headers["allow"] == "DELETE, GET, OPTIONS, PUT"


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await ok(await client.get("/health"))) == {"status": "ok"}
    ready = await ok(await client.get("/health/ready"))
    assert ready == {"status": "ok", "checks": {"database": "ok", "schema": "ok"}}
    assert (await client.get("http://test/health")).status_code == 200


class _DeadDatabase(FakesProvider):
    @provide
    def engine(self) -> AsyncEngine:
        from whaticket_adapters.sql.database import create_engine

        return create_engine("postgresql://postgres@127.0.0.1:9/nothing")


async def test_ready_is_503_when_the_database_does_not_answer(live: Live, tmp_path: Path) -> None:
    from api_harness import make_settings

    app = create_app(make_settings(tmp_path), overrides=[_DeadDatabase(None, live)])  # type: ignore[arg-type]
    async with running(app), client_for(app) as c:
        assert (await c.get("/health")).status_code == 200
        ready = await c.get("/health/ready")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("unavailable: ")
    assert body["checks"]["schema"] == "unknown: database unavailable"
