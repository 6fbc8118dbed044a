"""Fixtures of the operations suite: gates in front of PostgreSQL and Redis, and process bookkeeping."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from ops_harness import REDIS_URL, Processes, TcpGate
from redis.asyncio import Redis
from sqlalchemy.engine import make_url


@pytest.fixture
async def pg_gate() -> AsyncIterator[TcpGate]:
    # The integration suites' PostgreSQL server (the same variables as the shared fixtures read).
    gate = TcpGate(os.environ.get("TEST_PG_HOST", "127.0.0.1"), int(os.environ.get("TEST_PG_PORT", "5432")))
    await gate.open()
    yield gate
    await gate.close()


@pytest.fixture
async def redis_gate() -> AsyncIterator[TcpGate]:
    target = make_url(REDIS_URL.replace("redis://", "postgresql://"))
    gate = TcpGate(target.host or "127.0.0.1", target.port or 6379)
    await gate.open()
    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    yield gate
    await gate.close()
    await client.flushdb()
    await client.aclose()


@pytest.fixture
async def procs(tmp_path: Path) -> AsyncIterator[Processes]:
    made = Processes(tmp_path)
    yield made
    await made.stop_all()
