"""The reporting summary on a realistic volume: the report events of 50k tickets (created, first response, closed,
rating), then ``GET /reports/summary``'s query port timed and its PostgreSQL statements EXPLAIN ANALYZEd.

    .venv/bin/python benchmarks/report_summary.py [--tickets 50000] [--server-url postgresql://postgres@127.0.0.1:5432/postgres]
    .venv/bin/python benchmarks/report_summary.py --sqlite   # the embedded default: percentiles computed in Python

It makes a scratch database ``whaticket_bench_<random>`` (migrated to head), fills ``report_events`` with COPY, runs
ANALYZE, and drops the database at the end, even on failure or Ctrl-C. About 30 s. With ``--sqlite`` the scratch
database is a SQLite file in a temporary directory (no EXPLAIN: the plan that matters is PostgreSQL's).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from bench_support import DEFAULT_SERVER, measure, run_cancellable
from sqlalchemy import insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url

from whaticket_adapters.sql.database import SqlReportQueries, create_engine, upgrade
from whaticket_adapters.sql.models import table_of
from whaticket_adapters.sql.models_agent_tools import ReportEventRow
from whaticket_adapters.sql.queries.reports import report_params
from whaticket_core.domain.reports import ReportFilter

END = datetime(2026, 11, 1, tzinfo=UTC)
SPAN = timedelta(days=90)
QUEUES, AGENTS = 8, 40
COLUMNS = ("kind", "ticket_id", "at", "queue_id", "user_id", "seconds", "value")


@asynccontextmanager
async def scratch(server_url: str) -> AsyncIterator[str]:
    name = f"whaticket_bench_{secrets.token_hex(4)}"
    admin = make_url(server_url).set(drivername="postgresql")
    admin_dsn = admin.render_as_string(hide_password=False)
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def events(tickets: int) -> list[tuple[object, ...]]:
    """Per ticket: created; 90% get a first response (lognormal, median ~4 min), 80% are closed (median ~3 h), 30%
    are rated 1-5 (mostly 4-5)."""
    rng = random.Random(7)
    rows: list[tuple[object, ...]] = []
    for ticket_id in range(1, tickets + 1):
        created = END - SPAN + timedelta(seconds=rng.uniform(0, SPAN.total_seconds() - 86_400))
        queue = rng.randint(1, QUEUES)
        agent = rng.randint(1, AGENTS)
        rows.append(("created", ticket_id, created, queue, None, None, None))
        if rng.random() < 0.9:
            wait = int(rng.lognormvariate(5.5, 1.2))
            rows.append(("first_response", ticket_id, created + timedelta(seconds=wait), queue, agent, wait, None))
        if rng.random() < 0.8:
            took = int(rng.lognormvariate(9.3, 1.0))
            closed = created + timedelta(seconds=took)
            rows.append(("closed", ticket_id, closed, queue, agent, took, None))
            if rng.random() < 0.375:
                score = rng.choices([1, 2, 3, 4, 5], [5, 5, 10, 30, 50])[0]
                rows.append(("rating", ticket_id, closed + timedelta(minutes=5), queue, agent, None, score))
    return rows


CASES = {
    "last 30 days": ReportFilter(END - timedelta(days=30), END),
    "whole 90 days": ReportFilter(END - SPAN, END),
    "90 days, one queue": ReportFilter(END - SPAN, END, queue_id=3),
    "90 days, one agent": ReportFilter(END - SPAN, END, user_id=7),
}


async def time_cases(queries: SqlReportQueries) -> None:
    print(f"\n{'case':<22} {'n':>4} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms':>8}")
    for title, report in CASES.items():
        figures = await measure(lambda r=report: queries.summary(r), iterations=30, warmup=3, budget_s=20)
        print(f"{title:<22} {figures.n:>4} {figures.p50:>8.1f} {figures.p99:>8.1f} {figures.cpu_ms:>8.2f}")
    whole = await queries.summary(CASES["whole 90 days"])
    print(f"\nwhole range: {whole.totals}\n")


async def main_sqlite(tickets: int) -> None:
    print(f"load average before: {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="whaticket-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        await upgrade(url)
        engine = create_engine(url)
        try:
            rows = events(tickets)
            started = time.perf_counter()
            async with engine.begin() as conn:
                await conn.execute(
                    insert(table_of(ReportEventRow)), [dict(zip(COLUMNS, row, strict=True)) for row in rows]
                )
            print(f"seeded {len(rows)} report events of {tickets} tickets in {time.perf_counter() - started:.1f} s")
            await time_cases(SqlReportQueries(engine))
        finally:
            await engine.dispose()
    print(f"load average after: {os.getloadavg()}")


async def main(server_url: str, tickets: int) -> None:
    print(f"load average before: {os.getloadavg()}")
    async with scratch(server_url) as url:
        await upgrade(url)
        rows = events(tickets)
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        conn = await asyncpg.connect(dsn)
        try:
            started = time.perf_counter()
            await conn.copy_records_to_table(
                "report_events",
                records=rows,
                columns=list(COLUMNS),
            )
            await conn.execute("ANALYZE report_events")
            print(f"seeded {len(rows)} report events of {tickets} tickets in {time.perf_counter() - started:.1f} s")
        finally:
            await conn.close()

        engine = create_engine(url)
        queries = SqlReportQueries(engine)
        try:
            await time_cases(queries)
            async with engine.connect() as conn:
                statement = queries.statement(CASES["whole 90 days"])
                compiled = statement.compile(dialect=engine.dialect)
                bound = compiled.construct_params(report_params(CASES["whole 90 days"]))
                values = tuple(bound[name] for name in compiled.positiontup or ())
                plan = await conn.exec_driver_sql(f"EXPLAIN (ANALYZE, BUFFERS) {compiled}", values)
                print(f"=== {statement.compile(dialect=postgresql.dialect())}\n")
                print("\n".join(plan.scalars().all()))
                print()
        finally:
            await engine.dispose()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--server-url", default=DEFAULT_SERVER)
    parser.add_argument("--sqlite", action="store_true", help="measure the embedded default (SQLite) instead")
    args = parser.parse_args()
    run_cancellable(main_sqlite(args.tickets) if args.sqlite else main(args.server_url, args.tickets))
