"""The process model of ``whaticket serve``: several processes on PostgreSQL and Redis answer requests and share
Socket.IO events; a count that cannot work is refused with the configuration exit code; a served process freezes its
start-up heap."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import secrets
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis
import socketio
import uvicorn
from redis_databases import SHARED, redis_url
from served_process import free_port, serving, whaticket_command

from whaticket_adapters.sql.database import upgrade
from whaticket_api.heap import YOUNG_GENERATION_THRESHOLD
from whaticket_api.serve import prepare
from whaticket_api.server import build_server
from whaticket_api.settings import Settings

EXIT_CONFIG = 78
WAIT = 30.0  # bounds a hang; never a timing assertion
PASSWORD = "correct-horse-battery"
_OURS = ("DATABASE_", "REDIS_", "JWT_", "WHATSAPP_", "APP_ENV", "PORT", "HOST", "LOG_", "DB_", "METRICS_", "WEB_")


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OURS)}
    env.update({"DATA_DIR": str(tmp_path / "data"), "STARTUP_WAIT_SECONDS": "0", **values})
    return env


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"WEB_CONCURRENCY": "2"}, "needs DATABASE_URL on PostgreSQL and REDIS_URL"),
        ({"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/whaticket_unused"}, "needs REDIS_URL"),
    ],
)
def test_serving_with_two_workers_without_redis_stops_with_the_configuration_code(
    tmp_path: Path, values: dict[str, str], reason: str
) -> None:
    command = [*whaticket_command(), "serve", "--host", "127.0.0.1"]
    if "WEB_CONCURRENCY" not in values:
        command += ["--workers", "2"]
    done = subprocess.run(
        command, cwd=tmp_path, env=_env(tmp_path, **values), capture_output=True, text=True, timeout=WAIT
    )
    assert done.returncode == EXIT_CONFIG, done.stderr
    assert done.stderr.startswith("whaticket: --workers/WEB_CONCURRENCY 2 "), done.stderr
    assert reason in done.stderr
    assert "Traceback" not in done.stderr


async def test_a_served_process_freezes_its_start_up_heap(tmp_path: Path) -> None:
    settings = Settings(
        jwt_secret=secrets.token_urlsafe(32),
        jwt_refresh_secret=secrets.token_urlsafe(32),
        data_dir=tmp_path / "data",
        whatsapp_transport="simulator",
    )
    await asyncio.to_thread(prepare, settings)
    gc.unfreeze()
    before = gc.get_freeze_count()
    thresholds = gc.get_threshold()
    server = uvicorn.Server(
        uvicorn.Config(build_server(settings, freeze_heap=True), host="127.0.0.1", port=free_port(), lifespan="on")
    )
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(WAIT):
            while not server.started:
                if task.done():
                    task.result()
                await asyncio.sleep(0.01)
        assert before == 0
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_GENERATION_THRESHOLD, *thresholds[1:])
    finally:
        server.should_exit = True
        await task
        gc.unfreeze()  # the test process goes on collecting as usual
        gc.set_threshold(*thresholds)


@pytest.fixture
async def two_processes(empty_pg_url: str, tmp_path: Path) -> AsyncIterator[tuple[str, Path]]:
    redis = redis_url(SHARED)
    try:
        async with aioredis.from_url(redis) as r:
            await r.ping()
    except Exception as exc:
        pytest.skip(f"Redis is not reachable at {redis}: {exc}")
    await upgrade(empty_pg_url)
    env = _env(
        tmp_path,
        DATABASE_URL=empty_pg_url,
        REDIS_URL=redis,
        REDIS_KEY_PREFIX=f"whaticket-test-{uuid.uuid4().hex}",
        APP_ENV="production",  # JSON log lines, each with its process id
        JWT_SECRET="process-model-access-" + "a" * 32,
        JWT_REFRESH_SECRET="process-model-refresh-" + "b" * 32,
        WHATSAPP_TRANSPORT="simulator",
        PORT=str(free_port()),
        LOG_LEVEL="info",
        WEB_CONCURRENCY="2",
    )
    log = tmp_path / "serve.log"
    with serving(tmp_path, env, log) as base:
        yield base, log


def _pid_of(log: Path, request_id: str) -> int | None:
    for line in log.read_text().splitlines():
        if line.startswith("{") and f'"{request_id}"' in line:
            record = json.loads(line)
            if record.get("request_id") == request_id and record.get("logger") == "whaticket.http":
                return int(record["pid"])
    return None


async def _pid_answering(log: Path, request_id: str) -> int:
    """Polls the log file (nothing to wait on across processes): the request's line is written as the request
    ends, which may be just after its answer left."""
    async with asyncio.timeout(WAIT):
        while True:
            pid = _pid_of(log, request_id)
            if pid is not None:
                return pid
            await asyncio.sleep(0.05)


async def _call(base: str, method: str, path: str, token: str | None, request_id: str, body: Any = None) -> Any:
    # A connection per request: the kernel hands each new connection to whichever process accepts first.
    headers = {"X-Request-ID": request_id, **({"Authorization": f"Bearer {token}"} if token else {})}
    async with httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=WAIT) as http:
        response = await http.request(method, path, json=body, headers=headers)
    assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
    return response.json() if response.content else None


async def test_two_processes_answer_requests_and_share_socket_events(two_processes: tuple[str, Path]) -> None:
    base, log = two_processes
    account = {"name": "Admin", "email": "admin@example.com", "password": PASSWORD}
    token = (await _call(base, "POST", "/auth/register", None, "register", account))["accessToken"]
    whatsapp = await _call(base, "POST", "/whatsapps", token, "whatsapp", {"name": "main", "isDefault": True})
    contact = await _call(base, "POST", "/contacts", token, "contact", {"name": "Ana", "number": "5511988880000"})

    created: dict[int, dict[str, Any]] = {}
    arrived = asyncio.Condition()
    socket = socketio.AsyncClient(reconnection=False)

    async def on_created(data: dict[str, Any]) -> None:
        async with arrived:
            created[data["ticket"]["id"]] = data
            arrived.notify_all()

    socket.on("ticket:created", on_created)
    # WebSocket only: one connection, held by one process for the socket's whole life.
    await socket.connect(base, auth={"token": token}, transports=["websocket"], wait_timeout=WAIT)
    try:
        answered_by: dict[int, int] = {}  # ticket id -> pid of the process that created it
        for attempt in range(40):  # until both processes have answered (the kernel picks; bounded)
            body = {"contactId": contact["id"], "whatsappId": whatsapp["id"]}
            ticket = await _call(base, "POST", "/tickets", token, f"create-{attempt}", body)
            answered_by[ticket["id"]] = await _pid_answering(log, f"create-{attempt}")
            await _call(base, "DELETE", f"/tickets/{ticket['id']}", token, f"delete-{attempt}")
            if len(set(answered_by.values())) == 2:
                break
        assert len(set(answered_by.values())) == 2, f"one process answered every request: {answered_by}"
        # The socket lives in one of the two processes, so the tickets the other one created reached it through
        # Redis: every creation arrives, whichever process made it.
        async with asyncio.timeout(WAIT), arrived:
            await arrived.wait_for(lambda: set(answered_by) <= set(created))
        assert {created[t]["ticket"]["contact"]["id"] for t in answered_by} == {contact["id"]}
    finally:
        await socket.disconnect()
