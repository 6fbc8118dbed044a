"""The ``backend`` fixture: the same contract tests run against the in-memory fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import (
    SqlAuthUserQueries,
    SqlMessageQueries,
    SqlReportQueries,
    SqlTicketQueries,
    SqlUnitOfWork,
    create_session_factory,
)
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.testing import (
    InMemoryAuthUserQueries,
    InMemoryMessageQueries,
    InMemoryReportQueries,
    InMemoryStore,
    InMemoryTicketQueries,
    InMemoryUnitOfWork,
)


@dataclass
class Backend:
    name: str
    new_uow: Callable[[], UnitOfWork]
    tickets: Any  # TicketQueries & TicketCounter
    messages: Any  # MessageQueries
    auth_users: Any  # AuthUserQueries
    reports: Any  # ReportQueries


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def backend(
    request: pytest.FixtureRequest, sqlite_engine: AsyncEngine, pg_engine: AsyncEngine, db_reset: Any
) -> Backend:
    if request.param == "memory":
        store = InMemoryStore()
        return Backend(
            "memory",
            lambda: InMemoryUnitOfWork(store),
            InMemoryTicketQueries(store),
            InMemoryMessageQueries(store),
            InMemoryAuthUserQueries(store),
            InMemoryReportQueries(store),
        )
    engine = sqlite_engine if request.param == "sqlite" else pg_engine
    await db_reset(engine)
    sessions = create_session_factory(engine)
    return Backend(
        request.param,
        lambda: SqlUnitOfWork(sessions),
        SqlTicketQueries(engine),
        SqlMessageQueries(engine),
        SqlAuthUserQueries(engine),
        SqlReportQueries(engine),
    )
