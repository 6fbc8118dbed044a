"""A production deployment for tests: ``whaticket serve`` and any number of ``whaticket worker`` processes on a test's
own PostgreSQL database and a Redis database of this suite, with the simulated WhatsApp.

Every process is killed when the deployment closes (SIGINT first, SIGKILL if it lingers). Workers can be SIGKILLed on
purpose and started again; ``start_worker(block_sends=...)`` runs one through ``blocking_worker.py``, whose sends stop
forever after marking a file (the test harness's fault injection, never in product code).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from redis.asyncio import Redis
from redis_databases import PIPELINE, redis_url
from served_process import free_port, whaticket_command

from whaticket_api.settings import Settings

T = TypeVar("T")

# The pipeline suite's own Redis database: SAQ queues, session leases and the simulator state use fixed key names.
REDIS_URL = redis_url(PIPELINE)
WAIT = 45.0  # bounds a hang; never a timing assertion
PASSWORD = "correct-horse-battery"
HERE = Path(__file__).parent

# Short timings so a dead worker's lease and jobs come back within seconds (production defaults: 30, 60 and 60 s).
LEASE_SECONDS = 2
TIMINGS = {
    "WHATSAPP_SESSION_LEASE_SECONDS": str(LEASE_SECONDS),
    "DELIVERY_TIMEOUT_SECONDS": "3",
    "JOB_SWEEP_SECONDS": "1",
}


async def until(check: Callable[[], Awaitable[T]], what: str, *, wait: float = WAIT, every: float = 0.1) -> T:
    """The first truthy value of ``check()``, polled; an AssertionError naming ``what`` after ``wait`` seconds."""
    deadline = time.monotonic() + wait
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(every)


@dataclass
class Deployment:
    database_url: str
    tmp: Path
    port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    redis: Redis = field(default_factory=lambda: Redis.from_url(REDIS_URL))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def namespace(self) -> str:
        """Where the deployment's Redis keys and queues live (``whaticket:<database name>``, the default)."""
        return Settings("x" * 32, "y" * 32, database_url=self.database_url).redis_namespace

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "JWT_", "WHATSAPP_"))}
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "REDIS_URL": REDIS_URL,
                "APP_ENV": "production",
                "JWT_SECRET": "pipeline-test-access-" + "a" * 40,
                "JWT_REFRESH_SECRET": "pipeline-test-refresh-" + "b" * 40,
                "WHATSAPP_TRANSPORT": "simulator",
                "DATA_DIR": str(self.tmp / "data"),
                "PORT": str(self.port),
                "LOG_LEVEL": "warning",
                "WEB_CONCURRENCY": "1",  # one server process: the tests follow one process's sockets and logs
                **TIMINGS,
                **extra,
            }
        )
        return env

    def _spawn(self, name: str, argv: list[str], **extra: str) -> subprocess.Popen[bytes]:
        assert name not in self.processes or self.processes[name].poll() is not None, f"{name} is running"
        log = (self.tmp / f"{name}.log").open("ab")
        process = subprocess.Popen(argv, cwd=self.tmp, env=self.env(**extra), stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.processes[name] = process
        return process

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None and process.returncode != -signal.SIGKILL:
                raise AssertionError(f"{name} exited ({process.returncode}):\n{self.log(name)[-4000:]}")

    async def start_serve(self) -> None:
        self._spawn("serve", [*whaticket_command(), "serve", "--host", "127.0.0.1"])

        async def up() -> bool:
            self.check_alive()
            try:
                async with httpx.AsyncClient(timeout=1) as c:
                    return (await c.get(f"{self.base}/health")).status_code == 200
            except httpx.TransportError:
                return False

        await until(up, "the server to answer")

    def start_worker(
        self, name: str, *, block_sends: Path | None = None, block_inbox: Path | None = None
    ) -> subprocess.Popen[bytes]:
        if block_inbox is not None:
            return self._spawn(
                name,
                [sys.executable, str(HERE / "blocking_inbox_worker.py"), "worker", "--concurrency", "4"],
                PIPELINE_BLOCK_INBOX_MARKER=str(block_inbox),
            )
        if block_sends is None:
            return self._spawn(name, [*whaticket_command(), "worker", "--concurrency", "4"])
        return self._spawn(
            name,
            [sys.executable, str(HERE / "blocking_worker.py"), "worker", "--concurrency", "4"],
            PIPELINE_BLOCK_SENDS_MARKER=str(block_sends),
        )

    def kill(self, name: str) -> None:
        """SIGKILL: no shutdown code runs (no lease release, no job hand-back)."""
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def pid_of(self, name: str) -> int:
        return self.processes[name].pid

    async def lease_holder(self, whatsapp_id: int) -> str | None:
        raw = await self.redis.get(f"{self.namespace}:session-lease:{whatsapp_id}")
        return raw.decode() if raw is not None else None

    async def close(self) -> None:
        running = [p for p in self.processes.values() if p.poll() is None]
        for process in running:
            process.send_signal(signal.SIGINT)
        for process in running:
            try:
                await asyncio.to_thread(process.wait, 15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        await self.redis.aclose()


def pid_in(holder: str | None) -> int | None:
    """The process id in a lease holder's id (``host:pid:nonce``)."""
    if holder is None:
        return None
    return int(holder.split(":")[-2])


class Api:
    """An httpx client on ``/api/v1`` that raises on unexpected statuses and returns the JSON body."""

    def __init__(self, base: str) -> None:
        self.http = httpx.AsyncClient(base_url=f"{base}/api/v1", timeout=15)

    async def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def get(self, path: str, **kwargs: Any) -> Any:
        return await self.call("GET", path, **kwargs)

    async def post(self, path: str, expect: int = 200, **kwargs: Any) -> Any:
        return await self.call("POST", path, expect, **kwargs)

    def as_user(self, token: str) -> None:
        self.http.headers["Authorization"] = f"Bearer {token}"

    async def outbox(self, whatsapp_id: int, kind: str = "text") -> list[dict[str, Any]]:
        items = (await self.get("/dev/simulator/outbox", params={"whatsappId": whatsapp_id}))["items"]
        return [i for i in items if i["kind"] == kind]

    async def close(self) -> None:
        await self.http.aclose()


async def register_admin(api: Api) -> Any:
    """The first account (an admin); ``api`` acts as it from now on. Returns the login answer."""
    admin = await api.post("/auth/register", 201, json={"name": "A", "email": "a@example.com", "password": PASSWORD})
    api.as_user(admin["accessToken"])
    return admin


async def connected_whatsapp(api: Api, deployment: Deployment, **fields: Any) -> int:
    """A new connection, its session started and its QR scanned: ``CONNECTED``."""
    wid = int((await api.post("/whatsapps", 201, json={"name": "Main", **fields}))["id"])
    await api.post(f"/whatsapps/{wid}/session")

    async def has_qr() -> bool:
        return (await api.http.get(f"/whatsapps/{wid}/qrcode")).status_code == 200

    await until(has_qr, "a QR code")
    await api.post(f"/dev/simulator/whatsapps/{wid}/scan", 202)

    async def connected() -> bool:
        return bool((await api.get(f"/whatsapps/{wid}"))["status"] == "CONNECTED")

    await until(connected, "CONNECTED")
    return wid
