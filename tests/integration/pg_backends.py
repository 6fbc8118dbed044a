"""Ending a pooled PostgreSQL connection from the server side, as a restart or an administrator would."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def terminate_pooled_connection(engine: AsyncEngine, admin: AsyncEngine) -> None:
    """Terminates the connection ``engine`` hands out next (its pool holds one) and waits until the server has
    ended that backend."""
    async with engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    async with admin.connect() as conn:
        assert (await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})).scalar_one()
        query = text("SELECT count(*) = 0 FROM pg_stat_activity WHERE pid = :pid")
        for _ in range(400):
            if (await conn.execute(query, {"pid": pid})).scalar_one():
                return
            # pg_stat_activity is a snapshot kept for the whole transaction: end it, or the backend looks alive forever.
            await conn.commit()
            await asyncio.sleep(0.025)
    raise AssertionError(f"backend {pid} still alive")
