"""What the webhook outbox costs an inbound message, and how fast the dispatcher delivers.

1. Inbound messages through ``ReceiveMessage`` on PostgreSQL (one customer message = one transaction), with the
   unit of work built as before webhooks (no outbox encoder), with the outbox but no webhook, and with 1 and 5 active
   webhooks subscribed to everything (each message then writes 2 delivery rows per webhook: ticket.updated and
   message.created).
2. The dispatcher sending 1,000 deliveries of 10 tickets to a receiver on 127.0.0.1 (aiohttp), in order per ticket.

Run from the repository root: ``.venv/bin/python benchmarks/webhook_outbox.py`` (~60 s).
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
from datetime import UTC, datetime

from aiohttp import web
from bench_support import DEFAULT_SERVER, measure, run_cancellable, scratch_database
from sqlalchemy import delete, insert, select

from whaticket_adapters.clock import SystemClock
from whaticket_adapters.sql.database import SqlUnitOfWork, SqlWebhookStore, create_engine, create_session_factory
from whaticket_adapters.sql.models import WhatsAppRow, table_of
from whaticket_adapters.sql.models_integrations import WebhookDeliveryRow, WebhookRow
from whaticket_adapters.webhooks import HttpxWebhookSender
from whaticket_api.realtime.webhook_events import WebhookEventEncoder
from whaticket_core.testing import RecordingPublisher
from whaticket_core.testing.jobs import InMemoryJobQueue
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage
from whaticket_core.use_cases.integrations.dispatch_webhooks import DispatchWebhooks, DispatchWebhooksCommand

_W = table_of(WebhookRow)
_D = table_of(WebhookDeliveryRow)
_WA = table_of(WhatsAppRow)


async def main(server: str, iterations: int) -> None:
    print(f"load average before: {os.getloadavg()}")
    async with scratch_database(server, 100, 1_000) as url:
        engine = create_engine(url)
        sessions = create_session_factory(engine)
        async with engine.connect() as conn:
            whatsapp_id = (await conn.execute(select(_WA.c.id).limit(1))).scalar_one()
        wa_ids = itertools.count()
        chats = itertools.cycle([f"55119{n:08d}" for n in range(20)])

        def receive(encoder: WebhookEventEncoder | None) -> ReceiveMessage:
            uow = SqlUnitOfWork(sessions, encoder)
            return ReceiveMessage(uow, SystemClock(), RecordingPublisher(), InMemoryJobQueue())

        async def webhooks(count: int) -> None:
            async with engine.begin() as conn:
                await conn.execute(delete(_D))
                await conn.execute(delete(_W))
                for n in range(count):
                    values = {
                        "url": f"https://93.184.215.14/h{n}",
                        "events": "*",
                        "secret": "whsec_bench",
                        "active": True,
                        "consecutive_failures": 0,
                        "created_at": datetime.now(UTC),
                    }
                    await conn.execute(insert(_W).values(values))

        print("\ninbound message (ReceiveMessage, PostgreSQL), one at a time:")
        print(f"{'case':<40} {'p50 ms':>8} {'p99 ms':>8} {'ops/s':>8} {'cpu ms':>8}")
        baseline = None
        for label, encoder, hooks in (
            ("no outbox (before webhooks)", None, 0),
            ("outbox, no webhook", WebhookEventEncoder(), 0),
            ("outbox, 1 webhook (*)", WebhookEventEncoder(), 1),
            ("outbox, 5 webhooks (*)", WebhookEventEncoder(), 5),
        ):
            await webhooks(hooks)

            async def one(encoder: WebhookEventEncoder | None = encoder) -> None:
                command = InboundMessage(whatsapp_id, f"bench-{next(wa_ids)}", next(chats), "hello", push_name="B")
                await receive(encoder).execute(command)

            figures = await measure(one, iterations=iterations, warmup=30, budget_s=15)
            baseline = baseline or figures
            ratio = figures.ops / baseline.ops
            print(
                f"{label:<40} {figures.p50:>8.2f} {figures.p99:>8.2f} {figures.ops:>8.0f} {figures.cpu_ms:>8.2f}"
                f"  ({ratio:.2f}x of the first row's ops/s)"
            )

        await webhooks(0)
        arrived: list[bytes] = []

        async def handle(request: web.Request) -> web.Response:
            arrived.append(await request.read())
            return web.Response(text="ok")

        app = web.Application()
        app.router.add_post("/hook", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        async with engine.begin() as conn:
            hook = {
                "url": f"http://127.0.0.1:{port}/hook",
                "events": "*",
                "secret": "whsec_bench",
                "active": True,
                "consecutive_failures": 0,
                "created_at": datetime.now(UTC),
            }
            await conn.execute(insert(_W).values(hook))
            webhook_id = (await conn.execute(select(_W.c.id))).scalar_one()
            now = datetime.now(UTC)
            rows = [
                {
                    "webhook_id": webhook_id,
                    "event_id": f"e{n}",
                    "event": "message.created",
                    "stream": f"ticket:{n % 10}",
                    "data": f'{{"n":{n}}}',
                    "status": "pending",
                    "attempt": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
                for n in range(1_000)
            ]
            await conn.execute(insert(_D), rows)
        sender = HttpxWebhookSender(allow_private=True)
        dispatcher = DispatchWebhooks(SqlWebhookStore(engine), sender, SystemClock())
        cpu, started = time.process_time(), time.perf_counter()
        result = await dispatcher.execute(DispatchWebhooksCommand())
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        await sender.aclose()
        await runner.cleanup()
        print(
            f"\ndispatch: {result.attempts} deliveries of 10 tickets to 127.0.0.1 in {wall:.2f} s "
            f"({result.attempts / wall:.0f}/s; {cpu * 1000 / result.attempts:.2f} cpu ms each, receiver included)"
        )
        assert len(arrived) == 1_000
        await engine.dispose()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-url", default=DEFAULT_SERVER)
    parser.add_argument("--iterations", type=int, default=400)
    args = parser.parse_args()
    run_cancellable(main(args.server_url, args.iterations))
