"""Database fixtures shared by every integration suite.

- ``pg_url`` / ``sqlite_url`` (session): a fresh database with a random name (a temporary file for SQLite), migrated
  to head, dropped after the run. Nothing else on the server is touched.
- ``pg_engine`` / ``sqlite_engine`` (session): async engines on them (``database.create_engine``).
- ``empty_pg_url`` / ``empty_sqlite_url`` (function): a fresh database with no schema, dropped after the test.
- ``reset_database(engine)``: empties every app table (ids restart) so a test starts from a blank store.

The PostgreSQL server is taken from TEST_PG_HOST / TEST_PG_PORT / TEST_PG_USER / TEST_PG_PASSWORD (default
postgres@127.0.0.1:5432, the CI service).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import create_engine, is_sqlite, upgrade
from whaticket_adapters.sql.models import metadata

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("TEST_PG_USER", "postgres")
PG_PASSWORD = os.environ.get("TEST_PG_PASSWORD") or None


def _pg_url(database: str) -> str:
    return URL.create(
        "postgresql", username=PG_USER, password=PG_PASSWORD, host=PG_HOST, port=PG_PORT, database=database
    ).render_as_string(hide_password=False)


async def _admin() -> asyncpg.Connection:
    return await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, password=PG_PASSWORD, database="postgres")


async def create_pg_database(prefix: str = "whaticket_test") -> str:
    """A new empty database with a random name; returns its plain ``postgresql://`` URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = await _admin()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return _pg_url(name)


async def drop_pg_database(url: str) -> None:
    name = make_url(url).database or ""
    if not name.startswith("whaticket_"):  # never drop anything these fixtures did not create
        raise ValueError(f"refusing to drop {name!r}")
    admin = await _admin()
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def reset_database(engine: AsyncEngine) -> None:
    """Empties every table of the app's schema."""
    tables = [t.name for t in metadata.sorted_tables]
    async with engine.begin() as conn:
        if is_sqlite(engine):
            for name in reversed(tables):
                await conn.execute(text(f'DELETE FROM "{name}"'))
            # AUTOINCREMENT keeps each table's high-water mark here: forget it so ids restart at 1.
            await conn.execute(text("DELETE FROM sqlite_sequence"))
        else:
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def db_reset() -> Any:
    """``reset_database`` as a fixture, for suites that cannot import this conftest."""
    return reset_database


@pytest.fixture(scope="session")
async def pg_url() -> AsyncIterator[str]:
    url = await create_pg_database()
    try:
        await upgrade(url)
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture(scope="session")
async def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("sqlite") / "whaticket.db"
    url = f"sqlite:///{path}"
    await upgrade(url)
    return url


@pytest.fixture(scope="session")
async def pg_engine(pg_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(pg_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
async def sqlite_engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(sqlite_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def empty_pg_url() -> AsyncIterator[str]:
    url = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(url)


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'empty.db'}"
