"""Fixtures of the API tests (the helpers they use live in ``api_harness``)."""

from __future__ import annotations

from collections import Counter
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Gives each schemathesis operation test the node id its name says (``...conforms[GET /api/v1/tickets]``).

    schemathesis 4 renames its items after building them, so their node ids stay the bare function's; pytest-xdist
    schedules by node id, and the 57 operations collapsed into one test. pytest 9 keeps the id in ``Node._id``; the
    check below fails the run, rather than test one operation silently, if that ever changes.
    """
    for item in items:
        if isinstance(getattr(item, "operation_label", None), str) and item.parent is not None:
            item._id = item.parent.id.child(item.name)
    duplicated = sorted(i for i, n in Counter(item.nodeid for item in items).items() if n > 1)
    if duplicated:
        raise pytest.UsageError(f"tests share node ids, pytest-xdist would run one of each: {duplicated[:3]}")
