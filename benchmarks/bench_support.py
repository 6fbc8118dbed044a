"""What the benchmarks share: a scratch PostgreSQL database, seeded and dropped, and latency statistics.

Not a benchmark itself; ``hot_reads.py`` and ``http_ticket_list.py`` import it (run them from the repository root).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from seed_volume import seed
from sqlalchemy.engine import make_url

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
FULL = (50_000, 500_000)  # tickets, messages: seed_volume.py's realistic volume
SMALL = (5_000, 50_000)


def run_cancellable(main: Coroutine[Any, Any, None]) -> None:
    """``asyncio.run(main)``, with SIGINT and SIGTERM cancelling it, so every ``finally`` (stop the server, drop the
    database) runs even when the benchmark is interrupted or killed politely."""

    async def guarded() -> None:
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        await main

    try:
        asyncio.run(guarded())
    except asyncio.CancelledError:
        raise SystemExit("interrupted; cleaned up") from None


@asynccontextmanager
async def scratch_database(server_url: str, tickets: int, messages: int) -> AsyncIterator[str]:
    """A new database ``whaticket_bench_<random>`` on the server of ``server_url``, migrated to head and seeded by
    ``seed_volume.seed``; yields its URL and drops it on the way out, whatever happened."""
    name = f"whaticket_bench_{secrets.token_hex(4)}"
    admin = make_url(server_url).set(drivername="postgresql")
    admin_dsn = admin.render_as_string(hide_password=False)
    url = admin.set(database=name).render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        await seed(url, tickets, messages, reset=False, seed_value=7)  # migrates to head first
        yield url
    finally:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@dataclass(frozen=True, slots=True)
class Figures:
    """Latencies in milliseconds of ``n`` operations run one after another, their rate, and this process's CPU time
    per operation (steadier than wall time when other work shares the cores)."""

    n: int
    p50: float
    p99: float
    ops: float
    cpu_ms: float

    @classmethod
    def of(cls, latencies_ms: list[float], wall_s: float, cpu_s: float) -> Figures:
        ordered = sorted(latencies_ms)
        n = len(ordered)
        return cls(n, percentile(ordered, 50), percentile(ordered, 99), n / wall_s, cpu_s * 1000 / max(n, 1))


async def stop_process_group(process: asyncio.subprocess.Process, grace_s: float = 15) -> None:
    """SIGTERM to a server started in its own session (``start_new_session=True``), SIGKILL after ``grace_s``."""
    if process.returncode is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), grace_s)
    except TimeoutError:
        os.killpg(process.pid, signal.SIGKILL)
        await process.wait()


def percentile(ordered: list[float], pct: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return float("nan")
    rank = max(1, round(pct / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


async def measure(operation: Callable[[], Awaitable[Any]], *, iterations: int, warmup: int, budget_s: float) -> Figures:
    """Run ``operation`` ``warmup`` times unmeasured, then up to ``iterations`` times sequentially, stopping early once
    ``budget_s`` seconds are spent (slow baselines, e.g. deep OFFSET pages, would otherwise take minutes)."""
    for _ in range(warmup):
        await operation()
    latencies: list[float] = []
    cpu_started = time.process_time()
    started = time.perf_counter()
    deadline = started + budget_s
    for _ in range(iterations):
        t0 = time.perf_counter()
        await operation()
        t1 = time.perf_counter()
        latencies.append((t1 - t0) * 1000)
        if t1 > deadline:
            break
    return Figures.of(latencies, time.perf_counter() - started, time.process_time() - cpu_started)
