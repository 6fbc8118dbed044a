"""Auto-assignment and auto-close run by one worker, then by two at once, on PostgreSQL.

    .venv/bin/python benchmarks/automation_workers.py [--tickets 1000] [--agents 8] [--server-url postgresql://...]

Creates a scratch database ``whaticket_bench_<random>`` (migrated, seeded with 5k tickets / 50k messages by
``seed_volume.py`` so the claims run beside other rows), adds a queue with ``--agents`` online agents (no capacity
limit) and ``--tickets`` pending tickets in it, and drops the database at the end. Each case runs the real use case
(``AssignPendingTickets`` over the queue, ``AutoCloseIdleTickets`` with every added ticket silent past
``autoCloseMinutes``) with one worker, then with two workers at once (each with its own engine, as two processes
have); the tickets are put back between runs. It checks each run handled every ticket exactly once.

Figures: tickets handled per second (wall) and this process's CPU ms per ticket (steadier on a shared machine).
Baseline: one worker; ``2 workers / 1`` = throughput ratio. The claim queries' plans are printed too (they should
use the partial indexes ``ix_tickets_pending_queue`` and ``ix_tickets_active_idle``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bench_support import DEFAULT_SERVER, SMALL, run_cancellable, scratch_database
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import SqlUnitOfWork, create_engine, create_session_factory
from whaticket_core.domain.contact import Contact
from whaticket_core.domain.queue import Queue
from whaticket_core.domain.settings import AUTO_ASSIGN, AUTO_CLOSE_MINUTES
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.domain.user import Role, User
from whaticket_core.testing import FakePresence, InMemoryJobQueue, ManualClock, RecordingPublisher
from whaticket_core.use_cases.automation.assign_tickets import AssignPendingTickets, AssignPendingTicketsCommand
from whaticket_core.use_cases.automation.auto_close import AutoCloseIdleTickets, AutoCloseIdleTicketsCommand

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


async def _setup(engine: AsyncEngine, tickets: int, agents: int) -> tuple[int, list[int]]:
    async with SqlUnitOfWork(create_session_factory(engine)) as uow:
        queue = await uow.queues.add(Queue("Bench", "#ABCDEF"))
        agent_ids = []
        for n in range(agents):
            user = User(f"Bench {n}", f"bench{n}@example.com", "x", Role.USER, NOW, [queue.id])
            agent_ids.append((await uow.users.add(user)).id)
        whatsapp = await uow.whatsapps.get_default()
        assert whatsapp is not None
        for n in range(tickets):
            contact = await uow.contacts.add(Contact(f"Bench {n}", f"5599{n:09d}", NOW))
            at = NOW - timedelta(days=2, seconds=tickets - n)
            ticket = Ticket(contact.id, whatsapp.id, TicketStatus.PENDING, at, at, queue_id=queue.id)
            await uow.tickets.add(ticket)
        await uow.settings.set(AUTO_ASSIGN, "round_robin")
        await uow.settings.set(AUTO_CLOSE_MINUTES, "60")
        await uow.commit()
    return queue.id, agent_ids


async def _reset(engine: AsyncEngine, queue_id: int) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE tickets SET status = 'pending', user_id = NULL, closed_at = NULL, close_warned_at = NULL, "
                "idle_since = created_at WHERE queue_id = :q"
            ),
            {"q": queue_id},
        )
        await conn.execute(text("ANALYZE tickets"))


async def _count(engine: AsyncEngine, queue_id: int, status: str) -> int:
    async with engine.connect() as conn:
        found = await conn.execute(
            text("SELECT count(*) FROM tickets WHERE queue_id = :q AND status = :s"), {"q": queue_id, "s": status}
        )
        return int(found.scalar_one())


async def _timed(runs: list[Callable[[], Awaitable[int]]]) -> tuple[int, float, float]:
    cpu = time.process_time()
    started = time.perf_counter()
    handled = sum(await asyncio.gather(*(run() for run in runs)))
    return handled, time.perf_counter() - started, time.process_time() - cpu


async def _case(
    name: str,
    engines: list[AsyncEngine],
    queue_id: int,
    tickets: int,
    done_status: str,
    runner: Callable[[AsyncEngine], Callable[[], Awaitable[int]]],
) -> None:
    rates = []
    for workers in (1, 2):
        await _reset(engines[0], queue_id)
        handled, wall, cpu = await _timed([runner(engine) for engine in engines[:workers]])
        reached = await _count(engines[0], queue_id, done_status)
        assert handled == tickets == reached, (name, workers, handled, reached)
        rates.append(handled / wall)
        print(
            f"{name:<12} {workers} worker(s): {handled} tickets in {wall:6.2f} s, {handled / wall:7.1f}/s, "
            f"{cpu * 1000 / handled:5.2f} cpu ms/ticket"
        )
    print(f"{name:<12} 2 workers / 1: {rates[1] / rates[0]:.2f}x")


async def _plans(engine: AsyncEngine, queue_id: int) -> None:
    claims = {
        "claim_pending": "SELECT * FROM tickets WHERE status = 'pending' AND user_id IS NULL AND queue_id = :q "
        "ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
        "claim_idle": "SELECT * FROM tickets WHERE status IN ('pending', 'open') AND idle_since <= :t "
        "ORDER BY idle_since, id LIMIT 50 FOR UPDATE SKIP LOCKED",
    }
    async with engine.connect() as conn:
        for name, sql in claims.items():
            plan = await conn.execute(text(f"EXPLAIN {sql}"), {"q": queue_id, "t": NOW})
            print(f"plan of {name}: " + " | ".join(row[0].strip() for row in plan))


async def run(args: argparse.Namespace) -> None:
    async with scratch_database(args.server_url, *SMALL) as url:
        engines = [create_engine(url, pool_size=4) for _ in range(2)]
        try:
            queue_id, agent_ids = await _setup(engines[0], args.tickets, args.agents)
            presence = FakePresence()
            for agent_id in agent_ids:
                presence.connect(agent_id)
            clock = ManualClock(NOW)
            print(f"{args.tickets} tickets, {args.agents} online agents; load average before: {_load()}")
            await _plans(engines[0], queue_id)

            def assigner(engine: AsyncEngine) -> Callable[[], Awaitable[int]]:
                async def go() -> int:
                    use_case = AssignPendingTickets(
                        SqlUnitOfWork(create_session_factory(engine)), clock, RecordingPublisher(), presence
                    )
                    return (await use_case.execute(AssignPendingTicketsCommand(queue_ids=(queue_id,)))).assigned

                return go

            def closer(engine: AsyncEngine) -> Callable[[], Awaitable[int]]:
                async def go() -> int:
                    use_case = AutoCloseIdleTickets(
                        SqlUnitOfWork(create_session_factory(engine)), clock, RecordingPublisher(), InMemoryJobQueue()
                    )
                    return (await use_case.execute(AutoCloseIdleTicketsCommand())).closed

                return go

            await _case("auto-assign", engines, queue_id, args.tickets, "open", assigner)
            await _case("auto-close", engines, queue_id, args.tickets, "closed", closer)
            print(f"load average after: {_load()}")
        finally:
            for engine in engines:
                await engine.dispose()


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-url", default=DEFAULT_SERVER, help="any database on the PostgreSQL server")
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--agents", type=int, default=8)
    run_cancellable(run(parser.parse_args()))


if __name__ == "__main__":
    main()
