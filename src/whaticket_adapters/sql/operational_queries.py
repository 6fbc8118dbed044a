"""Counts an operator watches (metrics): one statement each, on indexes the hot paths already have."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


async def count_pending_outbound(engine: AsyncEngine) -> int:
    """Messages to customers stored and not yet handed to WhatsApp (the partial index on pending outbound rows)."""
    async with engine.connect() as conn:
        value = (await conn.execute(text("SELECT count(*) FROM messages WHERE from_me AND ack = 'pending'"))).scalar()
    return int(value or 0)


async def count_connections_by_status(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as conn:
        rows = (await conn.execute(text("SELECT status, count(*) FROM whatsapps GROUP BY status"))).all()
    return {str(status): int(count) for status, count in rows}


async def count_inbox_open(engine: AsyncEngine) -> dict[str, int]:
    """Inbound events stored and not processed yet (pending) or whose processing failed (failed), by status (the
    partial index on rows not done)."""
    async with engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT status, count(*) FROM inbox_events WHERE status <> 'done' GROUP BY status"))
        ).all()
    return {str(status): int(count) for status, count in rows}


def pool_usage(engine: AsyncEngine) -> dict[str, int]:
    """This process's pool: connections in use, idle in the pool, opened beyond its size, and its size."""
    pool = engine.pool
    usage: dict[str, int] = {}
    for state, method in (("in_use", "checkedout"), ("idle", "checkedin"), ("overflow", "overflow"), ("size", "size")):
        reader = getattr(pool, method, None)
        if callable(reader):
            usage[state] = max(0, int(reader()))
    return usage
