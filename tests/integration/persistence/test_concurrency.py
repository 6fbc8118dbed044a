"""Integrity under concurrency through the real ReceiveMessage use case with one session per task: PostgreSQL (row
locks, unique indexes, retried transactions) and SQLite (the in-process writer lock: no "database is locked")."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from persistence_builders import whatsapp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import SqlUnitOfWork, create_engine, create_session_factory
from whaticket_adapters.sql.models import ContactRow, MessageRow, TicketRow
from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.message import MAX_BODY_LENGTH
from whaticket_core.testing import InMemoryJobQueue, ManualClock, RecordingPublisher
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage

TASKS = 20
MESSAGES = 200
CUSTOMER = "+55 11 98765-4321"


@pytest.fixture(params=["postgres", "sqlite"])
async def engine(request: pytest.FixtureRequest, pg_url: str, sqlite_url: str, db_reset) -> AsyncIterator[AsyncEngine]:
    url = pg_url if request.param == "postgres" else sqlite_url
    # One connection per task, so tasks really run side by side in the database.
    engine = create_engine(url, pool_size=TASKS + 2)
    await db_reset(engine)
    yield engine
    await engine.dispose()


async def _connection_id(engine: AsyncEngine) -> int:
    async with SqlUnitOfWork(create_session_factory(engine)) as uow:
        w = await uow.whatsapps.add(whatsapp(is_default=True))
        await uow.commit()
    return w.id


def _use_case(engine: AsyncEngine, clock: ManualClock) -> ReceiveMessage:
    return ReceiveMessage(
        SqlUnitOfWork(create_session_factory(engine)), clock, RecordingPublisher(), InMemoryJobQueue()
    )


async def _count(engine: AsyncEngine, table) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_200_messages_from_a_new_contact_over_20_tasks_make_one_ticket(engine):
    whatsapp_id = await _connection_id(engine)
    clock = ManualClock()

    async def worker(index: int) -> None:
        receive = _use_case(engine, clock)  # its own unit of work, hence its own session and connection
        for n in range(index, MESSAGES, TASKS):
            await receive.execute(InboundMessage(whatsapp_id, f"WA-{n}", CUSTOMER, f"message {n}", push_name="Ana"))

    await asyncio.gather(*(worker(i) for i in range(TASKS)))

    assert await _count(engine, ContactRow.__table__) == 1
    assert await _count(engine, TicketRow.__table__) == 1
    assert await _count(engine, MessageRow.__table__) == MESSAGES
    async with SqlUnitOfWork(create_session_factory(engine)) as uow:
        contact = await uow.contacts.get_by_number("5511987654321")
        assert contact is not None
        ticket = await uow.tickets.get_active(contact.id, whatsapp_id)
        assert ticket is not None
        assert ticket.unread_messages == MESSAGES


async def test_the_same_whatsapp_message_delivered_10_times_at_once_is_stored_once(engine):
    whatsapp_id = await _connection_id(engine)
    clock = ManualClock()
    inbound = InboundMessage(whatsapp_id, "WA-dup", CUSTOMER, "hello", push_name="Ana")

    results = await asyncio.gather(*(_use_case(engine, clock).execute(inbound) for _ in range(10)))

    assert await _count(engine, MessageRow.__table__) == 1
    assert len({r.message_id for r in results}) == 1
    assert sum(not r.duplicate for r in results) == 1
    async with SqlUnitOfWork(create_session_factory(engine)) as uow:
        ticket = await uow.tickets.get(results[0].ticket_id)  # type: ignore[arg-type]
        assert ticket is not None
        assert ticket.unread_messages == 1


async def test_a_failure_inside_the_use_case_leaves_nothing_half_written(engine):
    whatsapp_id = await _connection_id(engine)
    # The contact and the ticket are written before the body is checked; the error must roll both back.
    too_long = InboundMessage(whatsapp_id, "WA-big", CUSTOMER, "x" * (MAX_BODY_LENGTH + 1), push_name="Ana")
    with pytest.raises(InvalidInput):
        await _use_case(engine, ManualClock()).execute(too_long)
    assert await _count(engine, ContactRow.__table__) == 0
    assert await _count(engine, TicketRow.__table__) == 0
    assert await _count(engine, MessageRow.__table__) == 0
