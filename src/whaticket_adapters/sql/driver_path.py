"""PostgreSQL: a unit of work's connection, used on the driver itself where it is hot.

Every inbound message runs the same handful of statements. Through SQLAlchemy each costs about 60-100 µs of CPU
(the greenlet hand-off, parameter and result processing) on top of the driver's ~20 µs, several times the statement
itself. These are written once as SQL text and sent with asyncpg (which prepares each once per connection); rows
reach the same mapping functions as SQLAlchemy's rows do. The connection keeps SQLAlchemy's type codecs: JSON
columns are read as Python values and written as JSON text. SQLite, and every other statement, stay on SQLAlchemy.

The connection's life follows the same reasoning: checked out of the engine's pool as a bare pooled connection,
its transaction begun, committed and rolled back on the driver, and given back, with none of SQLAlchemy's
``Connection`` and ``Transaction`` objects unless a repository sends a SQLAlchemy statement (then a ``Connection`` is
built over the same pooled connection and takes part in the same transaction). Measured alone, a unit of work
around one statement cost ~235 µs of CPU through ``AsyncConnection`` and ~140 µs this way (an asyncpg pool: ~120).

SQLAlchemy's asyncpg adapter holds the transaction: its ``_start_transaction``, ``_commit_and_discard`` and
``_rollback_and_discard`` are the coroutines its own ``cursor.execute``, ``commit()`` and ``rollback()`` await, and
``_started`` says whether one is open. Calling them keeps one transaction whichever side sends a statement; the
public ``commit()`` and ``rollback()`` would take a greenlet hop each (~20 µs a message). Private members of
SQLAlchemy: every unit of work test on PostgreSQL goes through them (tests/integration/persistence), so an upgrade
that renames one fails there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection, QueuePool
from sqlalchemy.util import greenlet_spawn

from .errors import DATABASE_ERRORS, is_driver_error, translate, translate_driver_error


class DriverRow:
    """An asyncpg record where the mapping functions expect a SQLAlchemy row (``row._mapping[...]``, ``row.name``)."""

    __slots__ = ("_mapping",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._mapping = values

    def __getattr__(self, name: str) -> Any:
        try:
            return self._mapping[name]
        except KeyError:
            raise AttributeError(name) from None


class DriverPath:
    """One unit of work's pooled connection and transaction (PostgreSQL only): statements sent on the driver, and
    SQLAlchemy's connection over the same transaction for the others. Given back by :meth:`close`, once."""

    def __init__(self, engine: AsyncEngine, pooled: PoolProxiedConnection) -> None:
        self._engine = engine
        self._pooled = pooled
        self._adapted: Any = pooled.dbapi_connection  # SQLAlchemy's adapter around the asyncpg connection
        self._driver: Any = pooled.driver_connection  # the asyncpg connection
        self._sqlalchemy: AsyncConnection | None = None
        # (id, events) of the active webhooks, when a statement of this transaction read them along with what it was
        # sent for (the connection read does): the event outbox then needs no read of its own. Webhooks are never
        # written in a unit of work, so what this transaction read stays what it would read again (bar a webhook
        # changed by another transaction in between, which a read just before commit could equally miss).
        self.active_webhooks: Sequence[tuple[int, str]] | None = None

    @classmethod
    async def checkout(cls, engine: AsyncEngine) -> DriverPath:
        """A connection of ``engine``'s pool; no statement is sent (the transaction begins with the first one)."""
        try:
            pooled = await engine.raw_connection()
        except Exception as error:
            # SQLAlchemy's pool timeout, or the driver's own error (or OSError) when a new connection is refused.
            if is_driver_error(error):
                raise translate(error) from error
            raise
        return cls(engine, pooled)

    def sqlalchemy(self) -> AsyncConnection:
        """SQLAlchemy's connection over this one, for the statements not sent on the driver; built when first asked
        for (an inbound message never asks). Its statements join the transaction the driver began, or begin it."""
        if self._sqlalchemy is None:
            self._sqlalchemy = AsyncConnection(self._engine, Connection(self._engine.sync_engine, self._pooled))
        return self._sqlalchemy

    async def _begin(self) -> None:
        """The adapter begins a transaction only before a statement sent through it, so one sent here first would
        run outside the transaction: each statement begins it when none is open (after a commit, the next one)."""
        try:
            await self._adapted._start_transaction()
        except Exception as error:
            raise translate_driver_error(error) from error

    async def fetch(self, sql: str, *args: Any) -> Sequence[Mapping[str, Any]]:
        if not self._adapted._started:
            await self._begin()
        try:
            rows: Sequence[Mapping[str, Any]] = await self._driver.fetch(sql, *args)
        except Exception as error:
            raise translate_driver_error(error) from error
        return rows

    async def fetchrow(self, sql: str, *args: Any) -> Mapping[str, Any] | None:
        # All rows, through fetch (asyncpg's fetchrow would ask the server for one: a FOR UPDATE would lock only it).
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def execute(self, sql: str, *args: Any) -> None:
        if not self._adapted._started:
            await self._begin()
        try:
            await self._driver.execute(sql, *args)
        except Exception as error:
            raise translate_driver_error(error) from error

    async def commit(self) -> None:
        """Commits what either side sent since the transaction began (nothing to do when nothing was sent)."""
        await self._end(commit=True)

    async def rollback(self) -> None:
        await self._end(commit=False)

    async def _end(self, *, commit: bool) -> None:
        # What was read along in this transaction is not carried into the next one.
        self.active_webhooks = None
        sqlalchemy = self._sqlalchemy
        if sqlalchemy is not None and sqlalchemy.in_transaction():
            # SQLAlchemy began a transaction object at its first statement: ending it through SQLAlchemy ends the
            # driver's transaction too and keeps its bookkeeping right (else its next statement would not begin one).
            try:
                await (sqlalchemy.commit() if commit else sqlalchemy.rollback())
            except DATABASE_ERRORS as error:
                raise translate(error) from error
        elif self._adapted._started:
            try:
                await (self._adapted._commit_and_discard() if commit else self._adapted._rollback_and_discard())
            except Exception as error:
                raise translate_driver_error(error) from error

    async def close(self) -> None:
        """Gives the connection back to the pool, rolling back a transaction not committed, even when the task is
        cancelled meanwhile. One the server dropped is discarded instead: nothing else notices it when only the
        driver used it (SQLAlchemy's statements do), and the pool, which pings no connection at checkout (see
        engine.py), would hand it out again."""
        if self._kept_as_it_is():
            # Nothing is sent and nothing awaited, so no cancellation can come half-way: no shield (a task per
            # message, ~25 us of CPU).
            await greenlet_spawn(self._pooled.close)
            return
        await asyncio.shield(self._give_back())

    def _kept_as_it_is(self) -> bool:
        """Whether the pool takes the connection back as it is: committed (or nothing sent), SQLAlchemy's connection
        never built, alive, and the pool not above its size (it would close a surplus connection given back)."""
        if self._sqlalchemy is not None or self._adapted._started or self._driver.is_closed():
            return False
        pool = self._engine.sync_engine.pool
        return isinstance(pool, QueuePool) and pool.overflow() <= 0

    async def _give_back(self) -> None:
        dropped = self._driver.is_closed()
        if self._sqlalchemy is not None:
            if dropped:
                await self._sqlalchemy.invalidate()
            await self._sqlalchemy.close()
        elif dropped:
            await greenlet_spawn(self._pooled.invalidate)  # closes it for good and gives its place back to the pool
        else:
            await greenlet_spawn(self._pooled.close)  # the pool rolls the transaction back
