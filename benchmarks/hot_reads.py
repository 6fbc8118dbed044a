"""The hot reads through their query ports, against the same reads done the naive way through the ORM.

    .venv/bin/python benchmarks/hot_reads.py [--small] [--iterations 500] [--server-url postgresql://...]

Creates a scratch database ``whaticket_bench_<random>`` on the PostgreSQL server (default 127.0.0.1:5432), migrates
and seeds it with ``seed_volume.py`` (50k tickets / 500k messages; ``--small``: 5k / 50k), and drops it at the end.
In-process, one operation at a time after a warm-up, it times for an agent (role ``user``, 2 queues):

- the open-ticket list's first page (``SqlTicketQueries.list_tickets``);
- its next page, through the first page's cursor;
- a page deep in the list (about 80% of the way), through a keyset cursor;
- the tab counts (``SqlTicketQueries.count_tickets``);
- the first message page of the ticket with the most messages (``SqlMessageQueries.list_messages``).

Baseline, each read the naive way: an ORM session, ``select`` of mapped classes (``joinedload`` of the contact for
tickets), the objects converted to the same read models; pages past the first by OFFSET; counts as one ORM count per
status. Both sides return the same rows (checked before timing). The ratio printed is ops/s of the query port divided
by ops/s of the baseline (above 1: the port is faster). Two reference rows follow for the first page: the port on an
engine with ``pool_pre_ping`` (as create_engine had it until 2026-11-29), and the same SQL as a bare asyncpg prepared
statement (the driver's floor).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from bench_support import DEFAULT_SERVER, FULL, SMALL, Figures, measure, run_cancellable, scratch_database
from naive_reads import NaiveReads
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from whaticket_adapters.sql.database import SqlMessageQueries, SqlTicketQueries, create_engine
from whaticket_adapters.sql.models import TicketRow, table_of
from whaticket_adapters.sql.queries import visible_to
from whaticket_core.domain.pagination import encode_cursor
from whaticket_core.domain.read_models import ContactSummary, TicketView
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.queries import TicketListQuery

_T = table_of(TicketRow)


async def _pick(engine: AsyncEngine) -> tuple[Viewer, int]:
    """The agent with 2 queues who sees the most open tickets, and the ticket with the most messages."""
    async with engine.connect() as conn:
        agents = (
            await conn.execute(
                text(
                    "SELECT u.id, array_agg(uq.queue_id) FROM users u JOIN user_queues uq ON uq.user_id = u.id "
                    "WHERE u.role = 'user' GROUP BY u.id HAVING count(*) = 2 ORDER BY u.id"
                )
            )
        ).all()
        busiest = (
            await conn.execute(text("SELECT ticket_id FROM messages GROUP BY ticket_id ORDER BY count(*) DESC LIMIT 1"))
        ).scalar_one()
    queries = SqlTicketQueries(engine)
    viewers = [Viewer(user_id, Role.USER, frozenset(queues)) for user_id, queues in agents]
    open_counts = [(await queries.count_tickets(TicketListQuery(v))).open for v in viewers]
    return viewers[open_counts.index(max(open_counts))], busiest


async def _cursor_at(engine: AsyncEngine, viewer: Viewer, offset: int) -> str:
    """The keyset cursor a client would hold after paging down to ``offset`` (the last row before it)."""
    statement = (
        select(_T.c.updated_at, _T.c.id)
        .where(visible_to(viewer), _T.c.status == TicketStatus.OPEN.value)
        .order_by(_T.c.updated_at.desc(), _T.c.id.desc())
        .offset(offset - 1)
        .limit(1)
    )
    async with engine.connect() as conn:
        updated_at, ticket_id = (await conn.execute(statement)).one()
    return encode_cursor(updated_at.isoformat(), ticket_id)


async def _bare_asyncpg_list(
    conn: AsyncConnection, tickets: SqlTicketQueries, query: TicketListQuery
) -> Callable[[TicketListQuery], Awaitable[list[TicketView]]]:
    """The list's SQL (values inlined) as one asyncpg prepared statement on a held connection, records mapped to the
    same read models: what SQLAlchemy Core and the pool cost on top of the driver."""
    sql = str(tickets.list_statement(query).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    driver = (await conn.get_raw_connection()).driver_connection
    assert driver is not None
    prepared = await driver.prepare(sql)

    async def run(_: TicketListQuery) -> list[TicketView]:
        return [_record_view(r) for r in await prepared.fetch()][: query.limit]

    return run


def _record_view(r: Any) -> TicketView:
    return TicketView(
        id=r["id"],
        status=TicketStatus(r["status"]),
        contact=ContactSummary(
            r["contact_id"], r["contact_name"], r["contact_number"], r["contact_profile_pic_url"], r["contact_is_group"]
        ),
        whatsapp_id=r["whatsapp_id"],
        queue_id=r["queue_id"],
        user_id=r["user_id"],
        unread_messages=r["unread_messages"],
        last_message=r["last_message"],
        last_message_at=r["last_message_at"],
        is_group=r["is_group"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        closed_at=r["closed_at"],
    )


async def run(args: argparse.Namespace) -> None:
    tickets_n, messages_n = SMALL if args.small else FULL
    started = time.perf_counter()
    async with scratch_database(args.server_url, tickets_n, messages_n) as url:
        engine = create_engine(url)
        try:
            await _bench(engine, url, args, tickets_n, messages_n)
        finally:
            await engine.dispose()
    print(f"\ntotal {time.perf_counter() - started:.0f}s (seeding included); scratch database dropped")


async def _bench(engine: AsyncEngine, url: str, args: argparse.Namespace, tickets_n: int, messages_n: int) -> None:
    limit = args.limit
    tickets, messages, naive = SqlTicketQueries(engine), SqlMessageQueries(engine), NaiveReads(engine)
    viewer, busiest = await _pick(engine)
    visible_open = (await tickets.count_tickets(TicketListQuery(viewer))).open
    depth = max(limit, int(visible_open * 0.8) // limit * limit)
    first_query = TicketListQuery(viewer, status=TicketStatus.OPEN, limit=limit)
    first = await tickets.list_tickets(first_query)
    assert first.next_cursor is not None, "the agent's open list must have a second page"
    next_query = TicketListQuery(viewer, status=TicketStatus.OPEN, limit=limit, cursor=first.next_cursor)
    deep_query = TicketListQuery(
        viewer, status=TicketStatus.OPEN, limit=limit, cursor=await _cursor_at(engine, viewer, depth)
    )
    open_ = TicketStatus.OPEN

    # Like with like: each baseline returns exactly what its query port returns.
    assert first.items == await naive.list_tickets(viewer, open_, limit, 0)
    assert (await tickets.list_tickets(next_query)).items == await naive.list_tickets(viewer, open_, limit, limit)
    assert (await tickets.list_tickets(deep_query)).items == await naive.list_tickets(viewer, open_, limit, depth)
    assert await tickets.count_tickets(first_query) == await naive.count_tickets(viewer)
    assert (await messages.list_messages(busiest, limit=limit)).items == await naive.list_messages(busiest, limit)

    cases: list[tuple[str, Callable[[], Awaitable[Any]], str, Callable[[], Awaitable[Any]]]] = [
        (
            "ticket list, first page",
            lambda: tickets.list_tickets(first_query),
            "ORM joinedload(contact)",
            lambda: naive.list_tickets(viewer, open_, limit, 0),
        ),
        (
            "ticket list, next page (cursor)",
            lambda: tickets.list_tickets(next_query),
            f"ORM OFFSET {limit}",
            lambda: naive.list_tickets(viewer, open_, limit, limit),
        ),
        (
            f"ticket list, page at row {depth} (cursor)",
            lambda: tickets.list_tickets(deep_query),
            f"ORM OFFSET {depth}",
            lambda: naive.list_tickets(viewer, open_, limit, depth),
        ),
        (
            "tab counts",
            lambda: tickets.count_tickets(first_query),
            "ORM, one count per status",
            lambda: naive.count_tickets(viewer),
        ),
        (
            "message page, first",
            lambda: messages.list_messages(busiest, limit=limit),
            "ORM select(Message)",
            lambda: naive.list_messages(busiest, limit),
        ),
    ]
    print(
        f"\n{tickets_n:,} tickets / {messages_n:,} messages; agent {viewer.user_id} (queues "
        f"{sorted(viewer.queue_ids)}) sees {visible_open:,} open tickets; page size {limit}; "
        f"busiest ticket {busiest}"
    )
    print(
        f"each case: {args.warmup} warm-up runs, then up to {args.iterations} runs one at a time "
        f"({args.budget:g}s cap); load average before: {_load()}\n"
    )
    header = (
        f"{'read':<38} {'side':<34} {'n':>4} {'p50 ms':>7} {'p99 ms':>7} {'ops/s':>6} {'cpu ms':>7}  "
        f"{'port/baseline':>13}"
    )
    print(header)
    print("-" * len(header))
    baselines: list[Figures] = []
    for title, port_op, baseline_title, baseline_op in cases:
        port = await measure(port_op, iterations=args.iterations, warmup=args.warmup, budget_s=args.budget)
        base = await measure(baseline_op, iterations=args.iterations, warmup=args.warmup, budget_s=args.budget)
        baselines.append(base)
        print(_row(title, "query port", port, ""))
        print(_row("", f"baseline: {baseline_title}", base, f"{port.ops / base.ops:.2f}x"))

    # Where the port's time goes, on the first page: what a pool pre-ping (on asyncpg a BEGIN, a ping and a ROLLBACK
    # at every checkout; create_engine set it until 2026-11-29) would add, and SQLAlchemy Core itself, against the
    # same SQL sent straight through asyncpg.
    pinged = create_engine(url, pool_pre_ping=True)
    try:
        async with engine.connect() as held:
            bare = await _bare_asyncpg_list(held, tickets, first_query)
            assert await bare(first_query) == first.items
            await _references(pinged, bare, first_query, args, baselines[0])
    finally:
        await pinged.dispose()


async def _references(
    pinged: AsyncEngine,
    bare: Callable[[TicketListQuery], Awaitable[list[TicketView]]],
    first_query: TicketListQuery,
    args: argparse.Namespace,
    baseline: Figures,
) -> None:
    references = [
        ("reference: port, with pool_pre_ping", SqlTicketQueries(pinged).list_tickets),
        ("reference: same SQL, bare asyncpg", bare),
    ]
    print()
    for side, op in references:
        ref = await measure(
            lambda op=op: op(first_query), iterations=args.iterations, warmup=args.warmup, budget_s=args.budget
        )
        print(_row("ticket list, first page", side, ref, f"{ref.ops / baseline.ops:.2f}x"))
    print(
        "\nport/baseline = ops/s of the query port / ops/s of the baseline (above 1: the port is faster); "
        "cpu ms = this process's CPU per operation"
    )
    print(f"load average after: {_load()} (other work on the machine skews wall times; cpu ms much less)")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _row(title: str, side: str, f: Figures, ratio: str) -> str:
    return f"{title:<38} {side:<34} {f.n:>4} {f.p50:>7.2f} {f.p99:>7.2f} {f.ops:>6.0f} {f.cpu_ms:>7.2f}  {ratio:>13}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server-url", default=DEFAULT_SERVER, help="any database on the PostgreSQL server")
    parser.add_argument("--small", action="store_true", help=f"{SMALL[0]:,} tickets / {SMALL[1]:,} messages")
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--budget", type=float, default=6.0, help="seconds at most per measured case and side")
    parser.add_argument("--limit", type=int, default=40, help="page size")
    run_cancellable(run(parser.parse_args()))


if __name__ == "__main__":
    main()
