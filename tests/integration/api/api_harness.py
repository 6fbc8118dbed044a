"""Helpers of the API tests: the app in-process over a real PostgreSQL database (the shared ``pg_engine``),
one event loop throughout.

The live parts a test should observe or that would talk to WhatsApp are the core's stateful fakes: the publisher
records events, the job queue keeps jobs, the transport records sends. Everything else is the real wiring.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from api_world import World
from dishka import Provider, Scope, provide
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.security import Argon2PasswordHasher
from whaticket_adapters.sql.models import metadata
from whaticket_api.app import create_app
from whaticket_api.settings import Settings
from whaticket_core.ports import (
    EventPublisher,
    JobQueue,
    JobScheduler,
    MediaFetcher,
    MessageSender,
    PasswordHasher,
    SessionController,
)
from whaticket_core.testing import (
    FakeMediaFetcher,
    FakeMessageSender,
    FakeSessionController,
    InMemoryJobQueue,
    RecordingPublisher,
)

JWT_SECRET = "test-access-secret-" + "x" * 40
JWT_REFRESH_SECRET = "test-refresh-secret-" + "y" * 40
PASSWORD = "correct-horse-battery"


@dataclass
class Live:
    """The fakes behind the app, for assertions."""

    publisher: RecordingPublisher
    jobs: InMemoryJobQueue
    sender: FakeMessageSender
    sessions: FakeSessionController
    fetcher: FakeMediaFetcher


class RecordingProvider(Provider):
    """The test database, cheap argon2 and recording fakes for events and jobs; the app's own transport."""

    scope = Scope.APP

    def __init__(self, engine: AsyncEngine, live: Live) -> None:
        super().__init__()
        self._engine = engine
        self._live = live

    @provide
    def engine(self) -> AsyncEngine:
        return self._engine

    @provide
    def hasher(self) -> PasswordHasher:
        # Cheap parameters: still argon2id, verified by the same code, without a second per hash.
        return Argon2PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)

    @provide
    def publisher(self) -> EventPublisher:
        return self._live.publisher

    @provide
    def jobs(self) -> JobQueue:
        return self._live.jobs

    @provide
    def scheduler(self) -> JobScheduler:
        return self._live.jobs


class FakesProvider(RecordingProvider):
    """RecordingProvider with fake WhatsApp transports as well."""

    @provide
    def sender(self) -> MessageSender:
        return self._live.sender

    @provide
    def sessions(self) -> SessionController:
        return self._live.sessions

    @provide
    def fetcher(self) -> MediaFetcher:
        return self._live.fetcher


def make_settings(data_dir: Path, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "jwt_secret": JWT_SECRET,
        "jwt_refresh_secret": JWT_REFRESH_SECRET,
        "data_dir": data_dir,
        "app_env": "test",
        "auth_rate_limit_per_minute": 100_000,
        # Tests replay refresh tokens at once; the two-tabs grace window has a test of its own.
        "refresh_reuse_grace": timedelta(0),
    }
    values.update(changes)
    return Settings(**values)


async def empty_tables(engine: AsyncEngine) -> None:
    """DELETE every row (children first). Much faster than TRUNCATE for these tiny tables, and no test here
    depends on ids restarting."""
    async with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            await conn.execute(table.delete())


def build_app(engine: AsyncEngine, live: Live, data_dir: Path, **changes: Any) -> Litestar:
    return create_app(make_settings(data_dir, **changes), overrides=[FakesProvider(engine, live)])


@asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[None]:
    """The app's lifespan held by a task of its own: pytest-asyncio sets a fixture up and tears it down in
    different tasks, and anyio's cancel scopes inside the lifespan must be left in the task that entered them."""
    started, stop = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with app.lifespan():
            started.set()
            await stop.wait()

    task = asyncio.create_task(hold())
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if task.done():
        waiter.cancel()
        task.result()
    try:
        yield
    finally:
        stop.set()
        await task


def client_for(app: Litestar) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test/api/v1")


WorldFactory = Callable[[], Awaitable[World]]
