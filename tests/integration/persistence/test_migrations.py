"""Migrations: every revision goes up, down and up again on both databases; models and migrations agree."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from whaticket_adapters.sql.database import (
    create_engine,
    current_revision,
    downgrade,
    revisions,
    schema_differences,
    upgrade,
)
from whaticket_adapters.sql.models import metadata

APP_TABLES = {t.name for t in metadata.sorted_tables}


async def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue("empty_sqlite_url" if request.param == "sqlite" else "empty_pg_url")


async def test_stairway_each_revision_up_down_up(empty_url):
    steps = revisions()
    assert steps, "no migration revisions found"
    previous = "base"
    for revision in steps:
        await upgrade(empty_url, revision)
        assert await current_revision(empty_url) == revision
        await downgrade(empty_url, previous)
        assert await current_revision(empty_url) == (None if previous == "base" else previous)
        await upgrade(empty_url, revision)
        previous = revision
    assert await _tables(empty_url) >= APP_TABLES
    await downgrade(empty_url, "base")
    assert not (APP_TABLES & await _tables(empty_url))


# SQLite cannot reflect expression indexes (lower(name)): alembic skips them there, PostgreSQL compares them.
@pytest.mark.filterwarnings("ignore:autogenerate skipping", "ignore:Skipped unsupported reflection")
async def test_models_and_migrations_agree(empty_url):
    await upgrade(empty_url)
    assert await schema_differences(empty_url) == []


@pytest.mark.filterwarnings("ignore:autogenerate skipping", "ignore:Skipped unsupported reflection")
async def test_other_libraries_tables_are_left_out_of_the_comparison(empty_url):
    await upgrade(empty_url)
    engine = create_engine(empty_url)
    try:
        async with engine.begin() as conn:
            await conn.exec_driver_sql("CREATE TABLE whatsmeow_device (jid TEXT PRIMARY KEY)")
            await conn.exec_driver_sql("CREATE TABLE saq_jobs (key TEXT PRIMARY KEY)")
    finally:
        await engine.dispose()
    assert await schema_differences(empty_url) == []
    await downgrade(empty_url, "base")
    assert {"whatsmeow_device", "saq_jobs"} <= await _tables(empty_url)
