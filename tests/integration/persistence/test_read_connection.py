"""A request's readers share one pooled PostgreSQL connection, from the first read until it is released; a unit of
work of the same request takes over from it (a request never holds two)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import (
    ReadConnection,
    SqlAuthUserQueries,
    SqlContactQueries,
    SqlMessageQueries,
    SqlTicketQueries,
    SqlUnitOfWork,
    create_engine,
    create_session_factory,
)
from whaticket_core.domain.pagination import OffsetQuery
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.queries import TicketListQuery

AGENT = Viewer(5, Role.USER, frozenset({1, 2}))


@pytest.fixture
async def engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(pg_url, pool_size=2, max_overflow=0)
    yield engine
    await engine.dispose()


def checked_out(engine: AsyncEngine) -> int:
    return engine.sync_engine.pool.checkedout()  # type: ignore[attr-defined,no-any-return]


async def test_a_requests_reads_share_one_connection_until_released(engine: AsyncEngine) -> None:
    reads = ReadConnection(engine, per_request=True)
    assert checked_out(engine) == 0  # nothing until the first read
    assert await SqlAuthUserQueries(reads).auth_user(-1) is None
    await SqlTicketQueries(reads).list_tickets(TicketListQuery(AGENT))
    await SqlTicketQueries(reads).count_tickets(TicketListQuery(AGENT, queue_ids=frozenset({2, 3})))
    await SqlMessageQueries(reads).list_messages(1)
    await SqlContactQueries(reads).list_contacts(OffsetQuery())
    assert checked_out(engine) == 1
    await reads.release()
    assert checked_out(engine) == 0


async def test_the_unit_of_work_takes_over_from_the_read_connection(engine: AsyncEngine) -> None:
    reads = ReadConnection(engine, per_request=True)
    await SqlAuthUserQueries(reads).auth_user(-1)
    uow = SqlUnitOfWork(create_session_factory(engine), before_begin=reads.release)
    async with uow:
        assert checked_out(engine) == 1
        await uow.users.get(-1)
    assert checked_out(engine) == 0


async def test_readers_of_the_process_return_their_connection_after_each_read(engine: AsyncEngine) -> None:
    tickets = SqlTicketQueries(engine)
    await tickets.list_tickets(TicketListQuery(AGENT))
    assert checked_out(engine) == 0
