"""Production mode end to end: ``whaticket serve`` and ``whaticket worker`` as separate processes on PostgreSQL and
Redis (simulated WhatsApp). The worker takes the connection's session under its lease, jobs cross through SAQ, and
the reply a user sends over HTTP is delivered by the worker."""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis as sync_redis
from redis_databases import PRODUCTION, redis_url

from whaticket_adapters.sql.database import upgrade

PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_URL = redis_url(PRODUCTION)  # a database of its own: flushed by this suite
WAIT = 60.0  # bounds a hang; never a timing assertion
PASSWORD = "correct-horse-battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _whaticket() -> str:
    return str(Path(sys.executable).with_name("whaticket"))


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(database="postgres", **PG)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _run(coro: Any) -> None:
    asyncio.run(coro)


def _until(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.25)


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[str]:
    name = f"whaticket_prod_{uuid.uuid4().hex[:10]}"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    redis_url = REDIS_URL
    r = sync_redis.Redis.from_url(redis_url)
    r.flushdb()
    processes: list[subprocess.Popen[bytes]] = []

    # Run on a private loop in a thread-free way: this fixture is synchronous and no loop is running here.
    def in_thread(coro: Any) -> None:
        t = threading.Thread(target=_run, args=(coro,))
        t.start()
        t.join()

    in_thread(_admin(f'CREATE DATABASE "{name}"'))
    try:
        in_thread(upgrade(url))
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "JWT_"))}
        env.update(
            {
                "DATABASE_URL": url,
                "REDIS_URL": redis_url,
                "APP_ENV": "production",
                "JWT_SECRET": "prod-test-access-" + "a" * 40,
                "JWT_REFRESH_SECRET": "prod-test-refresh-" + "b" * 40,
                "WHATSAPP_TRANSPORT": "simulator",
                "DATA_DIR": str(tmp_path / "data"),
                "PORT": str(port),
                "LOG_LEVEL": "warning",
                # The webhook test's receiver listens on 127.0.0.1.
                "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
                "WEB_CONCURRENCY": "1",  # test_api_process_model.py serves with two
            }
        )
        for command, log in ((["serve", "--host", "127.0.0.1"], "serve.log"), (["worker"], "worker.log")):
            processes.append(
                subprocess.Popen(
                    [_whaticket(), *command],
                    cwd=tmp_path,
                    env=env,
                    stdout=(tmp_path / log).open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            for p, log in zip(processes, ("serve.log", "worker.log"), strict=True):
                if p.poll() is not None:
                    raise AssertionError(f"{log} exited: {(tmp_path / log).read_text()}")
            try:
                return httpx.get(f"{base}/health", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        _until(up, "the server")
        yield base
    finally:
        for p in processes:
            p.send_signal(signal.SIGINT)
        for p in processes:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        r.flushdb()
        r.close()
        in_thread(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_serve_and_worker_share_jobs_sessions_and_events(deployment: str) -> None:
    api = httpx.Client(base_url=f"{deployment}/api/v1", timeout=10)
    token = api.post("/auth/register", json={"name": "Admin", "email": "a@example.com", "password": PASSWORD}).json()[
        "accessToken"
    ]
    api.headers["Authorization"] = f"Bearer {token}"
    assert api.get("/health/ready").json()["checks"] == {
        "database": "ok",
        "schema": "ok",
        "redis": "ok",
        "workers": "ok",
    }
    wid = api.post("/whatsapps", json={"name": "Main"}).json()["id"]
    assert api.post(f"/whatsapps/{wid}/session").json()["status"] == "OPENING"
    _until(lambda: api.get(f"/whatsapps/{wid}/qrcode").status_code == 200, "a QR code")
    # The worker's SessionOwner takes the connection's lease (simulated sessions live in Redis, so the API process
    # may act on them too; a neonize session would run only in the lease holder).
    leases = sync_redis.Redis.from_url(REDIS_URL)
    # Keys are namespaced per deployment (whaticket:<database name>:...).
    [lease] = _until(
        lambda: leases.keys(f"whaticket:whaticket_prod_*:session-lease:{wid}"), "a worker to hold the lease"
    )
    holder = leases.get(lease)
    leases.close()
    assert holder.decode().count(":") >= 1
    assert api.post(f"/dev/simulator/whatsapps/{wid}/scan").status_code == 202
    _until(lambda: api.get(f"/whatsapps/{wid}").json()["status"] == "CONNECTED", "CONNECTED")

    inbound = {"whatsappId": wid, "from": "5511977771111", "name": "Rita", "body": "Hi?", "waMessageId": "P1"}
    assert api.post("/dev/simulator/inbound", json=inbound).status_code == 202
    ticket = api.get("/tickets").json()["items"][0]
    assert ticket["contact"]["name"] == "Rita"

    reply = api.post("/messages", json={"ticketId": ticket["id"], "body": "Hello Rita"}).json()
    assert reply["ack"] == "pending"
    # Delivered by the worker's job through the session it holds.
    _until(lambda: api.get(f"/messages/{reply['id']}").json()["ack"] == "sent", "the worker to deliver the reply")
    outbox = api.get("/dev/simulator/outbox", params={"whatsappId": wid}).json()["items"]
    assert [(i["kind"], i["body"]) for i in outbox if i["kind"] == "text"] == [("text", "Hello Rita")]


class _Receiver(http.server.BaseHTTPRequestHandler):
    """Records each POST (headers, body) and answers 200; ``arrived`` is set on each one."""

    got: list[tuple[dict[str, str], bytes]] = []
    arrived = threading.Event()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).got.append((dict(self.headers), body))
        self.send_response(200)
        self.end_headers()
        type(self).arrived.set()

    def log_message(self, *args: Any) -> None:
        return None


def test_webhooks_are_delivered_by_the_worker(deployment: str) -> None:
    """serve commits a change and its outbox rows and enqueues a dispatch to SAQ; the worker sends it."""
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.got, _Receiver.arrived = [], threading.Event()
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        api = httpx.Client(base_url=f"{deployment}/api/v1", timeout=10)
        account = {"name": "Admin", "email": "a@example.com", "password": PASSWORD}
        api.headers["Authorization"] = f"Bearer {api.post('/auth/register', json=account).json()['accessToken']}"
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        hook = api.post("/webhooks", json={"url": url, "events": ["ticket.created"]})
        assert hook.status_code == 201, hook.text
        api.post("/whatsapps", json={"name": "Main"})
        contact = api.post("/contacts", json={"name": "Ana", "number": "5511988886666"}).json()
        ticket = api.post("/tickets", json={"contactId": contact["id"]}).json()
        assert _Receiver.arrived.wait(WAIT), "the worker did not deliver the webhook"
        ((headers, body),) = _Receiver.got
        assert headers["Whaticket-Event"] == "ticket.created"
        assert json.loads(body)["data"]["ticket"]["id"] == ticket["id"]
        deliveries = api.get(f"/webhooks/{hook.json()['id']}/deliveries").json()["items"]
        assert _until(
            lambda: api.get(f"/webhooks/{hook.json()['id']}/deliveries").json()["items"][0]["status"] == "delivered",
            "the delivery to be recorded",
        )
        assert len(deliveries) == 1
    finally:
        receiver.shutdown()
        receiver.server_close()
