"""Fixtures of the API tests (the helpers they use live in ``api_harness``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
from api_harness import Live, WorldFactory, build_app, client_for, empty_tables, running
from api_world import World
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_core.testing import (
    FakeMediaFetcher,
    FakeMessageSender,
    FakeSessionController,
    InMemoryJobQueue,
    RecordingPublisher,
)


@pytest.fixture
def live() -> Live:
    return Live(
        RecordingPublisher(), InMemoryJobQueue(), FakeMessageSender(), FakeSessionController(), FakeMediaFetcher()
    )


@pytest.fixture
async def clean_db(pg_engine: AsyncEngine) -> AsyncEngine:
    await empty_tables(pg_engine)
    return pg_engine


@pytest.fixture
def app(clean_db: AsyncEngine, live: Live, tmp_path: Path) -> Litestar:
    return build_app(clean_db, live, tmp_path)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app), client_for(app) as c:
        yield c


@pytest.fixture
async def world(client: httpx.AsyncClient, app: Litestar) -> World:
    return await World(client, app).seed()


@pytest.fixture
async def new_world(pg_engine: AsyncEngine, live: Live, tmp_path: Path) -> AsyncIterator[WorldFactory]:
    """Builds another blank, seeded world (database emptied, new app) each time it is called within one test."""
    async with AsyncExitStack() as stack:

        async def make() -> World:
            await empty_tables(pg_engine)
            app = build_app(pg_engine, live, tmp_path)
            await stack.enter_async_context(running(app))
            client = await stack.enter_async_context(client_for(app))
            return await World(client, app).seed()

        yield make
