"""Inbound ingestion in-process: ``ReceiveMessage`` on the real SQL adapters against a plain asyncpg baseline.

Each round feeds 5,000 customer messages from 500 contacts, 20 at a time, to one side. Every round uses numbers no
round used before, so each contact's first message creates it (500 new contacts, 4,500 messages from known ones).

- project: ``ReceiveMessage`` with ``SqlUnitOfWork`` (webhook outbox encoder on, as the API wires it), a pool of 20.
- baseline: the same rows written by hand on bare asyncpg (a pool of 20) with the fewest statements: the contact
  upserted, the active ticket locked (or created with its ``created`` report row), the message inserted idempotently
  (``ON CONFLICT DO NOTHING``), the ticket's last message and unread count set, and the active webhooks read for the
  outbox (none are active, so both sides write no delivery rows).

Rounds run A/B/A/B in this process; then each side's statements per message are counted through
``pg_statement_counter`` for a new and a known contact (one message at a time, after a warm-up). Prints msg/s, this
process's CPU ms per message and the ratio project/baseline. PostgreSQL's own CPU is not included.

Run from the repository root: ``.venv/bin/python benchmarks/ingestion.py`` (~1-2 min).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from bench_support import DEFAULT_SERVER, run_cancellable, scratch_database
from pg_statement_counter import StatementCounter
from sqlalchemy.engine import make_url

from whaticket_adapters.clock import SystemClock
from whaticket_adapters.sql.database import SqlUnitOfWork, create_engine, create_session_factory
from whaticket_api.realtime.webhook_events import WebhookEventEncoder
from whaticket_core.domain.events import DomainEvent
from whaticket_core.testing.jobs import InMemoryJobQueue
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage

CONCURRENCY = 20
Send = Callable[[int, str, str], Awaitable[None]]  # (message number, chat number, body)
Side = tuple[Send, Callable[[], Awaitable[None]]]  # and how to close it
MakeSide = Callable[[str, int], Awaitable[Side]]  # (database URL, pool size)


class NullPublisher:
    """Realtime publishing is measured elsewhere (``realtime_fanout.py``)."""

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Round:
    messages: int
    wall_s: float
    cpu_s: float

    @property
    def rate(self) -> float:
        return self.messages / self.wall_s

    @property
    def cpu_ms(self) -> float:
        return self.cpu_s * 1000 / self.messages


_round_numbers = itertools.count(1)


def numbers_of_round(contacts: int) -> list[str]:
    """Phone numbers never used by an earlier round (E.164 digits, as ``normalize_number`` keeps them)."""
    prefix = next(_round_numbers)
    return [f"55{prefix:03d}{n:08d}" for n in range(contacts)]


async def run_round(send: Send, messages: int, contacts: int) -> Round:
    numbers = numbers_of_round(contacts)
    work: asyncio.Queue[int] = asyncio.Queue()
    for n in range(messages):
        work.put_nowait(n)

    async def worker() -> None:
        while not work.empty():
            n = work.get_nowait()
            await send(n, numbers[n % contacts], f"message {n}")

    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return Round(messages, time.perf_counter() - started, time.process_time() - cpu)


async def project_sender(url: str, whatsapp_id: int, tag: str, pool: int) -> Side:
    engine = create_engine(url, pool_size=pool, max_overflow=0)
    # The baseline's asyncpg pool opens its connections when it is created: open the engine's too before the clock
    # starts, so neither side's round pays for connecting (2-3% of the project's CPU before 2026-11-29, evening).
    async with contextlib.AsyncExitStack() as opened:
        for _ in range(pool):
            await opened.enter_async_context(engine.connect())
    sessions = create_session_factory(engine)
    encoder = WebhookEventEncoder()
    clock, publisher, jobs = SystemClock(), NullPublisher(), InMemoryJobQueue()

    async def send(n: int, chat: str, body: str) -> None:
        use_case = ReceiveMessage(SqlUnitOfWork(sessions, encoder), clock, publisher, jobs)
        await use_case.execute(InboundMessage(whatsapp_id, f"{tag}-{n}", chat, body, push_name="Bench"))

    return send, engine.dispose


# The baseline's statements: what a hand-written ingestion would send, each prepared once per connection.
_UPSERT_CONTACT = """
INSERT INTO contacts (name, number, is_group, extra_info, created_at) VALUES ($1, $2, false, '[]', $3)
ON CONFLICT (number) DO UPDATE SET name = CASE WHEN contacts.name = contacts.number THEN EXCLUDED.name
                                               ELSE contacts.name END
RETURNING id, name, (xmax = 0) AS created"""
_ACTIVE_TICKET = """
SELECT id, status, queue_id, user_id, unread_messages FROM tickets
WHERE contact_id = $1 AND whatsapp_id = $2 AND status IN ('pending', 'open') FOR UPDATE"""
_NEW_TICKET = """
INSERT INTO tickets (contact_id, whatsapp_id, status, unread_messages, last_message, is_group, created_at,
                     updated_at, bot_attempts, idle_since)
VALUES ($1, $2, 'pending', 0, '', false, $3, $3, 0, $3) RETURNING id"""
_REPORT_CREATED = "INSERT INTO report_events (kind, ticket_id, at) VALUES ('created', $1, $2)"
_INSERT_MESSAGE = """
INSERT INTO messages (ticket_id, contact_id, whatsapp_id, from_me, body, ack, wa_message_id, is_edited, is_deleted,
                      delivery_attempts, undecryptable, reactions, created_at, cancel_if_replied)
VALUES ($1, $2, $3, false, $4, 'delivered', $5, false, false, 0, false, '[]', $6, false)
ON CONFLICT (whatsapp_id, wa_message_id) DO NOTHING RETURNING id"""
_RECORD_MESSAGE = """
UPDATE tickets SET last_message = $2, last_message_at = $3, updated_at = $3, idle_since = $3,
                   unread_messages = unread_messages + 1
