"""Socket.IO fan-out: how many sockets one server process holds, and how long a ticket event takes to reach them.

    .venv/bin/python benchmarks/realtime_fanout.py --sockets 1000 --events 20 --rate 5

Starts one uvicorn process serving the real gateway (``whaticket_api.realtime``; in-process manager, or
``--redis-url`` for the Redis manager), connects ``--sockets`` websocket clients (socket.io-client in one Node process
by default, ``--client python`` for python-socketio in this process; all agents of one queue, so every event reaches
every socket), publishes ``--events`` ``ticket:updated`` events at
``--rate`` per second through the gateway's publisher, and prints the server's RSS and the delivery delays (the
event's ``updatedAt`` is stamped when it is published; the client notes when it arrives). Load generator and server
share the machine, so the figures are a floor, not a ceiling.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

QUEUE_ID = 1
TICKET_ID = 1


def _app(redis_url: str | None, channel: str = "whaticket-socketio") -> Any:
    from litestar import Litestar, get, post
    from litestar.params import FromPath

    from whaticket_api.realtime import RealtimeGateway
    from whaticket_core.domain.events import MessageCreated, TicketUpdated
    from whaticket_core.domain.message import MessageAck
    from whaticket_core.domain.read_models import ContactSummary, MessageView, TicketView
    from whaticket_core.domain.ticket import TicketPlacement, TicketStatus
    from whaticket_core.domain.user import Role
    from whaticket_core.domain.visibility import Viewer

    async def authenticate(token: str) -> Viewer:  # "agent-<id>": no database in the way of the measurement
        return Viewer(int(token.removeprefix("agent-")), Role.USER, frozenset({QUEUE_ID}))

    async def placement(ticket_id: int) -> TicketPlacement | None:
        return TicketPlacement(TicketStatus.PENDING, QUEUE_ID, None)

    gateway = RealtimeGateway(
        authenticate=authenticate, ticket_placement=placement, redis_url=redis_url, channel=channel
    )
    publisher = gateway.publisher()

    @get("/bench/sockets")
    async def sockets() -> dict[str, int]:
        return {"sockets": gateway.local_socket_count, "rssKb": _rss_kb(os.getpid())}

    @post("/bench/publish/{n:int}/{rate:float}")
    async def publish(n: FromPath[int], rate: FromPath[float]) -> dict[str, Any]:
        contact = ContactSummary(1, "bench", "5511900000000", None, False)
        took: list[float] = []
        for _ in range(n):
            now = datetime.now(UTC)
            view = TicketView(
                TICKET_ID, TicketStatus.PENDING, contact, 1, QUEUE_ID, None, 1, "x", now, False, now, now, None
            )
            started = time.perf_counter()
            await publisher.publish([TicketUpdated(view)])
            took.append((time.perf_counter() - started) * 1000)
            await asyncio.sleep(1 / rate)
        return {"published": n, "publishMs": took}

    @post("/bench/message/{n:int}/{rate:float}")
    async def new_message(n: FromPath[int], rate: FromPath[float]) -> dict[str, Any]:
        """What a new inbound message on an agent's ticket publishes (ticket:updated, message:created)."""
        from realtime_baseline import paced

        contact = ContactSummary(1, "bench", "5511900000000", None, False)

        async def one() -> None:
            now = datetime.now(UTC)
            view = TicketView(
                TICKET_ID, TicketStatus.PENDING, contact, 1, QUEUE_ID, None, 1, "hello", now, False, now, now, None
            )
            message = MessageView(
                1, TICKET_ID, 1, False, "hello", MessageAck.DELIVERED, None, False, None, False, False, None, now
            )
            await publisher.publish([TicketUpdated(view), MessageCreated(message, view)])

        return {"published": n, "publishMs": await paced(n, rate, one)}

    return gateway.asgi_app(Litestar([sockets, publish, new_message]))


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def serve(
    port: int, redis_url: str | None, deflate: bool, channel: str, stock_order: bool, upstream_fanout: bool
) -> None:
    import socketio
    import uvicorn
    from socketio.async_pubsub_manager import AsyncPubSubManager

    from whaticket_api.realtime.fanout import DirectFanOut
    from whaticket_api.realtime.managers import RedisClientManager

    # The "before" figures of benchmarks/README.md: python-socketio's own ways, put back for the measurement.
    if stock_order:  # this process's sockets first, then the other processes
        RedisClientManager.emit = AsyncPubSubManager.emit
    if upstream_fanout:  # one task per recipient socket
        DirectFanOut.emit = socketio.AsyncManager.emit
    from whaticket_api.heap import freeze_startup_heap

    app = _app(redis_url, channel)
    app.other_asgi_app.on_startup.append(freeze_startup_heap)  # as ``whaticket serve`` does once started
    profile = os.environ.get("BENCH_PROFILE")  # a file: the server runs under cProfile and writes its stats there
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        app.other_asgi_app.on_shutdown.append(lambda: profiler.dump_stats(profile))
        profiler.enable()
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        backlog=4096,
        ws_per_message_deflate=deflate,
    )


