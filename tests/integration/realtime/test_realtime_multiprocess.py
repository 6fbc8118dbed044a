"""Two server processes sharing Redis: events caused through one reach sockets held by the other."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from realtime_harness import World
from realtime_support import about_ticket, free_port
from redis_databases import SHARED, redis_url

from whaticket_api.realtime import write_only_publisher
from whaticket_core.domain.events import UserSessionsRevoked, WhatsAppStatusChanged
from whaticket_core.domain.whatsapp import ConnectionStatus

REDIS_URL = redis_url(SHARED)
HERE = Path(__file__).parent


@dataclass
class Cluster:
    a: str
    b: str
    channel: str
    world: World  # same seed as the servers': same ids, tokens valid on both


async def _wait_ready(url: str, proc: asyncio.subprocess.Process) -> None:
    async with httpx.AsyncClient() as http, asyncio.timeout(30):
        while True:
            if proc.returncode is not None:
                raise RuntimeError(f"server {url} exited with {proc.returncode}")
            try:
                if (await http.get(f"{url}/harness/health")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
async def servers() -> AsyncIterator[tuple[str, str, str]]:
    """Two server processes for the whole module (starting them costs seconds); state is reset per test."""
    try:
        async with aioredis.from_url(REDIS_URL) as r:
            await r.ping()
    except Exception as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    channel = f"whaticket-test-{uuid.uuid4().hex}"
    env = {**os.environ, "HARNESS_REDIS_URL": REDIS_URL, "HARNESS_CHANNEL": channel}
    procs: list[asyncio.subprocess.Process] = []
    urls: list[str] = []
    try:
        for _ in range(2):
            port = free_port()
            cmd = [sys.executable, "-m", "uvicorn", "realtime_harness:app_from_env", "--factory"]
            cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
            procs.append(await asyncio.create_subprocess_exec(*cmd, cwd=HERE, env=env))
            urls.append(f"http://127.0.0.1:{port}")
        for url, proc in zip(urls, procs, strict=True):
            await _wait_ready(url, proc)
        yield urls[0], urls[1], channel
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                async with asyncio.timeout(10):
                    await proc.wait()
            except TimeoutError:
                proc.kill()
                await proc.wait()


@pytest.fixture
async def cluster(servers: tuple[str, str, str]) -> Cluster:
    a, b, channel = servers
    for url in (a, b):
        await _post(f"{url}/harness/reset")
    return Cluster(a, b, channel, await World().seed())


async def _post(url: str) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(url)
        assert response.status_code in (200, 201, 204), response.text


async def test_an_event_caused_on_a_reaches_sockets_on_b_once_and_only_allowed_ones(cluster: Cluster, clients) -> None:
    w = cluster.world
    admin = await clients(cluster.b, w.token("admin"))
    agent_a = await clients(cluster.b, w.token("agent_a"))
    agent_b = await clients(cluster.b, w.token("agent_b"))
    await admin.call("join:ticket", w.ids["ticket_a"])
    await admin.call("join:queue", w.ids["queue_a"])

    await _post(f"{cluster.a}/harness/tickets/ticket_a/accept/agent_a")
    await _post(f"{cluster.a}/harness/tickets/ticket_b/accept/agent_b")  # a barrier for everyone

    for rec in (admin, agent_b):
        await rec.wait_for("ticket:updated", about_ticket(w.ids["ticket_b"]))
    update = await agent_a.wait_for("ticket:updated", about_ticket(w.ids["ticket_a"]))
    assert update["ticket"]["userId"] == w.ids["agent_a"]
    assert len(admin.received("ticket:updated", about_ticket(w.ids["ticket_a"]))) == 1
    assert agent_b.received("ticket:updated", about_ticket(w.ids["ticket_a"])) == []


async def test_a_ticket_room_on_b_is_pruned_when_the_ticket_moves_on_a(cluster: Cluster, clients) -> None:
    w = cluster.world
    agent_a = await clients(cluster.b, w.token("agent_a"))
    assert (await agent_a.call("join:ticket", w.ids["ticket_a"]))["ok"] is True

    await _post(f"{cluster.a}/harness/tickets/ticket_a/transfer/queue_b")
    await _post(f"{cluster.a}/harness/tickets/{w.ids['ticket_a']}/messages/admin")
    await _post(f"{cluster.a}/harness/tickets/ticket_a2/accept/agent_a")  # barrier
    await agent_a.wait_for("ticket:updated", about_ticket(w.ids["ticket_a2"]))
    assert len(agent_a.received("ticket:updated", about_ticket(w.ids["ticket_a"]))) == 1  # the move itself
    assert agent_a.received("message:created", about_ticket(w.ids["ticket_a"])) == []


async def test_logout_all_on_a_disconnects_the_users_sockets_on_b(cluster: Cluster, clients) -> None:
    w = cluster.world
    agent_a = await clients(cluster.b, w.token("agent_a"))
    agent_b = await clients(cluster.b, w.token("agent_b"))
    await _post(f"{cluster.a}/harness/users/agent_a/revoke")
    async with asyncio.timeout(10):
        await agent_a.disconnected.wait()
    assert agent_b.client.connected


async def test_a_write_only_worker_publisher_reaches_sockets_on_both_servers(cluster: Cluster, clients) -> None:
    w = cluster.world
    admin_a = await clients(cluster.a, w.token("admin"))
    admin_b = await clients(cluster.b, w.token("admin"))
    agent_b = await clients(cluster.b, w.token("agent_b"))
    worker = write_only_publisher(REDIS_URL, channel=cluster.channel)
    await worker.publish([WhatsAppStatusChanged(w.ids["whatsapp"], ConnectionStatus.QRCODE, None)])
    expected = {"whatsappId": w.ids["whatsapp"], "status": "QRCODE", "number": None}
    assert await admin_a.wait_for("whatsapp:connection") == expected
    assert await admin_b.wait_for("whatsapp:connection") == expected

    await worker.publish([UserSessionsRevoked(w.ids["agent_b"])])
    async with asyncio.timeout(10):
        await agent_b.disconnected.wait()
    assert admin_b.client.connected
