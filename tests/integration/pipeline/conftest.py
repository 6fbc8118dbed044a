"""Fixtures of the pipeline suite: a running production deployment per test (serve and workers as processes)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pipeline_deployment import REDIS_URL, Deployment
from redis.asyncio import Redis

from whaticket_adapters.sql.migrate import upgrade


@pytest.fixture
async def deployment(empty_pg_url: str, tmp_path: Path) -> AsyncIterator[Deployment]:
    """A migrated database of the test's own, an emptied Redis database, and no process yet."""
    await upgrade(empty_pg_url)
    redis = Redis.from_url(REDIS_URL)
    await redis.flushdb()
    made = Deployment(empty_pg_url, tmp_path)
    try:
        yield made
    finally:
        await made.close()
        await redis.flushdb()
        await redis.aclose()