async def _python_clients(url: str, args: argparse.Namespace, expected: int) -> tuple[Any, Any]:
    """Connect python-socketio clients; returns (wait_for_deliveries, close)."""
    import socketio

    delays: list[float] = []
    all_in = asyncio.Event()
    clients: list[socketio.AsyncClient] = []

    def on_update(data: dict[str, Any]) -> None:
        sent = datetime.fromisoformat(data["ticket"]["updatedAt"].replace("Z", "+00:00"))
        delays.append((datetime.now(UTC) - sent).total_seconds() * 1000)
        if len(delays) >= expected:
            all_in.set()

    semaphore = asyncio.Semaphore(50)

    async def connect(i: int) -> None:
        client = socketio.AsyncClient(reconnection=False)
        client.on("ticket:updated", on_update)
        async with semaphore:
            await client.connect(url, auth={"token": f"agent-{i + 1}"}, transports=["websocket"])
        clients.append(client)

    await asyncio.gather(*(connect(i) for i in range(args.sockets)))

    async def deliveries() -> list[float]:
        with contextlib.suppress(TimeoutError):  # missing deliveries are reported
            await asyncio.wait_for(all_in.wait(), 60)
        return delays

    async def close() -> None:
        await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)

    return deliveries, close


async def _node_clients(url: str, args: argparse.Namespace, expected: int) -> tuple[Any, Any]:
    script = Path(__file__).with_name("realtime_fanout_client.js")
    proc = await asyncio.create_subprocess_exec(
        "node", str(script), url, str(args.sockets), str(expected), stdout=asyncio.subprocess.PIPE, limit=2**26
    )
    assert proc.stdout is not None
    ready = json.loads(await proc.stdout.readline())
    assert ready.get("ready") == args.sockets, ready

    async def deliveries() -> list[float]:
        assert proc.stdout is not None
        delays: list[float] = json.loads(await proc.stdout.readline())["delays"]
        return delays

    async def close() -> None:
        if proc.returncode is None:
            proc.terminate()
        await proc.wait()

    return deliveries, close


async def run(args: argparse.Namespace) -> None:
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, __file__, "--serve", "--port", str(port)]
    if args.redis_url:
        cmd += ["--redis-url", args.redis_url]
    if args.no_deflate:
        cmd += ["--no-deflate"]
    server = await asyncio.create_subprocess_exec(*cmd)
    expected = args.sockets * args.events
    close = None
    try:
        async with httpx.AsyncClient(base_url=url, timeout=600) as http:
            for _ in range(300):
                try:
                    idle = (await http.get("/bench/sockets")).json()
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.1)
            started = time.perf_counter()
            clients = _node_clients if args.client == "node" else _python_clients
            deliveries, close = await clients(url, args, expected)
            connect_s = time.perf_counter() - started
            held = (await http.get("/bench/sockets")).json()
            published = (await http.post(f"/bench/publish/{args.events}/{args.rate}")).json()
            delays = await deliveries()
            after = (await http.get("/bench/sockets")).json()
    finally:
        if close is not None:
            await close()
        server.terminate()
        await server.wait()

    q = statistics.quantiles(delays, n=100) if len(delays) > 1 else [float("nan")] * 99
    calls = published["publishMs"]
    deflate = "off" if args.no_deflate else "on"
    print(f"manager: {'redis' if args.redis_url else 'in-process'}, clients: {args.client}, ws deflate: {deflate}")
    print(f"sockets held by the server process: {held['sockets']} (connected in {connect_s:.1f}s)")
    print(
        f"server RSS: idle {idle['rssKb'] / 1024:.0f} MiB, with sockets {held['rssKb'] / 1024:.0f} MiB, "
        f"after events {after['rssKb'] / 1024:.0f} MiB "
        f"(~{(held['rssKb'] - idle['rssKb']) / max(held['sockets'], 1):.0f} KiB per socket)"
    )
    print(f"publish() per event (server side, all sockets queued): median {statistics.median(calls):.1f} ms")
    print(f"deliveries: {len(delays)}/{expected} ({args.events} events x {args.sockets} sockets at {args.rate}/s)")
    print(f"delay ms: p50 {q[49]:.1f}  p95 {q[94]:.1f}  p99 {q[98]:.1f}  max {max(delays or [float('nan')]):.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--rate", type=float, default=5.0, help="events per second")
    parser.add_argument("--redis-url", default=None)
    parser.add_argument("--client", choices=["node", "python"], default="node", help="load generator")
    parser.add_argument(
        "--no-deflate", action="store_true", help="uvicorn ws_per_message_deflate=False (the default is on)"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--channel", default="whaticket-socketio", help=argparse.SUPPRESS)
    parser.add_argument("--stock-order", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--upstream-fanout", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.port, args.redis_url, not args.no_deflate, args.channel, args.stock_order, args.upstream_fanout)
    else:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
