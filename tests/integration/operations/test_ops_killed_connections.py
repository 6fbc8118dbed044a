"""PostgreSQL ending the server's connections in the middle of a (bounded, local) load: the requests that lost
their connection answer 503 with Retry-After, never 500; then everything answers again and every accepted message
is stored and delivered."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from ops_api import Api
from ops_harness import REDIS_URL, Processes, answers, free_port, production_env, until
from sqlalchemy.engine import make_url

from whaticket_adapters.sql.migrate import upgrade

SENDERS = 4
MESSAGES_EACH = 20
KILLS = 4


@pytest.fixture
async def redis_db() -> Any:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    yield REDIS_URL
    await client.flushdb()
    await client.aclose()


async def terminate_backends(database_url: str) -> int:
    url = make_url(database_url)
    admin = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, password=url.password, database="postgres"
    )
    try:
        query = (
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()"
        )
        return int(await admin.fetchval(query, url.database))
    finally:
        await admin.close()


async def test_killed_connections_answer_503_then_recover_and_lose_nothing(
    empty_pg_url: str, redis_db: str, procs: Processes, tmp_path: Path
) -> None:
    await upgrade(empty_pg_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = production_env(empty_pg_url, redis_db, tmp_path, port)
    procs.start("serve", ["serve"], env)
    procs.start("worker", ["worker", "--concurrency", "4"], env)

    async def ready() -> bool:
        assert procs.alive("serve"), procs.log("serve")
        return await answers(base, "/health/ready") == 200

    await until(ready, "serve and a worker")
    api = Api(base)
    try:
        await api.register_admin()
        ticket = await api.ticket_from(await api.connected_whatsapp())
        statuses: Counter[int] = Counter()
        accepted: list[int] = []
        unavailable: list[dict[str, Any]] = []

        async def sender(n: int) -> None:
            for i in range(MESSAGES_EACH):
                answer = await api.http.post("/messages", json={"ticketId": ticket, "body": f"load {n}-{i}"})
                statuses[answer.status_code] += 1
                if answer.status_code == 201:
                    accepted.append(int(answer.json()["id"]))
                elif answer.status_code == 503:
                    assert int(answer.headers["Retry-After"]) > 0
                    unavailable.append(answer.json())

        async def killer() -> None:
            for _ in range(KILLS):
                await asyncio.sleep(0.3)
                await terminate_backends(empty_pg_url)

        await asyncio.gather(*(sender(n) for n in range(SENDERS)), killer())
        assert set(statuses) <= {201, 503}, statuses
        assert statuses[503] >= 1, statuses
        assert all(body["code"] == "service_unavailable" for body in unavailable)

        # Full recovery: every request answers again, readiness is green, every accepted message is delivered.
        await until(ready, "readiness after the kills")
        assert (await api.http.get("/tickets")).status_code == 200

        async def all_sent() -> bool:
            acks = [await api.ack_of(message_id) for message_id in accepted]
            return all(ack == "sent" for ack in acks)

        await until(all_sent, "every accepted message to be delivered", wait=120, every=1.0)
        assert len(accepted) == statuses[201]  # each accepted message was read back above, stored and sent
        assert "Traceback" not in procs.log("serve")
    finally:
        await api.close()