WHERE id = $1"""
_ACTIVE_WEBHOOKS = "SELECT id, events FROM webhooks WHERE active"


class _Redelivery(Exception):
    """Rolls the baseline's transaction back (never raised in this benchmark: every WhatsApp id is new)."""


async def _keep_session(conn: asyncpg.Connection) -> None:
    return None


async def baseline_sender(dsn: str, whatsapp_id: int, tag: str, pool_size: int) -> Side:
    # No reset query at release: the baseline changes no session state (asyncpg's default reset is a statement).
    pool = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=pool_size, reset=_keep_session)

    async def send(n: int, chat: str, body: str) -> None:
        with contextlib.suppress(_Redelivery):
            await _receive(n, chat, body)

    async def _receive(n: int, chat: str, body: str) -> None:
        now = datetime.now(UTC)
        async with pool.acquire() as conn, conn.transaction():
            contact = await conn.fetchrow(_UPSERT_CONTACT, "Bench", chat, now)
            ticket = None if contact["created"] else await conn.fetchrow(_ACTIVE_TICKET, contact["id"], whatsapp_id)
            if ticket is None:
                ticket_id = await conn.fetchval(_NEW_TICKET, contact["id"], whatsapp_id, now)
                await conn.execute(_REPORT_CREATED, ticket_id, now)
            else:
                ticket_id = ticket["id"]
            message_id = await conn.fetchval(
                _INSERT_MESSAGE, ticket_id, contact["id"], whatsapp_id, body, f"{tag}-{n}", now
            )
            if message_id is None:
                raise _Redelivery
            await conn.execute(_RECORD_MESSAGE, ticket_id, body[:255], now)
            await conn.fetch(_ACTIVE_WEBHOOKS)

    return send, pool.close


async def count_statements(make: MakeSide, url: str, samples: int) -> tuple[float, float]:
    """(statements per new-contact message, per known-contact message), one message at a time through the relay."""
    parsed = make_url(url)
    counter = StatementCounter(parsed.host or "127.0.0.1", parsed.port or 5432)
    port = await counter.start()
    send, close = await make(parsed.set(host="127.0.0.1", port=port).render_as_string(hide_password=False), 1)
    try:
        numbers = numbers_of_round(samples * 2)
        for n in range(samples):  # warm-up: connect, prepare
            await send(n, numbers[samples + n], "warm-up")
        counter.counts.clear()
        for n in range(samples):
            await send(samples + n, numbers[n], "first")
        new = counter.statements / samples
        counter.counts.clear()
        for n in range(samples):
            await send(2 * samples + n, numbers[n], "again")
        known = counter.statements / samples
    finally:
        await close()
        await counter.stop()
    return new, known


async def main(server: str, messages: int, contacts: int) -> None:
    print(f"load average before: {os.getloadavg()}")
    async with scratch_database(server, 100, 1_000) as url:
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn)
        try:
            whatsapp_id = await conn.fetchval("SELECT id FROM whatsapps ORDER BY id LIMIT 1")
            queues = await conn.fetchval("SELECT count(*) FROM whatsapp_queues WHERE whatsapp_id = $1", whatsapp_id)
            assert queues == 0, "the routing bot would answer: the benchmark measures ingestion alone"
        finally:
            await conn.close()
        tags = (f"r{n}" for n in itertools.count())
        sides: dict[str, MakeSide] = {
            "project": lambda u, pool: project_sender(u, whatsapp_id, next(tags), pool),
            "baseline": lambda u, pool: baseline_sender(
                make_url(u).set(drivername="postgresql").render_as_string(hide_password=False),
                whatsapp_id,
                next(tags),
                pool,
            ),
        }
        results: dict[str, list[Round]] = {"project": [], "baseline": []}
        print(f"\n{messages} inbound messages from {contacts} contacts each round, {CONCURRENCY} concurrent:")
        print(f"{'round':<10} {'side':<9} {'msg/s':>8} {'cpu ms/msg':>11}")
        for number, side in enumerate(("project", "baseline", "project", "baseline"), start=1):
            send, close = await sides[side](url, CONCURRENCY)
            try:
                result = await run_round(send, messages, contacts)
            finally:
                await close()
            results[side].append(result)
            print(f"{number:<10} {side:<9} {result.rate:>8.0f} {result.cpu_ms:>11.2f}")
        statements = {side: await count_statements(sides[side], url, 20) for side in sides}
    project, baseline = results["project"], results["baseline"]
    p_rate = sum(r.rate for r in project) / len(project)
    b_rate = sum(r.rate for r in baseline) / len(baseline)
    p_cpu = sum(r.cpu_ms for r in project) / len(project)
    b_cpu = sum(r.cpu_ms for r in baseline) / len(baseline)
    print(f"\n{'side':<9} {'msg/s':>8} {'cpu ms/msg':>11} {'stmts new':>10} {'stmts known':>12}")
    for side, rate, cpu in (("project", p_rate, p_cpu), ("baseline", b_rate, b_cpu)):
        new, known = statements[side]
        print(f"{side:<9} {rate:>8.0f} {cpu:>11.2f} {new:>10.1f} {known:>12.1f}")
    print(f"ratio project/baseline: {p_rate / b_rate:.2f} of msg/s, {p_cpu / b_cpu:.1f}x the CPU per message")
    print("(statements include BEGIN and COMMIT)")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-url", default=DEFAULT_SERVER)
    parser.add_argument("--messages", type=int, default=5_000)
    parser.add_argument("--contacts", type=int, default=500)
    args = parser.parse_args()
    run_cancellable(main(args.server_url, args.messages, args.contacts))
