"""Access tokens that must not work: expired, forged, unsigned, of the wrong kind, revoked."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from api_harness import JWT_REFRESH_SECRET, JWT_SECRET
from api_world import World, bearer, ok

from whaticket_adapters.security import JwtTokenCodec
from whaticket_core.domain.auth import AccessClaims
from whaticket_core.testing import ManualClock


def _b64(obj: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")


async def _status(world: World, token: str) -> tuple[int, str]:
    response = await world.client.get("/auth/me", headers=bearer(token))
    return response.status_code, response.json()["code"] if response.status_code != 200 else ""


async def test_a_valid_token_works_as_the_baseline(world: World) -> None:
    assert await _status(world, world.agent.access) == (200, "")


async def test_expired_access_token(world: World) -> None:
    past = ManualClock(datetime.now(UTC) - timedelta(hours=1))
    codec = JwtTokenCodec(JWT_SECRET, JWT_REFRESH_SECRET, past)
    token = codec.encode_access(AccessClaims(world.agent.id, 0, past.now() + timedelta(minutes=15)))
    assert await _status(world, token) == (401, "invalid_token")


async def test_bad_signature(world: World) -> None:
    header, payload, _ = world.agent.access.split(".")
    forged = jwt.encode(jwt.decode(world.agent.access, options={"verify_signature": False}), "x" * 64, "HS256")
    assert await _status(world, forged) == (401, "invalid_token")
    assert await _status(world, f"{header}.{payload}.AAAA") == (401, "invalid_token")


async def test_alg_none(world: World) -> None:
    claims = jwt.decode(world.agent.access, options={"verify_signature": False})
    claims["sub"] = str(world.admin.id)  # the point of an unsigned token: claim to be someone else
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    assert await _status(world, unsigned) == (401, "invalid_token")


async def test_refresh_token_used_as_access_token(world: World) -> None:
    assert await _status(world, world.agent.refresh) == (401, "invalid_token")


async def test_tokens_after_logout_all(world: World) -> None:
    await ok(await world.client.post("/auth/logout-all", headers=world.agent.headers), 204)
    assert await _status(world, world.agent.access) == (401, "invalid_token")
    refreshed = await world.client.post("/auth/refresh", json={"refreshToken": world.agent.refresh})
    assert refreshed.status_code == 401


async def test_reuse_of_a_rotated_refresh_token(world: World) -> None:
    await ok(await world.client.post("/auth/refresh", json={"refreshToken": world.agent.refresh}))
    again = await world.client.post("/auth/refresh", json={"refreshToken": world.agent.refresh})
    assert (again.status_code, again.json()["code"]) == (401, "refresh_token_reused")


async def test_deleted_user_token(world: World) -> None:
    await ok(await world.client.delete(f"/users/{world.other_agent.id}", headers=world.admin.headers), 204)
    assert await _status(world, world.other_agent.access) == (401, "invalid_token")


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", "Basic abc", "Token abc", "bearer not-a-jwt"])
async def test_missing_or_malformed_authorization(world: World, header: str) -> None:
    response = await world.client.get("/tickets", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["code"] in ("unauthorized", "invalid_token")
