"""A pooled PostgreSQL connection the server dropped: the engine pings none at checkout, so the first use fails.

A unit of work surfaces that failure as SqlStoreError; the query readers (one idempotent statement) retry once on a
fresh connection; the pool serves fresh connections afterwards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pg_backends import terminate_pooled_connection
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import (
    SqlAuthUserQueries,
    SqlStoreError,
    SqlTicketQueries,
    SqlUnitOfWork,
    create_engine,
    create_session_factory,
)
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.queries import TicketListQuery


@pytest.fixture
async def one_connection_engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(pg_url, pool_size=1, max_overflow=0)
    yield engine
    await engine.dispose()


# Users are read through SQLAlchemy, contacts on the driver itself (see driver_path): a dead connection must be
# noticed, and never pooled again, whichever side meets it first.
@pytest.mark.parametrize("repository", ["users", "contacts"])
async def test_a_unit_of_work_on_a_dropped_connection_raises_the_adapters_error_and_pools_it_no_more(
    one_connection_engine: AsyncEngine, pg_engine: AsyncEngine, repository: str
) -> None:
    sessions = create_session_factory(one_connection_engine)
    await terminate_pooled_connection(one_connection_engine, pg_engine)
    with pytest.raises(SqlStoreError):
        async with SqlUnitOfWork(sessions) as uow:
            await getattr(uow, repository).get(1)
    async with SqlUnitOfWork(sessions) as uow:  # the pool replaced the dead connection
        assert await getattr(uow, repository).get(-1) is None


async def test_query_readers_retry_once_on_a_fresh_connection(
    one_connection_engine: AsyncEngine, pg_engine: AsyncEngine
) -> None:
    tickets = SqlTicketQueries(one_connection_engine)
    staff = TicketListQuery(Viewer(1, Role.ADMIN, frozenset()))
    expected = await tickets.count_tickets(staff)
    await terminate_pooled_connection(one_connection_engine, pg_engine)
    assert await tickets.count_tickets(staff) == expected
    await terminate_pooled_connection(one_connection_engine, pg_engine)
    assert await SqlAuthUserQueries(one_connection_engine).auth_user(-1) is None
