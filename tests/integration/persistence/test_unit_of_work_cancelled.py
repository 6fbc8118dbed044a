"""A task cancelled inside a PostgreSQL unit of work gives its connection back, its writes rolled back.

The engines here hold one connection, so a connection not given back (or given back still in a transaction holding
a lock) would make the next unit of work wait or fail.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from persistence_builders import contact
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import SqlUnitOfWork, create_engine, create_session_factory
from whaticket_core.domain.contact import Contact


@pytest.fixture
async def one_connection_engine(pg_url: str, pg_engine: AsyncEngine, db_reset: object) -> AsyncIterator[AsyncEngine]:
    await db_reset(pg_engine)  # type: ignore[operator]
    engine = create_engine(pg_url, pool_size=1, max_overflow=0)
    yield engine
    await engine.dispose()


async def _stored(engine: AsyncEngine, number: str) -> Contact | None:
    async with SqlUnitOfWork(create_session_factory(engine)) as uow:
        return await uow.contacts.get_by_number(number)


async def test_cancelled_while_waiting_between_statements(one_connection_engine: AsyncEngine) -> None:
    entered = asyncio.Event()

    async def writer() -> None:
        async with SqlUnitOfWork(create_session_factory(one_connection_engine)) as uow:
            await uow.contacts.add(contact("5511900000001"))
            await uow.settings.set("a", "1")
            entered.set()
            await asyncio.sleep(30)
            await uow.commit()

    task = asyncio.create_task(writer())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with asyncio.timeout(10):
        assert await _stored(one_connection_engine, "5511900000001") is None
        async with SqlUnitOfWork(create_session_factory(one_connection_engine)) as uow:
            assert await uow.settings.all() == {}


async def test_cancelled_while_a_driver_statement_waits_for_a_lock(
    one_connection_engine: AsyncEngine, pg_engine: AsyncEngine
) -> None:
    async with SqlUnitOfWork(create_session_factory(pg_engine)) as uow:
        held = await uow.contacts.add(contact("5511900000001"))
        await uow.commit()
    locker = SqlUnitOfWork(create_session_factory(pg_engine))
    async with locker:
        await locker.contacts.get(held.id, for_update=True)

        async def waiter() -> None:
            async with SqlUnitOfWork(create_session_factory(one_connection_engine)) as uow:
                await uow.contacts.add(contact("5511900000002"))
                await uow.contacts.get(held.id, for_update=True)  # waits for the locker (sent on the driver)
                await uow.commit()

        task = asyncio.create_task(waiter())
        await asyncio.sleep(0.3)
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    async with asyncio.timeout(10):
        assert await _stored(one_connection_engine, "5511900000002") is None
        assert await _stored(one_connection_engine, "5511900000001") == held
