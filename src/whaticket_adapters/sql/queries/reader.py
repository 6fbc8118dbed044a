"""What every hot read shares: where its statement runs, and one retry on a dropped connection.

On PostgreSQL a :class:`ReadConnection` holds one pooled connection for a whole HTTP request (the bearer check, the
list and its counts share it), checked out at the first read and returned at the end of the request or when the
request's unit of work begins (so a request never holds two). Statements run on the asyncpg connection itself:
autocommit (no BEGIN/ROLLBACK round trips), each statement shape compiled to SQL once per process and prepared once
per connection (asyncpg's statement cache), rows as asyncpg records unpacked by position, none of SQLAlchemy's
per-statement machinery (connection checkout, isolation level set and reset, result processing) on the way.

SQLite (the embedded default) keeps SQLAlchemy's path, a connection per statement: a connection held across the
request there would keep a read transaction (and its snapshot) open while the request writes.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, bindparam
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Executable
from sqlalchemy.util import greenlet_spawn

from ..errors import is_driver_error, is_unavailable, translate

ROW_LIMIT = bindparam("row_limit", type_=Integer)


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A statement as asyncpg runs it: ``$n`` placeholders, the parameter names in order, values fixed in the
    statement (a literal compared to a column)."""

    sql: str
    names: tuple[str, ...]
    fixed: dict[str, Any]

    def arguments(self, params: dict[str, Any]) -> list[Any]:
        return [params[name] if name in params else self.fixed[name] for name in self.names]


@functools.lru_cache(maxsize=512)  # keyed by statement object: the query modules build each shape once
def _compiled(statement: Executable, dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    names = tuple(compiled.positiontup or ())
    fixed = {name: bind.value for name, bind in compiled.binds.items() if bind.value is not None}
    return _Compiled(compiled.string, names, fixed)


class ReadConnection:
    """Where the query readers run their statements. ``per_request=True`` (an HTTP request's readers share one):
    the PostgreSQL connection is kept from the first read until :meth:`release`. ``False`` (readers that live as
    long as the process): each read checks a connection out and returns it."""

    def __init__(self, engine: AsyncEngine, *, per_request: bool = False) -> None:
        self._postgres = engine.dialect.name == "postgresql"
        # PostgreSQL: asyncpg runs each statement in autocommit as long as nobody begins a transaction, and
        # SQLAlchemy's adapter begins one only for statements sent through it. (No AUTOCOMMIT execution option: a
        # derived engine per request cost ~0.25 ms.) SQLite keeps SQLAlchemy's own BEGIN handling (engine.py).
        self._engine = engine
        self._per_request = per_request
        self._held: PoolProxiedConnection | None = None

    @property
    def postgres(self) -> bool:
        return self._postgres

    async def rows(self, statement: Executable, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        """The statement's rows (tuples by position); database failures raised as the adapter's errors."""
        try:
            try:
                return await self._read(statement, params)
            except Exception as error:
                # The engine pings no connection at checkout (see engine.py): a connection the server dropped fails
                # on first use. A read is safe to run once more on a fresh one.
                if not _dropped(error):
                    raise
                return await self._read(statement, params)
        except Exception as error:
            if is_driver_error(error):
                raise translate(error) from error
            raise

    async def release(self) -> None:
        """Returns the held connection to the pool (the end of the request, or its unit of work begins)."""
        held, self._held = self._held, None
        if held is not None:
            await greenlet_spawn(held.close)

    async def _read(self, statement: Executable, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        if not self._postgres:
            async with self._engine.connect() as conn:
                return (await conn.execute(statement, params)).all()
        compiled = _compiled(statement, self._engine.dialect)
        connection = self._held or await self._engine.raw_connection()
        try:
            records: Sequence[Sequence[Any]] = await connection.driver_connection.fetch(  # type: ignore[union-attr]
                compiled.sql, *compiled.arguments(params)
            )
        except BaseException as error:
            # A dropped connection, or a statement cancelled half-way (the client went away): never reuse it.
            self._held = None
            await _discard(self._engine, connection, error)
            raise
        if self._per_request:
            self._held = connection
        else:
            await greenlet_spawn(connection.close)
        return records


def _dropped(error: BaseException) -> bool:
    """A pooled connection that turned out dead (worth one retry), not a checkout that failed or timed out."""
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated)
    if isinstance(error, SQLAlchemyError):
        return False
    return (type(error).__module__.startswith("asyncpg") or isinstance(error, OSError)) and is_unavailable(error)


async def _discard(engine: AsyncEngine, connection: PoolProxiedConnection, error: BaseException) -> None:
    """Close ``connection`` for good (invalidating returns it to the pool as a slot to reconnect). When the server
    dropped it, the pool also forgets every connection opened before it, as SQLAlchemy does after its own statements
    fail that way: a restarted server dropped those too."""
    exception = error if isinstance(error, Exception) else None
    if exception is not None and _dropped(exception):
        # Pool._invalidate is the pool-wide invalidation SQLAlchemy itself calls; there is no public equivalent.
        await greenlet_spawn(engine.sync_engine.pool._invalidate, connection, exception)
    else:
        await greenlet_spawn(connection.invalidate, exception)


class SqlReader:
    """Base of the query readers: over an engine (a connection per read, for readers that live as long as the
    process) or over a request's :class:`ReadConnection`."""

    def __init__(self, source: AsyncEngine | ReadConnection) -> None:
        self._reads = source if isinstance(source, ReadConnection) else ReadConnection(source)

    @property
    def _postgres(self) -> bool:
        return self._reads.postgres

    async def _rows(self, statement: Executable, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        return await self._reads.rows(statement, params)
