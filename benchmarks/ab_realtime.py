"""Realtime fan-out, the project's gateway vs bare python-socketio, A/B/A/B, 1,000 Node socket.io-client sockets.

    .venv/bin/python benchmarks/ab_realtime.py                      # ~90 s: ramp the bare server, then A/B/A/B
    .venv/bin/python benchmarks/ab_realtime.py --processes 2 --redis-url redis://127.0.0.1:6379   # ~40 s

One process: **B** is ``realtime_baseline.py`` (a bare ``AsyncServer``), **P** is the real gateway
(``realtime_fanout.py --serve``: ``RealtimeGateway`` and its publisher, in-process manager, deflate off as in
production). Each serves ``--sockets`` agents of one queue (one Node process connects them all), then publishes new
inbound messages: ``ticket:updated`` and ``message:created`` to the ticket's rooms, so every message is two deliveries
per socket. First the bare server is ramped (rates in messages/s, ~3 s each) to the highest rate it holds with delivery
p99 <= 150 ms and none lost; then B, P, B, P run at that rate for ``--seconds`` each, every run on a fresh server.
Printed per run: deliveries/s (delivered / time from first publish to last delivery), delay p50/p99 (arrival minus
the ticket's ``updatedAt``, stamped at publish), server CPU per delivery (user+system of the server process over the
run), server RSS; then the ratios P/B. After each run, the same sockets take a burst of ``--burst`` messages
published back to back: its deliveries/s is what the server can push, not what it was offered.

``--processes 2``: two gateway processes share Redis (python-socketio's Redis manager, a channel of its own per run;
pub/sub only, no key is written),
half the sockets on each; messages are published on the first. Runs alternate python-socketio's own order (deliver
to this process's sockets, then publish: ``--stock-order``) and the project's (publish first), and print the delays
seen on each process: what the order costs the sockets of the second one (with ``--upstream-fanout`` the stock runs
also fan out python-socketio's way, a task per socket: the code before this benchmark was written).

Load generator and servers share the machine: the figures are a floor. Load average is printed before and after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
P99_LIMIT_MS = 150.0
RAMP = [0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0]
TICKS = os.sysconf("SC_CLK_TCK")
BURST_RATE = 1000.0  # messages/s: the burst is published back to back, the servers' capacity decides


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def quantile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


@dataclass
class Server:
    proc: asyncio.subprocess.Process
    url: str

    @classmethod
    async def start(cls, kind: str, extra: list[str]) -> Server:
        port = free_port()
        if kind == "bare":
            cmd = [sys.executable, str(HERE / "realtime_baseline.py"), "--port", str(port), *extra]
        else:
            cmd = [sys.executable, str(HERE / "realtime_fanout.py"), "--serve", "--port", str(port), "--no-deflate"]
            cmd += extra
        proc = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.DEVNULL)
        server = cls(proc, f"http://127.0.0.1:{port}")
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(300):
                try:
                    await http.get(server.url + "/bench/sockets")
                    return server
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
        raise RuntimeError(f"{kind} server did not start")

    async def stats(self) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=30) as http:
            answer: dict[str, Any] = (await http.get(self.url + "/bench/sockets")).json()
            return answer

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
        await self.proc.wait()


@dataclass
class Clients:
    proc: asyncio.subprocess.Process

    @classmethod
    async def connect(cls, sockets: int, urls: list[str]) -> Clients:
        proc = await asyncio.create_subprocess_exec(
            "node",
            str(HERE / "realtime_ab_client.js"),
            str(sockets),
            *urls,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=2**26,
            cwd=HERE.parent,  # node_modules of the repository root
        )
        clients = cls(proc)
        ready = await asyncio.wait_for(clients._line(), 120)
        assert ready.get("ready") == sockets, ready
        return clients

    async def _line(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = await self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the Node client exited")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def arm(self, expect: int, timeout_ms: int) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"expect": expect, "timeoutMs": timeout_ms}).encode() + b"\n")
        await self.proc.stdin.drain()
        assert (await self._line()).get("armed") == expect

    async def delays(self) -> list[list[float]]:
        answer = await self._line()
        result: list[list[float]] = answer["delays"]
        return result

    async def close(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
        await self.proc.wait()


@dataclass
class Run:
    label: str
    rate: float
    expected: int
    delays: list[list[float]]  # per server process
    seconds: float
    cpu_s: float
    rss_mib: float
    client_cpu_s: float

    @property
    def all_delays(self) -> list[float]:
        return [d for per in self.delays for d in per]

    @property
    def delivered(self) -> int:
        return len(self.all_delays)

    @property
    def per_second(self) -> float:
        return self.delivered / self.seconds

    @property
    def p99(self) -> float:
        return quantile(self.all_delays, 99)

    @property
    def holds(self) -> bool:
        return self.delivered == self.expected and self.p99 <= P99_LIMIT_MS

    @property
    def cpu_us(self) -> float:
        return self.cpu_s / max(self.delivered, 1) * 1e6

    def line(self) -> str:
        d = self.all_delays
        return (
            f"{self.label:<10} {self.rate:>5.1f} msg/s  {self.delivered:>6}/{self.expected:<6} "
            f"{self.per_second:>8.0f} deliveries/s  p50 {quantile(d, 50):>6.1f} ms  p99 {self.p99:>6.1f} ms  "
            f"cpu {self.cpu_us:>5.1f} us/delivery (client {self.client_cpu_s / max(self.delivered, 1) * 1e6:.0f})  "
            f"rss {self.rss_mib:>4.0f} MiB"
        )


async def measure(label: str, servers: list[Server], clients: Clients, sockets: int, rate: float, n: int) -> Run:
    expected = sockets * 2 * n
    pids = [s.proc.pid for s in servers]
    await clients.arm(expected, int((n / rate + 15) * 1000))
    cpu0 = sum(cpu_seconds(p) for p in pids)
    client0 = cpu_seconds(clients.proc.pid)
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=600) as http:
        (await http.post(f"{servers[0].url}/bench/message/{n}/{rate}")).raise_for_status()
    delays = await clients.delays()
    seconds = time.perf_counter() - started
    cpu = sum(cpu_seconds(p) for p in pids) - cpu0
    client = cpu_seconds(clients.proc.pid) - client0
    rss = sum([(await s.stats())["rssKb"] for s in servers]) / 1024
    return Run(label, rate, expected, delays, seconds, cpu, rss, client)


async def session(kind: str, args: argparse.Namespace, extra: list[str], processes: int = 1) -> tuple[Any, Any]:
    """Fresh server process(es) and sockets; returns (servers, clients)."""
    servers = [await Server.start(kind, extra) for _ in range(processes)]
    clients = await Clients.connect(args.sockets, [s.url for s in servers])
    held = sum([(await s.stats())["sockets"] for s in servers])
    assert held == args.sockets, held
    return servers, clients


async def close(servers: list[Server], clients: Clients) -> None:
    await clients.close()
    for s in servers:
        await s.stop()


def check_payloads() -> None:
    """The baseline emits exactly what the gateway emits for a new message (same events, rooms, payloads)."""
    from datetime import UTC, datetime

    from realtime_baseline import ROOMS, new_message_events

    from whaticket_api.realtime.routing import deliveries_for
    from whaticket_core.domain.events import MessageCreated, TicketUpdated
    from whaticket_core.domain.message import MessageAck
    from whaticket_core.domain.read_models import ContactSummary, MessageView, TicketView
    from whaticket_core.domain.ticket import TicketStatus

    now = datetime.now(UTC)
    view = TicketView(
        1, TicketStatus.PENDING, ContactSummary(1, "bench", "5511900000000", None, False), 1, 1, None, 1, "hello",
        now, False, now, now, None,
    )  # fmt: skip
    message = MessageView(1, 1, 1, False, "hello", MessageAck.DELIVERED, None, False, None, False, False, None, now)
    events = (TicketUpdated(view), MessageCreated(message, view))
    ours = [(d.event, d.data, d.rooms) for e in events for d in deliveries_for(e)]
    bare = [(event, data, ROOMS) for event, data in new_message_events(now)]
    assert json.dumps(ours) == json.dumps(bare), "the baseline's events differ from the gateway's"


async def one_process(args: argparse.Namespace) -> None:
    check_payloads()
    rate = args.rate
    if rate is None:
        servers, clients = await session("bare", args, [])
        held_rates: list[float] = []
        try:
            print("ramp (bare python-socketio):")
            for step in RAMP:
                run = await measure("ramp bare", servers, clients, args.sockets, step, max(3, round(step * 3)))
                print("  " + run.line())
                if not run.holds:
                    break
                held_rates.append(step)
        finally:
            await close(servers, clients)
        rate = held_rates[-1] if held_rates else RAMP[0]
    limit = f"p99 <= {P99_LIMIT_MS:.0f} ms"
    if args.rate is not None:
        held = "given"
    elif held_rates:
        held = f"the highest the bare server holds with {limit}"
    else:
        held = f"the bare server held {limit} at none of the ramp's rates: its lowest"
    print(f"rate: {rate:g} messages/s ({held}); then a burst of {args.burst} messages at once on the same sockets")
    n = max(3, round(rate * args.seconds))
    runs: list[Run] = []
    for kind in ["bare", "project"] * args.rounds:
        servers, clients = await session(
            kind, args, ["--upstream-fanout"] if kind == "project" and args.upstream_fanout else []
        )
        try:
            runs.append(await measure(kind, servers, clients, args.sockets, rate, n))
            print("  " + runs[-1].line())
            runs.append(await measure(f"{kind} burst", servers, clients, args.sockets, BURST_RATE, args.burst))
            print("  " + runs[-1].line())
        finally:
            await close(servers, clients)

    def ratio(label: str, key: str) -> float:
        ours = statistics.mean(getattr(r, key) for r in runs if r.label == f"project{label}")
        bare = statistics.mean(getattr(r, key) for r in runs if r.label == f"bare{label}")
        return float(ours / bare)

    ours = [r for r in runs if r.label == "project"]
    print(
        f"project/bare at {rate:g} msg/s: deliveries/s {ratio('', 'per_second'):.2f}, "
        f"cpu per delivery {ratio('', 'cpu_us'):.2f}, p99 {ratio('', 'p99'):.2f}, rss {ratio('', 'rss_mib'):.2f}; "
        f"project holds p99 <= {P99_LIMIT_MS:.0f} ms in {sum(r.holds for r in ours)}/{len(ours)} runs"
    )
    print(
        f"project/bare in the burst: deliveries/s {ratio(' burst', 'per_second'):.2f}, "
        f"cpu per delivery {ratio(' burst', 'cpu_us'):.2f}, p99 {ratio(' burst', 'p99'):.2f}"
    )


async def two_processes(args: argparse.Namespace) -> None:
    if not args.redis_url:
        raise SystemExit("--processes 2 needs --redis-url")
    rate = args.rate or 2.0
    n = max(3, round(rate * args.seconds))
    for order in ["stock", "project"] * args.rounds:
        extra = ["--redis-url", args.redis_url, "--channel", f"bench-{secrets.token_hex(4)}"]
        if order == "stock":
            extra += ["--stock-order", *(["--upstream-fanout"] if args.upstream_fanout else [])]
        servers, clients = await session("project", args, extra, processes=2)
        try:
            run = await measure(f"{order} order", servers, clients, args.sockets, rate, n)
        finally:
            await close(servers, clients)
        first, second = run.delays
        print(
            "  " + run.line() + f"\n             publishing process p50 {quantile(first, 50):.1f} ms "
            f"p99 {quantile(first, 99):.1f} ms; second process p50 {quantile(second, 50):.1f} ms "
            f"p99 {quantile(second, 99):.1f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=None, help="messages/s (default: ramp the bare server)")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each A/B run")
    parser.add_argument("--rounds", type=int, default=2, help="A/B pairs")
    parser.add_argument("--burst", type=int, default=8, help="messages published at once after each run")
    parser.add_argument("--processes", type=int, choices=[1, 2], default=1)
    parser.add_argument("--redis-url", default=None)
    parser.add_argument(
        "--upstream-fanout",
        action="store_true",
        help="the project's server with python-socketio's own local fan-out (a task per socket): the 'before' figure",
    )
    args = parser.parse_args()
    print(f"load average before: {load()}")
    started = time.perf_counter()
    asyncio.run(two_processes(args) if args.processes == 2 else one_process(args))
    print(f"load average after: {load()} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
