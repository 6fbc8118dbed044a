"""The agent's hot reads over HTTP, ``whaticket serve`` against the plain baseline (``plain_baseline.py``), A/B/A/B.

    .venv/bin/python benchmarks/ab_hot_reads.py [--small] [--duration 8] [--connections 20] [--whaticket-src DIR]

Creates a scratch database ``whaticket_bench_<random>`` seeded by ``seed_volume.py`` (50k tickets / 500k messages;
``--small``: 5k / 50k), gives the agent (role ``user``, 2 queues) who sees the most open tickets a password, and
starts on 127.0.0.1 ``whaticket serve`` (one process, ``APP_ENV=production``, simulated WhatsApp, no Redis) and the
baseline (one uvicorn process). For each read:

- ``tickets``: ``GET /api/v1/tickets?status=open&limit=40``;
- ``counts``: ``GET /api/v1/tickets/counts``;
- ``messages``: ``GET /api/v1/messages?ticketId=<first ticket of that list>&limit=20``;
- ``contacts``: ``GET /api/v1/contacts?limit=20``;

it first checks that both answer the same bytes, then counts the statements each sends to PostgreSQL per request
(through ``pg_statement_counter.py``, on servers of their own, 50 requests one after another), then runs the load
four times after ``--warmup`` seconds of uncounted load on each (default 3), whaticket / baseline / whaticket /
baseline, ``--duration`` seconds each, with ``wrk -t2 -c<connections>``
(or, without wrk, an asyncio httpx client with the same connection count), and prints req/s, p99, each side's mean
and the ratio whaticket / baseline. The load average is printed before and after: the machine is shared.
``--whaticket-src`` runs whaticket from another checkout's ``src`` folder (to measure the code before a change).
Everything started is stopped, the database dropped and the Redis keys of the servers deleted, at the end (also on
SIGINT/SIGTERM).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from bench_support import DEFAULT_SERVER, FULL, SMALL, percentile, run_cancellable, scratch_database, stop_process_group
from http_ticket_list import PASSWORD, _agent_with_password, _cpu_seconds, _free_port
from pg_statement_counter import StatementCounter
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent
JWT_SECRET = "bench-access-secret-" + "a" * 40
JWT_REFRESH_SECRET = "bench-refresh-secret-" + "b" * 40
COUNTED_REQUESTS = 50


@dataclass(frozen=True, slots=True)
class Run:
    rps: float
    p99_ms: float
    server_cpu_ms: float


@dataclass
class Server:
    name: str
    base: str
    process: asyncio.subprocess.Process


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (the worker processes of `serve --workers N`), in MB."""
    pids = [pid]
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            pids += [int(c) for c in (task / "children").read_text().split()]
    total = 0
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _plain_dsn(url: str, port: int | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if port is not None:
        parsed = parsed.set(host="127.0.0.1", port=port)
    return parsed.render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def _process(name: str, command: list[str], env: dict[str, str], cwd: Path, port: int) -> AsyncIterator[Server]:
    log_path = cwd / f"{name}.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=cwd, env=env, stdout=log, stderr=asyncio.subprocess.STDOUT, start_new_session=True
        )
    server = Server(name, f"http://127.0.0.1:{port}", process)
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            deadline = time.monotonic() + 60
            while True:
                if process.returncode is not None:
                    raise SystemExit(f"{name} exited: {log_path.read_text()[-2000:]}")
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get(f"{server.base}/api/v1/contacts")).status_code in (200, 401):
                        break
                if time.monotonic() > deadline:
                    raise SystemExit(f"{name} not ready after 60 s: {log_path.read_text()[-2000:]}")
                await asyncio.sleep(0.2)
        yield server
    finally:
        await stop_process_group(process)


def _base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "JWT_", "WEB_"))}


def _whaticket(
    dsn: str, workdir: Path, whaticket_src: str | None, port: int, processes: int = 1, redis_url: str | None = None
) -> tuple[list[str], dict[str, str]]:
    env = _base_env()
    env.update(
        DATABASE_URL=dsn,
        APP_ENV="production",
        JWT_SECRET=JWT_SECRET,
        JWT_REFRESH_SECRET=JWT_REFRESH_SECRET,
        WHATSAPP_TRANSPORT="simulator",
        DATA_DIR=str(workdir / "data"),
        LOG_LEVEL="warning",
        WEB_CONCURRENCY=str(processes),
    )
    if redis_url:
        env.update(REDIS_URL=redis_url, REDIS_KEY_PREFIX=f"whaticket-bench-{os.getpid()}-{port}")
    if whaticket_src:
        env["PYTHONPATH"] = whaticket_src
    command = [sys.executable, "-c", "from whaticket_api.cli import main; main()", "serve"]
    return [*command, "--host", "127.0.0.1", "--port", str(port)], env


