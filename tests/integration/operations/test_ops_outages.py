"""Running processes through outages: the database and Redis going away answer 503 ``service_unavailable`` with
Retry-After (never 500), login keeps working without Redis, workers log one line per change of state, and
everything recovers by itself when the dependency is back."""

from __future__ import annotations

from pathlib import Path

import pytest
from ops_api import Api
from ops_harness import Processes, TcpGate, answers, free_port, gated_pg_url, gated_redis_url, production_env, until

from whaticket_adapters.sql.migrate import upgrade


@pytest.fixture
async def migrated(empty_pg_url: str) -> str:
    await upgrade(empty_pg_url)
    return empty_pg_url


def records(procs: Processes, name: str, since: int = 0) -> list[dict[str, object]]:
    return procs.json_lines(name)[since:]


async def test_a_database_outage_answers_503_and_recovers(
    migrated: str, pg_gate: TcpGate, procs: Processes, tmp_path: Path
) -> None:
    port = free_port()
    procs.start("serve", ["serve"], production_env(gated_pg_url(migrated, pg_gate), None, tmp_path, port))
    base = f"http://127.0.0.1:{port}"

    async def up() -> bool:
        assert procs.alive("serve"), procs.log("serve")
        return await answers(base, "/health/ready") == 200

    await until(up, "serve")
    api = Api(base)
    try:
        await api.register_admin()
        await pg_gate.close()
        for path in ("/tickets", "/auth/me"):
            answer = await api.http.get(path)
            assert answer.status_code == 503, answer.text
            assert answer.json()["code"] == "service_unavailable"
            assert answer.json()["details"] == {"dependency": "database"}
            assert int(answer.headers["Retry-After"]) > 0
        login = await api.login()
        assert login.status_code == 503
        ready = await api.http.get(f"{base}/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"].startswith("unavailable")

        async def watch_noticed() -> bool:
            return "database unavailable (" in procs.log("serve")  # the watch's line, not a request's

        await until(watch_noticed, "the watch to log the outage")
        await pg_gate.open()
        await until(up, "readiness after the database came back")
        assert (await api.http.get("/tickets")).status_code == 200
        assert (await api.login()).status_code == 200

        async def watch_recovered() -> bool:
            return "database available again" in procs.log("serve")

        await until(watch_recovered, "the watch to log the recovery")
        log = procs.log("serve")
        assert "Traceback" not in log
        assert log.count("database unavailable (") == 1
    finally:
        await api.close()


async def test_a_redis_outage_keeps_login_working_and_the_worker_quiet_then_recovers(
    migrated: str, redis_gate: TcpGate, procs: Processes, tmp_path: Path
) -> None:
    port = free_port()
    env = production_env(migrated, gated_redis_url(redis_gate), tmp_path, port)
    procs.start("serve", ["serve"], env)
    procs.start("worker", ["worker", "--concurrency", "4"], env)
    base = f"http://127.0.0.1:{port}"

    async def ready() -> bool:
        assert procs.alive("serve"), procs.log("serve")
        assert procs.alive("worker"), procs.log("worker")
        return await answers(base, "/health/ready") == 200

    await until(ready, "serve and a live worker")
    api = Api(base)
    try:
        await api.register_admin()
        wid = await api.connected_whatsapp()
        ticket = await api.ticket_from(wid)
        worker_lines_before = len(procs.log("worker").splitlines())

        await redis_gate.close()
        answer = await api.http.get(f"{base}/health/ready")
        assert answer.status_code == 503
        checks = answer.json()["checks"]
        assert checks["redis"].startswith("unavailable")
        assert checks["workers"] == "unknown: redis unavailable"
        assert (checks["database"], checks["schema"]) == ("ok", "ok")
        # Login is rate limited through Redis: it falls back to this process's counts and keeps working.
        for _ in range(3):
            assert (await api.login()).status_code == 200
        # What needs Redis answers 503 (an Idempotency-Key is kept in Redis), never 500.
        keyed = await api.http.post(
            "/messages", json={"ticketId": ticket, "body": "keyed"}, headers={"Idempotency-Key": "k-1"}
        )
        assert keyed.status_code == 503, keyed.text
        assert keyed.json()["details"] == {"dependency": "redis"}
        assert int(keyed.headers["Retry-After"]) > 0

        async def worker_noticed() -> bool:
            return "redis unavailable (" in procs.log("worker")

        await until(worker_noticed, "the worker to log the outage")
        # Several seconds of outage (the watch's and the queue's backoff run meanwhile).
        await until(lambda: _sleep_then_true(4), "a while", wait=10)
        during = procs.log("worker").splitlines()[worker_lines_before:]
        assert "Traceback" not in "\n".join(during)
        assert sum("redis unavailable (" in line for line in during) == 1
        assert len(during) <= 5, "\n".join(during)
        assert procs.log("serve").count("rate limit: Redis unavailable") == 1

        await redis_gate.open()
        await until(ready, "readiness once Redis is back (a worker heartbeat included)")

        async def worker_recovered() -> bool:
            return "redis available again" in procs.log("worker")

        await until(worker_recovered, "the worker to log the recovery")
        reply = await api.call("POST", "/messages", 201, json={"ticketId": ticket, "body": "after the outage"})

        async def sent() -> bool:
            return await api.ack_of(reply["id"]) == "sent"

        await until(sent, "the worker to deliver after the outage")
        assert "Traceback" not in procs.log("worker")
    finally:
        await api.close()


async def _sleep_then_true(seconds: float) -> bool:
    import asyncio

    await asyncio.sleep(seconds)
    return True
