"""Finding 11: two deployments sharing a Redis server on different database numbers shared Socket.IO traffic
(pub/sub ignores the number): one's admin received the other's message bodies, and one's logout-all dropped the
other's user 1. Each deployment now has its own namespace, derived from its database unless REDIS_KEY_PREFIX says."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from realtime_support import serve
from redis_databases import PIPELINE, SHARED, redis_url

from whaticket_api.serve import prepare
from whaticket_api.server import build_server
from whaticket_api.settings import Settings

PASSWORD = "correct-horse-battery"


@dataclass
class Deployment:
    url: str
    http: httpx.AsyncClient
    admin: str
    agent: str
    agent_id: int


async def _deployment(stack: list[object], redis_db: int) -> Deployment:
    data_dir = Path(tempfile.mkdtemp(prefix="whaticket-deployment-"))
    stack.append(data_dir)
    settings = Settings(
        jwt_secret=secrets.token_urlsafe(32),
        jwt_refresh_secret=secrets.token_urlsafe(32),
        data_dir=data_dir,
        redis_url=redis_url(redis_db),
        auth_rate_limit_per_minute=10_000,
    )
    await asyncio.to_thread(prepare, settings)
    server, task, url = await serve(build_server(settings))
    stack.append((server, task))
    http = httpx.AsyncClient(base_url=f"{url}/api/v1", timeout=30)
    stack.append(http)
    admin = (
        await http.post("/auth/register", json={"name": "Admin", "email": "admin@example.com", "password": PASSWORD})
    ).json()["accessToken"]
    body = {"name": "Agent", "email": "agent@example.com", "password": PASSWORD, "role": "user"}
    agent_id = (await http.post("/users", json=body, headers={"Authorization": f"Bearer {admin}"})).json()["id"]
    login = await http.post("/auth/login", json={"email": "agent@example.com", "password": PASSWORD})
    return Deployment(url, http, admin, login.json()["accessToken"], agent_id)


@pytest.fixture
async def two_deployments() -> AsyncIterator[tuple[Deployment, Deployment]]:
    try:
        async with aioredis.from_url(redis_url(SHARED)) as r:
            await r.ping()
    except Exception as exc:
        pytest.skip(f"Redis is not reachable: {exc}")
    stack: list[object] = []
    try:
        yield await _deployment(stack, SHARED), await _deployment(stack, PIPELINE)
    finally:
        for item in reversed(stack):
            if isinstance(item, httpx.AsyncClient):
                await item.aclose()
            elif isinstance(item, tuple):
                item[0].should_exit = True
                await item[1]
            elif isinstance(item, Path):
                shutil.rmtree(item, ignore_errors=True)


async def test_one_deployments_logout_all_never_reaches_the_others_sockets(two_deployments, clients) -> None:
    ours, theirs = two_deployments
    their_admin = await clients(theirs.url, theirs.admin)  # user 1 there, like our admin here
    their_agent = await clients(theirs.url, theirs.agent)

    await ours.http.post("/auth/logout-all", headers={"Authorization": f"Bearer {ours.admin}"})
    # A barrier on their own channel: once their agent is dropped, anything sent before on a shared channel would
    # have been handled too.
    await theirs.http.post("/auth/logout-all", headers={"Authorization": f"Bearer {theirs.agent}"})
    async with asyncio.timeout(10):
        await their_agent.disconnected.wait()

    assert their_admin.client.connected


def test_the_namespace_follows_the_database_unless_configured(tmp_path: Path) -> None:
    def settings(**changes: object) -> Settings:
        return Settings(jwt_secret="a" * 32, jwt_refresh_secret="b" * 32, data_dir=tmp_path, **changes)  # type: ignore[arg-type]

    one = settings(database_url="postgresql://u@db/helpdesk_one").redis_namespace
    two = settings(database_url="postgresql://u@db/helpdesk_two").redis_namespace
    assert (one, two) == ("whaticket:helpdesk_one", "whaticket:helpdesk_two")
    assert settings().redis_namespace != Settings("a" * 32, "b" * 32, data_dir=tmp_path / "x").redis_namespace
    assert settings(redis_key_prefix="acme").redis_namespace == "acme"
