"""Create and drop a database of a given name on the integration suites' PostgreSQL server."""

from __future__ import annotations

import os

import asyncpg


async def _admin() -> asyncpg.Connection:
    return await asyncpg.connect(
        host=os.environ.get("TEST_PG_HOST", "127.0.0.1"),
        port=int(os.environ.get("TEST_PG_PORT", "5432")),
        user=os.environ.get("TEST_PG_USER", "postgres"),
        password=os.environ.get("TEST_PG_PASSWORD") or None,
        database="postgres",
    )


async def create_named_database(name: str) -> None:
    assert name.startswith("whaticket_")
    admin = await _admin()
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def drop_named_database(name: str) -> None:
    assert name.startswith("whaticket_")  # never anything this suite did not create
    admin = await _admin()
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
