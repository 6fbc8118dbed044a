"""Automation run by two workers at once, each with its own engine (its own connections, as two processes have):
200 pending tickets are each assigned once and nobody goes over capacity; idle tickets are each warned once and
closed once; a burst of follow-ups of one ticket sends one away message."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from persistence_builders import T0, contact, queue, ticket, user, whatsapp
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import SqlUnitOfWork, create_engine, create_session_factory
from whaticket_core.domain.business_hours import COMPANY, BusinessHours
from whaticket_core.domain.events import MessageCreated, TicketClosed, TicketUpdated
from whaticket_core.domain.settings import (
    AUTO_ASSIGN,
    AUTO_CLOSE_MINUTES,
    AUTO_CLOSE_WARNING,
    AUTO_CLOSE_WARNING_MINUTES,
)
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.testing import FakePresence, InMemoryJobQueue, ManualClock, RecordingPublisher
from whaticket_core.use_cases.automation.assign_tickets import AssignPendingTickets, AssignPendingTicketsCommand
from whaticket_core.use_cases.automation.auto_close import AutoCloseIdleTickets, AutoCloseIdleTicketsCommand
from whaticket_core.use_cases.automation.reply_outside_hours import ReplyOutsideHours, ReplyOutsideHoursCommand

TICKETS = 200
WORKERS = 2


@pytest.fixture(params=["postgres", "sqlite"])
async def engines(request: pytest.FixtureRequest, pg_url: str, sqlite_url: str, db_reset) -> AsyncIterator[list]:
    url = pg_url if request.param == "postgres" else sqlite_url
    made = [create_engine(url) for _ in range(WORKERS)]
    await db_reset(made[0])
    yield made
    for engine in made:
        await engine.dispose()


def _uow(engine: AsyncEngine) -> SqlUnitOfWork:
    return SqlUnitOfWork(create_session_factory(engine))


async def _seed(engine: AsyncEngine, capacities: list[int], settings: dict[str, str]) -> tuple[list[int], list[int]]:
    async with _uow(engine) as uow:
        wa = await uow.whatsapps.add(whatsapp())
        q = await uow.queues.add(queue())
        agents = []
        for n, capacity in enumerate(capacities):
            agents.append(
                await uow.users.add(user(f"agent{n}@example.com", queue_ids=[q.id], max_open_tickets=capacity))
            )
        ids = []
        for n in range(TICKETS):
            c = await uow.contacts.add(contact(f"5511900{n:06d}"))
            t = ticket(c.id, wa.id, TicketStatus.PENDING, queue_id=q.id)
            t.created_at = t.idle_since = T0 + timedelta(seconds=n)
            ids.append((await uow.tickets.add(t)).id)
        for key, value in settings.items():
            await uow.settings.set(key, value)
        await uow.commit()
    return [a.id for a in agents], ids


async def test_two_assigners_hand_out_200_tickets_once_within_capacity(engines):
    agent_ids, ids = await _seed(engines[0], [40, 60, 0], {AUTO_ASSIGN: "round_robin"})
    presence = FakePresence()
    for agent_id in agent_ids:
        presence.connect(agent_id)
    clock = ManualClock(T0 + timedelta(hours=1))
    publishers = [RecordingPublisher() for _ in engines]

    async def worker(engine: AsyncEngine, publisher: RecordingPublisher) -> int:
        use_case = AssignPendingTickets(_uow(engine), clock, publisher, presence)
        return (await use_case.execute(AssignPendingTicketsCommand())).assigned

    results = await asyncio.gather(*(worker(e, p) for e, p in zip(engines, publishers, strict=True)))

    assert sum(results) == TICKETS
    assigned = Counter(e.ticket.id for p in publishers for e in p.of_type(TicketUpdated))
    assert set(assigned) == set(ids)
    assert set(assigned.values()) == {1}  # each ticket assigned once, by one of the workers
    async with _uow(engines[0]) as uow:
        counts = await uow.tickets.count_open(agent_ids)
        stored = [await uow.tickets.get(i) for i in ids]
    assert counts[agent_ids[0]] == 40
    assert counts[agent_ids[1]] == 60
    assert counts[agent_ids[2]] == TICKETS - 100
    assert all(t is not None and t.status is TicketStatus.OPEN and t.user_id in agent_ids for t in stored)


async def test_two_assigners_stop_at_capacity_leaving_the_rest_pending(engines):
    agent_ids, ids = await _seed(engines[0], [30, 50], {AUTO_ASSIGN: "round_robin"})
    presence = FakePresence()
    for agent_id in agent_ids:
        presence.connect(agent_id)
    clock = ManualClock(T0 + timedelta(hours=1))

    async def worker(engine: AsyncEngine) -> int:
        use_case = AssignPendingTickets(_uow(engine), clock, RecordingPublisher(), presence)
        return (await use_case.execute(AssignPendingTicketsCommand())).assigned

    assert sum(await asyncio.gather(*(worker(e) for e in engines))) == 80
    async with _uow(engines[0]) as uow:
        assert await uow.tickets.count_open(agent_ids) == {agent_ids[0]: 30, agent_ids[1]: 50}
        waiting = await uow.tickets.claim_pending((await uow.tickets.get(ids[0])).queue_id, TICKETS)
    assert [t.id for t in waiting] == ids[80:]  # the oldest went first


async def test_two_auto_closers_warn_once_and_close_once(engines):
    settings = {AUTO_CLOSE_MINUTES: "60", AUTO_CLOSE_WARNING_MINUTES: "10", AUTO_CLOSE_WARNING: "closing soon"}
    _, ids = await _seed(engines[0], [], settings)
    clock = ManualClock(T0 + timedelta(hours=2))
    publishers = [RecordingPublisher() for _ in engines]

    async def run_all() -> list:
        async def worker(engine: AsyncEngine, publisher: RecordingPublisher):
            use_case = AutoCloseIdleTickets(_uow(engine), clock, publisher, InMemoryJobQueue())
            return await use_case.execute(AutoCloseIdleTicketsCommand(batch=25))

        return await asyncio.gather(*(worker(e, p) for e, p in zip(engines, publishers, strict=True)))

    warned = await run_all()
    assert sum(r.warned for r in warned) == TICKETS
    assert sum(r.closed for r in warned) == 0
    warnings = Counter(e.ticket.id for p in publishers for e in p.of_type(MessageCreated))
    assert warnings == dict.fromkeys(ids, 1)

    clock.advance(timedelta(minutes=10))
    closed = await run_all()
    assert sum(r.warned for r in closed) == 0
    assert sum(r.closed for r in closed) == TICKETS
    assert Counter(e.ticket.id for p in publishers for e in p.of_type(TicketClosed)) == dict.fromkeys(ids, 1)
    async with _uow(engines[0]) as uow:
        stored = [await uow.tickets.get(i) for i in ids]
    assert {t.status for t in stored if t is not None} == {TicketStatus.CLOSED}


async def test_a_burst_of_customer_messages_gets_one_away_message(engines):
    _, ids = await _seed(engines[0], [], {})
    async with _uow(engines[0]) as uow:
        await uow.business_hours.put(COMPANY, BusinessHours(week=((),) * 7, away_message="closed"))
        await uow.commit()
    clock = ManualClock(T0 + timedelta(hours=1))

    async def follow_up(engine: AsyncEngine) -> int | None:
        use_case = ReplyOutsideHours(_uow(engine), clock, RecordingPublisher(), InMemoryJobQueue(), FakePresence())
        return (await use_case.execute(ReplyOutsideHoursCommand(ids[0]))).sent_message_id

    sent = await asyncio.gather(*(follow_up(engines[n % WORKERS]) for n in range(10)))
    assert len([s for s in sent if s is not None]) == 1
