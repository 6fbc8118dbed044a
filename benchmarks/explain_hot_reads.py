"""Print EXPLAIN (ANALYZE, BUFFERS) of the hot reads exactly as the query adapters build them.

    .venv/bin/python benchmarks/explain_hot_reads.py postgresql://postgres@127.0.0.1:5432/whaticket_bench

Run after ``seed_volume.py``. Plans: an agent's (role ``user`` with queues) open-ticket list, first and second page;
the first message page of the ticket with the most messages, and its second page.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import SqlMessageQueries, SqlTicketQueries, create_engine
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.queries import TicketListQuery


def _sql(statement: Any) -> str:
    return str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


async def _explain(engine: AsyncEngine, title: str, statement: Any) -> None:
    sql = _sql(statement)
    async with engine.connect() as conn:
        await conn.execute(text(sql))  # warm the cache: the hot reads run against a warm buffer pool
        plan = (await conn.execute(text(f"EXPLAIN (ANALYZE, BUFFERS) {sql}"))).scalars().all()
    print(f"=== {title}\n{sql}\n")
    print("\n".join(plan))
    print()


async def main(url: str) -> None:
    engine = create_engine(url)
    tickets, messages = SqlTicketQueries(engine), SqlMessageQueries(engine)
    try:
        async with engine.connect() as conn:
            agent = (
                await conn.execute(
                    text(
                        "SELECT u.id, array_agg(uq.queue_id) FROM users u JOIN user_queues uq ON uq.user_id = u.id "
                        "WHERE u.role = 'user' GROUP BY u.id ORDER BY u.id LIMIT 1"
                    )
                )
            ).one()
            busiest = (
                await conn.execute(
                    text("SELECT ticket_id FROM messages GROUP BY ticket_id ORDER BY count(*) DESC LIMIT 1")
                )
            ).scalar_one()
        viewer = Viewer(agent[0], Role.USER, frozenset(agent[1]))
        print(f"agent {viewer.user_id} with queues {sorted(viewer.queue_ids)}; busiest ticket {busiest}\n")

        query = TicketListQuery(viewer, status=TicketStatus.OPEN, limit=20)
        await _explain(engine, "agent ticket list, status open, first page", tickets.list_statement(query))
        first = await tickets.list_tickets(query)
        if first.next_cursor:
            second = TicketListQuery(viewer, status=TicketStatus.OPEN, limit=20, cursor=first.next_cursor)
            await _explain(engine, "agent ticket list, status open, second page", tickets.list_statement(second))

        page = messages.page_statement(busiest, limit=20)
        await _explain(engine, "message page of a ticket, first page", page)
        first_messages = await messages.list_messages(busiest, limit=20)
        if first_messages.next_cursor:
            nxt = messages.page_statement(busiest, limit=20, cursor=first_messages.next_cursor)
            await _explain(engine, "message page of a ticket, second page", nxt)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url", help="PostgreSQL URL of a seeded database")
    asyncio.run(main(parser.parse_args().url))