@contextlib.asynccontextmanager
async def _servers(
    dsn: str, plain_dsn: str, workdir: Path, whaticket_src: str | None
) -> AsyncIterator[tuple[Server, Server]]:
    plain = dict(_base_env(), DATABASE_URL=plain_dsn, JWT_SECRET=JWT_SECRET, PYTHONPATH=str(HERE))
    our_port, plain_port = _free_port(), _free_port()
    whaticket, ours = _whaticket(dsn, workdir, whaticket_src, our_port)
    baseline = [sys.executable, "-m", "uvicorn", "plain_baseline:app_from_env", "--factory", "--host", "127.0.0.1"]
    baseline += ["--port", str(plain_port), "--log-level", "warning", "--no-access-log"]
    async with (
        _process("whaticket", whaticket, ours, workdir, our_port) as a,
        _process("baseline", baseline, plain, workdir, plain_port) as b,
    ):
        yield a, b


async def _wrk(url: str, token: str, duration: int, connections: int) -> tuple[float, float]:
    process = await asyncio.create_subprocess_exec(
        "wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H", f"Authorization: Bearer {token}", url,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out = (await process.communicate())[0].decode()
    if "Non-2xx" in out:
        raise SystemExit(f"{url}: some answers were not 2xx:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rps, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


async def _httpx_load(url: str, token: str, duration: int, connections: int) -> tuple[float, float]:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    latencies: list[float] = []
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        stop = time.monotonic() + duration

        async def worker() -> None:
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                response = await client.get(url, headers=headers)
                latencies.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: {response.status_code}")

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        wall = time.perf_counter() - started
    return len(latencies) / wall, percentile(sorted(latencies), 99)


async def _warm_up(servers: tuple[Server, ...], path: str, token: str, args: argparse.Namespace) -> None:
    """Load each server for ``--warmup`` seconds, not counted: the first run otherwise pays the pool's growth and the
    first preparation of each statement on every connection, and A/B/A/B always starts with whaticket."""
    load = _wrk if shutil.which("wrk") else _httpx_load
    for server in servers:
        if args.warmup > 0:
            await load(server.base + path, token, args.warmup, args.connections)


async def _load_run(server: Server, path: str, token: str, args: argparse.Namespace) -> Run:
    cpu = _cpu_seconds(server.process.pid)
    load = _wrk if shutil.which("wrk") else _httpx_load
    rps, p99 = await load(server.base + path, token, args.duration, args.connections)
    cpu = _cpu_seconds(server.process.pid) - cpu
    return Run(rps, p99, cpu * 1000 / max(1.0, rps * args.duration))


async def _login(base: str, email: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        response.raise_for_status()
        return str(response.json()["accessToken"])


async def _paths(base: str, token: str) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        page = (await client.get("/api/v1/tickets?status=open&limit=40", headers=_auth(token))).json()
    assert len(page["items"]) == 40, "the agent's open list must fill a page of 40"
    return {
        "tickets": "/api/v1/tickets?status=open&limit=40",
        "counts": "/api/v1/tickets/counts",
        "messages": f"/api/v1/messages?ticketId={page['items'][0]['id']}&limit=20",
        "contacts": "/api/v1/contacts?limit=20",
    }


def _auth(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def _same_bytes(a: Server, b: Server, paths: dict[str, str], token: str) -> dict[str, int]:
    sizes: dict[str, int] = {}
    async with httpx.AsyncClient(timeout=30) as client:
        for name, path in paths.items():
            ours = await client.get(a.base + path, headers=_auth(token))
            plain = await client.get(b.base + path, headers=_auth(token))
            if ours.status_code != 200 or ours.content != plain.content:
                differ = f"whaticket: {ours.text[:600]}\nbaseline:  {plain.text[:600]}"
                raise SystemExit(f"{name}: the answers differ\n{differ}")
            sizes[name] = len(ours.content)
    return sizes


async def _statements(url: str, email: str, paths: dict[str, str], workdir: Path, src: str | None) -> dict[str, str]:
    """Statements (and preparations) per request of each read, on servers of their own behind the counting relay."""
    target = make_url(url)
    counters = [StatementCounter(target.host or "127.0.0.1", target.port or 5432) for _ in range(2)]
    ports = [await c.start() for c in counters]
    figures: dict[str, str] = {}
    try:
        async with _servers(_plain_dsn(url, ports[0]), _plain_dsn(url, ports[1]), workdir, src) as (a, b):
            token = await _login(a.base, email)
            async with httpx.AsyncClient(timeout=30) as client:
                for name, path in paths.items():
                    row = []
                    for server, counter in ((a, counters[0]), (b, counters[1])):
                        for _ in range(5):  # warm: connections open, statements prepared
                            await client.get(server.base + path, headers=_auth(token))
                        before = (counter.statements, counter.prepared)
                        for _ in range(COUNTED_REQUESTS):
                            await client.get(server.base + path, headers=_auth(token))
                        sent, prepared = counter.statements - before[0], counter.prepared - before[1]
                        row.append(f"{sent / COUNTED_REQUESTS:.2f} (+{prepared / COUNTED_REQUESTS:.2f} prepared)")
                    figures[name] = " vs ".join(row)
    finally:
        for counter in counters:
            await counter.stop()
    return figures


async def _forget_keys(redis_url: str, prefixes: list[str]) -> None:
    client = Redis.from_url(redis_url)
    try:
        for prefix in prefixes:
            keys = [key async for key in client.scan_iter(match=f"{prefix}:*")]
            if keys:
                await client.delete(*keys)
    finally:
        await client.aclose()


async def _processes(url: str, workdir: Path, args: argparse.Namespace, email: str, path: str) -> None:
    """The ticket list from `serve` with one process and with two (Socket.IO through Redis), A/B/A/B."""
    servers = []
    prefixes = []
    async with contextlib.AsyncExitStack() as stack:
        # Runs last: the keys the servers wrote (login rate limits, presence) go with them.
        stack.push_async_callback(_forget_keys, args.redis_url, prefixes)
        for processes in (1, 2):
            port = _free_port()
            command, env = _whaticket(_plain_dsn(url), workdir, args.whaticket_src, port, processes, args.redis_url)
            prefixes.append(env["REDIS_KEY_PREFIX"])
            servers.append(
                await stack.enter_async_context(_process(f"serve-{processes}p", command, env, workdir, port))
            )
        token = await _login(servers[0].base, email)
        await _warm_up(tuple(servers), path, token, args)
        runs = [await _load_run(server, path, token, args) for _ in range(2) for server in servers]
        one, two = sum(r.rps for r in runs[0::2]) / 2, sum(r.rps for r in runs[1::2]) / 2
        cells = " ".join(f"{r.rps:.0f} ({r.p99_ms:.1f})" for r in runs)
        print(f"\nticket list, 1 process / 2 processes, A/B/A/B req/s (p99 ms): {cells}")
        print(f"  1 process {one:.0f} req/s, 2 processes {two:.0f} req/s: {two / one:.2f}x")
        print(f"  RSS after the load: {' / '.join(f'{_rss_mb(s.process.pid):.0f} MB' for s in servers)}")


async def run(args: argparse.Namespace) -> None:
    tickets_n, messages_n = SMALL if args.small else FULL
    print(f"load average before: {_load()}")
    started = time.perf_counter()
    async with scratch_database(args.server_url, tickets_n, messages_n) as url:
        email = await _agent_with_password(url)
        with tempfile.TemporaryDirectory(prefix="whaticket_ab_") as tmp:
            workdir = Path(tmp)
            dsn = _plain_dsn(url)
            async with _servers(dsn, dsn, workdir, args.whaticket_src) as (ours, plain):
                token = await _login(ours.base, email)
                paths = await _paths(ours.base, token)
                sizes = await _same_bytes(ours, plain, paths, token)
                print(f"{tickets_n:,} tickets / {messages_n:,} messages; answers identical: {sizes} bytes")
                tool = "wrk -t2" if shutil.which("wrk") else "httpx"
                runs_text = f"{args.duration} s per run after {args.warmup} s of warm-up, A/B/A/B"
                print(f"load: {tool} -c{args.connections}, {runs_text}\n")
                print(f"{'read':9} {'runs req/s (p99 ms)':64} {'A req/s':>8} {'B req/s':>8} {'A/B':>5}")
                for name, path in paths.items():
                    await _warm_up((ours, plain), path, token, args)
                    runs = [await _load_run(server, path, token, args) for _ in range(2) for server in (ours, plain)]
                    a = sum(r.rps for r in runs[0::2]) / 2
                    b = sum(r.rps for r in runs[1::2]) / 2
                    cells = " ".join(f"{r.rps:.0f} ({r.p99_ms:.1f})" for r in runs)
                    print(f"{name:9} {cells:64} {a:8.0f} {b:8.0f} {a / b:5.2f}")
                    cpu = " / ".join(f"{r.server_cpu_ms:.2f}" for r in runs)
                    print(f"{'':9} server cpu ms per request A/B/A/B: {cpu}")
                print(
                    f"\nRSS after the load: whaticket {_rss_mb(ours.process.pid):.0f} MB, baseline "
                    f"{_rss_mb(plain.process.pid):.0f} MB"
                )
            print(f"load average after the load: {_load()}")
            if args.redis_url:
                await _processes(url, workdir, args, email, paths["tickets"])
            if not args.no_statements:
                print("\nstatements sent to PostgreSQL per request, whaticket vs baseline:")
                for name, text in (await _statements(url, email, paths, workdir, args.whaticket_src)).items():
                    print(f"  {name:9} {text}")
    print(f"\ntotal {time.perf_counter() - started:.0f}s; servers stopped, scratch database dropped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-url", default=DEFAULT_SERVER, help="any database on the PostgreSQL server")
    parser.add_argument("--small", action="store_true", help=f"seed {SMALL[0]:,} tickets / {SMALL[1]:,} messages")
    parser.add_argument("--duration", type=int, default=8, help="seconds per run (4 runs per read)")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of uncounted load per server and read")
    parser.add_argument("--whaticket-src", default=None, help="run whaticket from this src folder (PYTHONPATH)")
    parser.add_argument("--redis-url", default=None, help="also compare `serve` with 1 and 2 processes (needs Redis)")
    parser.add_argument("--no-statements", action="store_true", help="skip counting statements per request")
    run_cancellable(run(parser.parse_args()))


if __name__ == "__main__":
    main()
