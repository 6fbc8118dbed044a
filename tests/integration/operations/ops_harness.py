"""Real ``whaticket serve``/``worker`` processes and the outages the operations suite puts them through.

- :class:`TcpGate`: a TCP relay on a port of its own in front of PostgreSQL or Redis. ``close()`` refuses new
  connections and cuts the open ones (the dependency is down, as far as the processes can tell); ``open()`` brings it
  back. The shared servers themselves are never stopped.
- :class:`Processes`: starts commands with a given environment, logs each to a file, and stops them all (SIGINT,
  then SIGKILL if one lingers).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
from redis_databases import OPERATIONS, redis_db, redis_url
from served_process import free_port, whaticket_command
from sqlalchemy.engine import make_url

T = TypeVar("T")
# The operations suite's own database of this checkout's block: it is emptied before and after each test, so no other
# suite's keys (worker heartbeats, SAQ queues, leases) ever meet its own.
REDIS_URL = redis_url(OPERATIONS)
WAIT = 60.0  # bounds a hang; never a timing assertion
PASSWORD = "correct-horse-battery"


async def until(check: Callable[[], Awaitable[T]], what: str, *, wait: float = WAIT, every: float = 0.2) -> T:
    deadline = time.monotonic() + wait
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(every)


class TcpGate:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._links):
            with contextlib.suppress(Exception):
                writer.transport.abort()
        self._links.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._links.update({writer, up_writer})

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            try:
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            except (OSError, asyncio.IncompleteReadError):
                pass
            finally:
                with contextlib.suppress(Exception):
                    dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._links.difference_update({writer, up_writer})


@dataclass
class Processes:
    tmp: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [*whaticket_command(), *argv],
            cwd=self.tmp,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        self.running[name] = process
        return process

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def json_lines(self, name: str) -> list[dict[str, Any]]:
        found = []
        for line in self.log(name).splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    found.append(json.loads(line))
        return found

    async def exit_code(self, name: str, wait: float = WAIT) -> int:
        return await asyncio.to_thread(self.running[name].wait, wait)

    def alive(self, name: str) -> bool:
        return self.running[name].poll() is None

    async def stop(self, name: str) -> None:
        process = self.running[name]
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                await asyncio.to_thread(process.wait, 15)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait, 10)

    async def stop_all(self) -> None:
        for name in list(self.running):
            await self.stop(name)


def base_env(**values: str) -> dict[str, str]:
    """The test runner's environment without any whaticket setting, plus ``values``."""
    prefixes = ("DATABASE_", "REDIS_", "JWT_", "WHATSAPP_", "APP_ENV", "PORT", "HOST", "LOG_", "DB_", "METRICS_")
    prefixes += ("WEB_",)
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env.update(values)
    return env


def production_env(database_url: str, redis_url: str | None, tmp: Path, port: int, **extra: str) -> dict[str, str]:
    values = {
        "APP_ENV": "production",
        "DATABASE_URL": database_url,
        "JWT_SECRET": "ops-test-access-secret-" + "a" * 32,
        "JWT_REFRESH_SECRET": "ops-test-refresh-secret-" + "b" * 32,
        "WHATSAPP_TRANSPORT": "simulator",
        "DATA_DIR": str(tmp / "data"),
        "PORT": str(port),
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "info",
        "STARTUP_WAIT_SECONDS": "0",
        "JOB_RETRY_DELAY_MS": "200",
        "WHATSAPP_SESSION_LEASE_SECONDS": "2",
        "JOB_SWEEP_SECONDS": "1",
        "DELIVERY_TIMEOUT_SECONDS": "3",
        # One server process (the production default is one per core): these tests watch that process's pool,
        # metrics and logs.
        "WEB_CONCURRENCY": "1",
        **extra,
    }
    if redis_url:
        values["REDIS_URL"] = redis_url
    return base_env(**values)


async def answers(base: str, path: str = "/health") -> int | None:
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            return (await client.get(f"{base}{path}")).status_code
    except httpx.TransportError:
        return None


def last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def gated_redis_url(gate: TcpGate) -> str:
    return f"redis://127.0.0.1:{gate.port}/{redis_db(OPERATIONS)}"


def gated_pg_url(database_url: str, gate: TcpGate) -> str:
    url = make_url(database_url).set(host="127.0.0.1", port=gate.port)
    return url.render_as_string(hide_password=False)
