"""The agent's ticket list over HTTP, through a real ``whaticket serve``, against a reference figure for the stack.

    .venv/bin/python benchmarks/http_ticket_list.py [--requests 2000] [--concurrency 20] [--full]

Creates a scratch PostgreSQL database ``whaticket_bench_<random>``, migrates and seeds it with ``seed_volume.py``
(5k tickets / 50k messages; ``--full``: 50k / 500k), gives one agent (role ``user``, 2 queues) a password, and starts
``whaticket serve`` (one uvicorn worker; APP_ENV=development, WHATSAPP_TRANSPORT=simulator so no WhatsApp connection is
tried, no Redis, a temporary DATA_DIR) on a free port of 127.0.0.1. It logs in as the agent, then for each case sends a
warm-up and ``--requests`` requests from ``--concurrency`` keep-alive connections of one asyncio httpx client:

- ``GET /health``: the framework's floor (no auth, no database);
- ``GET /api/v1/auth/me``: the bearer check alone (token decoded, user loaded), which every API call pays;
- ``GET /api/v1/tickets?status=open&limit=40``: the read measured (40 tickets with their contacts, ~15 KB).

It prints req/s, p50/p99, the CPU time per request of the server process and of the client, the database transactions
per request (``pg_stat_database``), and the ratio against the baselines, which are reference figures measured for this
stack before the project began, not re-measured here: 3.1k req/s for the same list through an asyncpg pool with msgspec
(1 worker, no auth), 15.6k req/s for a static 1 KB msgspec JSON answer. Those were taken with wrk (C); this client is
Python on the same two cores, so it competes with the server for CPU: the server's CPU per request is the figure that
does not depend on the load generator. The server and the database are removed at the end, also on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from bench_support import DEFAULT_SERVER, FULL, SMALL, percentile, run_cancellable, scratch_database, stop_process_group
from sqlalchemy.engine import make_url

from whaticket_adapters.security import Argon2PasswordHasher

PASSWORD = "bench-password-1"  # a throwaway account in a throwaway database
LIST_PATH = "/api/v1/tickets?status=open&limit=40"
BASELINE_LIST_RPS = 3100  # reference: ticket list via an asyncpg pool + msgspec, 1 worker
BASELINE_STATIC_RPS = 15600  # reference: Litestar + uvicorn, static 1 KB msgspec JSON, 1 worker
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class Result:
    requests: int
    rps: float
    p50: float
    p99: float
    server_cpu_ms: float
    client_cpu_ms: float


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _transactions(url: str) -> int:
    """Transactions the database has counted (committed + rolled back). Backends report their counts when idle, at
    most once a second, hence the pause first."""
    await asyncio.sleep(1.5)
    conn = await asyncpg.connect(_dsn(url))
    try:
        return int(
            await conn.fetchval(
                "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
            )
        )
    finally:
        await conn.close()


async def _agent_with_password(url: str) -> str:
    """The agent with 2 queues who sees the most open tickets, given a known password; returns the email."""
    conn = await asyncpg.connect(_dsn(url))
    try:
        user_id, email = await conn.fetchrow(
            """
            SELECT u.id, u.email FROM users u
            WHERE u.role = 'user' AND (SELECT count(*) FROM user_queues q WHERE q.user_id = u.id) = 2
            ORDER BY (
                SELECT count(*) FROM tickets t WHERE t.status = 'open'
                AND (t.user_id = u.id OR t.queue_id IN (SELECT queue_id FROM user_queues q WHERE q.user_id = u.id))
            ) DESC, u.id
            LIMIT 1
            """
        )
        await conn.execute(
            "UPDATE users SET password_hash = $1 WHERE id = $2", Argon2PasswordHasher().hash(PASSWORD), user_id
        )
        return str(email)
    finally:
        await conn.close()


@contextlib.asynccontextmanager
async def _server(url: str, port: int, workdir: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """``whaticket serve`` as a child process in its own process group; stopped (then killed) on the way out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "JWT_", "WHATSAPP_"))}
    env.update(
        DATABASE_URL=url,
        APP_ENV="development",
        WHATSAPP_TRANSPORT="simulator",
        DATA_DIR=str(workdir / "data"),
        LOG_LEVEL="warning",
    )
    whaticket = Path(sys.executable).with_name("whaticket")
    command = (
        [str(whaticket)] if whaticket.exists() else [sys.executable, "-c", "from whaticket_api.cli import main; main()"]
    )
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        # cwd: the temporary folder, so no .env of the repository is read
        process = await asyncio.create_subprocess_exec(
            *command,
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        await stop_process_group(process)
        if process.returncode not in (0, -signal.SIGTERM):
            print(f"server exited with {process.returncode}; its log:\n{log_path.read_text()[-3000:]}")


async def _wait_ready(client: httpx.AsyncClient, process: asyncio.subprocess.Process, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise SystemExit(f"whaticket serve exited with {process.returncode} before it was ready")
        with contextlib.suppress(httpx.TransportError):
            if (await client.get("/health")).status_code == 200:
                return
        await asyncio.sleep(0.2)
    raise SystemExit(f"whaticket serve was not ready after {timeout_s:.0f}s")


async def _drive(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], total: int, concurrency: int, server_pid: int
) -> Result:
    latencies: list[float] = []
    failures: list[int] = []
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            t0 = time.perf_counter()
            response = await client.get(path, headers=headers)
            latencies.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                failures.append(response.status_code)

    server_cpu, client_cpu = _cpu_seconds(server_pid), time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    server_cpu, client_cpu = _cpu_seconds(server_pid) - server_cpu, time.process_time() - client_cpu
    if failures:
        raise SystemExit(f"{path}: {len(failures)} requests failed, statuses {sorted(set(failures))}")
    ordered = sorted(latencies)
    n = len(ordered)
    return Result(
        n,
        n / wall,
        percentile(ordered, 50),
        percentile(ordered, 99),
        server_cpu * 1000 / n,
        client_cpu * 1000 / n,
    )


async def run(args: argparse.Namespace) -> None:
    tickets_n, messages_n = FULL if args.full else SMALL
    started = time.perf_counter()
    async with scratch_database(args.server_url, tickets_n, messages_n) as url:
        email = await _agent_with_password(url)
        port = _free_port()
        with tempfile.TemporaryDirectory(prefix="whaticket_bench_") as tmp:
            async with _server(url, port, Path(tmp)) as process:
                limits = httpx.Limits(max_connections=args.concurrency, max_keepalive_connections=args.concurrency)
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30) as client:
                    await _wait_ready(client, process)
                    await _bench(client, url, email, process.pid, args, tickets_n, messages_n)
    print(f"\ntotal {time.perf_counter() - started:.0f}s (seeding included); server stopped, scratch database dropped")


