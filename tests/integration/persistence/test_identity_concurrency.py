"""Identity merges under concurrency on PostgreSQL and SQLite: many tasks deliver messages of one person by number,
by LID and by both while mappings are revealed; at the end one contact holds both, with one active ticket and
every message."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from persistence_builders import whatsapp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import SqlUnitOfWork, create_engine, create_session_factory
from whaticket_adapters.sql.models import ContactRow, MessageRow, TicketRow
from whaticket_core.testing import InMemoryJobQueue, ManualClock, RecordingPublisher
from whaticket_core.use_cases.inbound.inbound_commands import InboundIdentity, InboundMessage
from whaticket_core.use_cases.inbound.link_contact_identity import LinkContactIdentity
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage

TASKS = 8
MESSAGES = 80
NUMBER = "5511987650000"
LID = "198765432109876"


@pytest.fixture(params=["postgres", "sqlite"])
async def engine(request: pytest.FixtureRequest, pg_url: str, sqlite_url: str, db_reset) -> AsyncIterator[AsyncEngine]:
    url = pg_url if request.param == "postgres" else sqlite_url
    engine = create_engine(url, pool_size=TASKS + 2)
    await db_reset(engine)
    yield engine
    await engine.dispose()


async def _count(engine: AsyncEngine, table) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def test_racing_lid_and_number_messages_and_mappings_end_as_one_contact(engine):
    async with SqlUnitOfWork(create_session_factory(engine)) as uow:
        w = await uow.whatsapps.add(whatsapp(is_default=True))
        await uow.commit()
    clock = ManualClock()

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(create_session_factory(engine))

    async def worker(index: int) -> None:
        for n in range(index, MESSAGES, TASKS):
            if n % 10 == 9:
                await LinkContactIdentity(uow(), clock, RecordingPublisher()).execute(
                    InboundIdentity(w.id, LID, NUMBER)
                )
            chat, lid = [(NUMBER, None), ("", LID), (NUMBER, LID)][n % 3]
            command = InboundMessage(w.id, f"WA-{n}", chat, f"message {n}", lid=lid, push_name="Ana")
            await ReceiveMessage(uow(), clock, RecordingPublisher(), InMemoryJobQueue()).execute(command)

    await asyncio.gather(*(worker(i) for i in range(TASKS)))

    assert await _count(engine, ContactRow.__table__) == 1
    assert await _count(engine, MessageRow.__table__) == MESSAGES
    async with uow() as check:
        contact = await check.contacts.get_by_number(NUMBER)
        assert contact is not None
        assert contact.lid == LID
        tickets = await check.tickets.list_of_contact(contact.id)
    assert len([t for t in tickets if t.is_active]) == 1
    assert await _count(engine, TicketRow.__table__) == len(tickets)
