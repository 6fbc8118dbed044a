"""Engine configuration: ``DATABASE_URL`` picks PostgreSQL (asyncpg); without it a SQLite file in ``DATA_DIR``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

SQLITE_FILE = "whaticket.db"
# Execution option marking the unit of work's connections: on SQLite they BEGIN IMMEDIATE (take the write lock up
# front) so a read-then-write transaction never fails half-way with "database is locked".
WRITE_OPTION = "whaticket_write"
POOL_RECYCLE_SECONDS = 1800


def normalize_url(url: str | URL) -> URL:
    """Accept what providers hand out (``postgres://``, ``postgresql://``, ``postgresql+psycopg2://``) and pick the
    async drivers: asyncpg for PostgreSQL, aiosqlite for SQLite."""
    parsed = make_url(str(url)) if isinstance(url, str) else url
    backend = parsed.get_backend_name()
    if backend in ("postgres", "postgresql"):
        return parsed.set(drivername="postgresql+asyncpg")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    raise ValueError(f"unsupported database URL scheme {parsed.drivername!r} (use postgresql:// or sqlite://)")


def database_url_from_env(environ: Mapping[str, str] | None = None) -> URL:
    """``DATABASE_URL`` when set, else ``sqlite:///<DATA_DIR or ./data>/whaticket.db`` (the folder is created)."""
    env = os.environ if environ is None else environ
    raw = env.get("DATABASE_URL", "").strip()
    if raw:
        return normalize_url(raw)
    data_dir = Path(env.get("DATA_DIR", "") or "data").resolve()
    data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    return normalize_url(f"sqlite:///{data_dir / SQLITE_FILE}")


def is_sqlite(engine_or_url: AsyncEngine | URL | str) -> bool:
    url = engine_or_url.url if isinstance(engine_or_url, AsyncEngine) else make_url(str(engine_or_url))
    return url.get_backend_name() == "sqlite"


def create_engine(url: str | URL, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` (normalised first). SQLite gets foreign keys, WAL and a busy timeout."""
    url = normalize_url(url)
    # JSON columns (reactions, extra info) decoded by msgspec: the standard library's json.loads took ~10 % of a
    # message page's CPU. Same results for the JSON these columns hold.
    kwargs.setdefault("json_deserializer", msgspec.json.decode)
    if url.get_backend_name() != "sqlite":
        # No pool_pre_ping: on asyncpg it costs a BEGIN, a ping and a ROLLBACK at every checkout, i.e. three round
        # trips per hot read. Connections are renewed before server or proxy idle timeouts close them, and a
        # connection dropped anyway fails on first use as a disconnect: SQLAlchemy then discards every pooled
        # connection older than it, the adapters raise SqlStoreError and the query readers retry once.
        kwargs.setdefault("pool_recycle", POOL_RECYCLE_SECONDS)
        return create_async_engine(url, **kwargs)
    engine = create_async_engine(url, **kwargs)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Driver autocommit: SQLAlchemy's "begin" hook below emits BEGIN itself (pysqlite's implicit BEGIN would
        # come only before the first write, leaving earlier reads outside the transaction).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get(WRITE_OPTION) else "BEGIN")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """What :class:`~whaticket_adapters.sql.unit_of_work.SqlUnitOfWork` is built with: its bound engine (with the
    write option) gives the unit of work its connections."""
    return async_sessionmaker(engine.execution_options(**{WRITE_OPTION: True}), expire_on_commit=False)