async def _bench(
    client: httpx.AsyncClient,
    url: str,
    email: str,
    pid: int,
    args: argparse.Namespace,
    tickets_n: int,
    messages_n: int,
) -> None:
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    login.raise_for_status()
    auth = {"authorization": f"Bearer {login.json()['accessToken']}"}
    page = (await client.get(LIST_PATH, headers=auth)).json()
    size = len((await client.get(LIST_PATH, headers=auth)).content)
    assert len(page["items"]) == 40, "the agent's open list must fill a page of 40"

    print(
        f"\nwhaticket serve (1 uvicorn worker, pid {pid}) on {tickets_n:,} tickets / {messages_n:,} messages; "
        f"agent {email}; list answer {size / 1024:.1f} KB"
    )
    print(
        f"each case: {args.warmup} warm-up requests, then {args.requests} from {args.concurrency} connections "
        f"(httpx, asyncio); load average before: {_load()}\n"
    )
    cases = [
        ("GET /health", "/health", {}, BASELINE_STATIC_RPS, "15.6k (static 1 KB JSON)"),
        ("GET /api/v1/auth/me", "/api/v1/auth/me", auth, None, ""),
        (f"GET {LIST_PATH}", LIST_PATH, auth, BASELINE_LIST_RPS, "3.1k (asyncpg+msgspec)"),
    ]
    header = (
        f"{'request':<46} {'req/s':>6} {'p50 ms':>7} {'p99 ms':>7} {'server cpu ms':>13} {'client cpu ms':>13} "
        f"{'db xacts':>8}  "
        f"{'baseline req/s':<25} {'ratio':>6}"
    )
    print(header)
    print("-" * len(header))
    for title, path, headers, baseline, baseline_title in cases:
        await _drive(client, path, headers, args.warmup, args.concurrency, pid)
        before = await _transactions(url)
        r = await _drive(client, path, headers, args.requests, args.concurrency, pid)
        xacts = (await _transactions(url) - before - 1) / r.requests  # - 1: the first count's own transaction
        ratio = f"{r.rps / baseline:.2f}x" if baseline else ""
        print(
            f"{title:<46} {r.rps:>6.0f} {r.p50:>7.2f} {r.p99:>7.2f} {r.server_cpu_ms:>13.2f} {r.client_cpu_ms:>13.2f} "
            f"{xacts:>8.2f}  {baseline_title:<25} {ratio:>6}"
        )
    print(
        "\nratio = req/s here / the reference figure for this stack (wrk -t2 -c20, 1 worker; not "
        "re-measured by this script). Per request: server cpu ms = CPU of the server process, client cpu ms = CPU of "
        "this client, db xacts = database transactions (a pool pre-ping counts as one)."
    )
    print(f"load average after: {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-url", default=DEFAULT_SERVER, help="any database on the PostgreSQL server")
    parser.add_argument("--full", action="store_true", help=f"seed {FULL[0]:,} tickets / {FULL[1]:,} messages")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=200)
    run_cancellable(run(parser.parse_args()))


if __name__ == "__main__":
    main()
