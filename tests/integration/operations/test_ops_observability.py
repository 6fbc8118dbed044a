"""What an operator sees: readiness without a worker, every /metrics family moving with traffic, and JSON log lines
that carry the request id a client sent (and never a token)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio
from ops_api import Api
from ops_harness import REDIS_URL, Processes, answers, free_port, production_env, until
from prometheus_client.parser import text_string_to_metric_families

from whaticket_adapters.sql.migrate import upgrade

METRICS_TOKEN = "ops-metrics-token-" + "m" * 20
FAMILIES = (
    "whaticket_http_requests",
    "whaticket_http_request_duration_seconds",
    "whaticket_jobs",
    "whaticket_job_queue_depth",
    "whaticket_outbound_pending_messages",
    "whaticket_whatsapp_connections",
    "whaticket_inbox_events",
    "whaticket_sockets_connected",
    "whaticket_db_pool_connections",
)


async def scrape(base: str) -> dict[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]]:
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.get(f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    families: dict[str, dict[tuple[str, tuple[tuple[str, str], ...]], float]] = {}
    for family in text_string_to_metric_families(answer.text):
        samples = families.setdefault(family.name, {})
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return families


def value(families: dict[str, Any], family: str, sample: str, **labels: str) -> float:
    return float(families.get(family, {}).get((sample, tuple(sorted(labels.items()))), 0.0))


@pytest.fixture
async def redis_db() -> Any:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    yield REDIS_URL
    await client.flushdb()
    await client.aclose()


async def test_readiness_wants_a_worker_and_metrics_and_logs_follow_the_traffic(
    empty_pg_url: str, redis_db: str, procs: Processes, tmp_path: Path
) -> None:
    await upgrade(empty_pg_url)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = production_env(empty_pg_url, redis_db, tmp_path, port, METRICS_TOKEN=METRICS_TOKEN)
    procs.start("serve", ["serve"], env)

    async def answering() -> bool:
        assert procs.alive("serve"), procs.log("serve")
        return await answers(base) == 200

    await until(answering, "serve")
    async with httpx.AsyncClient(timeout=10) as client:
        # No worker in the production layout: not ready, and why.
        ready = await client.get(f"{base}/health/ready")
        assert ready.status_code == 503
        assert ready.json() == {
            "status": "unavailable",
            "checks": {
                "database": "ok",
                "schema": "ok",
                "redis": "ok",
                "workers": "none alive: start whaticket worker",
            },
        }
        assert (await client.get(f"{base}/metrics")).status_code == 401  # METRICS_TOKEN is set
    before = await scrape(base)
    for family in FAMILIES:
        assert family in before, family

    api = Api(base)
    sio = socketio.AsyncClient(reconnection=False)
    try:
        admin = await api.register_admin()
        # The connection's session is held by a worker: start one for the QR scan, then stop it again.
        procs.start("worker", ["worker", "--concurrency", "4"], env)

        async def ready_now() -> bool:
            return await answers(base, "/health/ready") == 200

        await until(ready_now, "readiness once a worker is alive")
        wid = await api.connected_whatsapp()
        ticket = await api.ticket_from(wid)
        # The connection's lifecycle is logged with its id (by the process the simulated session answered in).
        await api.call("POST", f"/dev/simulator/whatsapps/{wid}/drop", 202)

        async def reconnected() -> bool:
            return f"whatsapp {wid}: reconnected" in procs.log("serve") + procs.log("worker")

        await until(reconnected, "the dropped connection to reconnect")
        lines = procs.json_lines("serve") + procs.json_lines("worker")
        events = [line["message"] for line in lines if line["logger"] == "whaticket.connections"]
        for event in ("QR code issued", "connected", "connection dropped; reconnecting", "reconnected"):
            assert any(e.startswith(f"whatsapp {wid}: {event}") for e in events), events
        await procs.stop("worker")
        # Queued while no worker runs: pending outbound and queue depth rise.
        reply = await api.call("POST", "/messages", 201, json={"ticketId": ticket, "body": "queued"})
        waiting = await scrape(base)
        assert value(waiting, "whaticket_outbound_pending_messages", "whaticket_outbound_pending_messages") >= 1
        assert value(waiting, "whaticket_job_queue_depth", "whaticket_job_queue_depth", state="queued") >= 1
        await sio.connect(base, auth={"token": admin["accessToken"]}, transports=["websocket"])
        with_socket = await scrape(base)
        # Concurrent requests open more pooled connections than one request at a time did.
        await asyncio.gather(*(api.http.get("/tickets") for _ in range(12)))
        request_id = f"ops-{uuid.uuid4().hex}"
        traced = await api.http.get(f"/tickets/{ticket}", headers={"X-Request-ID": request_id})
        assert traced.status_code == 200
        assert traced.headers["X-Request-ID"] == request_id
        made_up = await api.http.get("/tickets", headers={"X-Request-ID": "bad id with spaces"})
        assert made_up.headers["X-Request-ID"] != "bad id with spaces"
        assert len(made_up.headers["X-Request-ID"]) >= 16

        procs.start("worker-2", ["worker", "--concurrency", "4"], env)

        async def delivered() -> bool:
            return await api.ack_of(reply["id"]) == "sent"

        await until(delivered, "the queued reply once a worker runs again")
        after = await scrape(base)
    finally:
        await sio.disconnect()
        await api.close()

    requests, latency = "whaticket_http_requests", "whaticket_http_request_duration_seconds"
    tickets = {"method": "GET", "route": "/api/v1/tickets", "status": "200"}
    assert value(after, requests, f"{requests}_total", **tickets) > value(
        before, requests, f"{requests}_total", **tickets
    )
    # Ids never become labels: the template is.
    template = "/api/v1/tickets/{ticket_id}"
    assert value(after, latency, f"{latency}_count", method="GET", route=template) >= 1
    assert not any(f"/tickets/{ticket}" in str(key) for key in after[requests])
    jobs = ("whaticket_jobs", "whaticket_jobs_total")
    assert value(after, *jobs, kind="deliver_message", outcome="succeeded") >= 1
    assert value(after, "whaticket_job_queue_depth", "whaticket_job_queue_depth", state="queued") == 0
    assert value(after, "whaticket_outbound_pending_messages", "whaticket_outbound_pending_messages") == 0
    connected = ("whaticket_whatsapp_connections", "whaticket_whatsapp_connections")
    assert value(after, *connected, status="CONNECTED") == value(before, *connected, status="CONNECTED") + 1
    sockets = ("whaticket_sockets_connected", "whaticket_sockets_connected")
    assert value(waiting, *sockets) == 0
    assert value(with_socket, *sockets) == 1
    pool = ("whaticket_db_pool_connections", "whaticket_db_pool_connections")
    assert sum(value(after, *pool, state=s) for s in ("idle", "in_use")) > sum(
        value(before, *pool, state=s) for s in ("idle", "in_use")
    )

    # The log: JSON lines; the traced request's line has its id, route, status, duration and user.
    lines = procs.json_lines("serve")
    assert lines, procs.log("serve")
    traced_lines = [line for line in lines if line.get("request_id") == request_id]
    request_line = next(line for line in traced_lines if line["logger"] == "whaticket.http")
    assert request_line["status"] == 200
    assert request_line["route"] == template
    assert request_line["user_id"] == admin["user"]["id"]
    assert request_line["duration_ms"] >= 0
    log = procs.log("serve") + procs.log("worker") + procs.log("worker-2")
    for secret in (admin["accessToken"], admin["refreshToken"], env["JWT_SECRET"], METRICS_TOKEN):
        assert secret not in log
