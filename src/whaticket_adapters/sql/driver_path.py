"""PostgreSQL: the inbound path's statements sent on the driver's own connection, inside the unit of work's
transaction.

Every inbound message runs the same handful of statements. Through SQLAlchemy each costs about 60-100 µs of CPU
(the greenlet hand-off, parameter and result processing) on top of the driver's ~20 µs, several times the statement
itself. These are written once as SQL text and sent with asyncpg (which prepares each once per connection); rows
reach the same mapping functions as SQLAlchemy's rows do. The connection keeps SQLAlchemy's type codecs: JSON
columns are read as Python values and written as JSON text. SQLite, and every other statement, stay on SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from .errors import translate_driver_error


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
    """The statements of one unit of work sent on the driver (PostgreSQL only)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self._adapted: Any = None  # SQLAlchemy's adapter around the asyncpg connection
        # (id, events) of the active webhooks, when a statement of this transaction read them along with what it was
        # sent for (the connection read does): the event outbox then needs no read of its own. Webhooks are never
        # written in a unit of work, so what this transaction read stays what it would read again (bar a webhook
        # changed by another transaction in between, which a read just before commit could equally miss).
        self.active_webhooks: Sequence[tuple[int, str]] | None = None

    async def _ready(self) -> Any:
        """The asyncpg connection, its transaction begun: SQLAlchemy's adapter sends ``BEGIN`` only before its own
        first statement, so one sent here first would run outside the transaction (and after a commit, the next
        statement begins the next one, as on SQLAlchemy's side)."""
        try:
            if self._adapted is None:
                # The unit of work has checked the connection out already: reached without a round trip.
                self._adapted = self._connection.sync_connection.connection.dbapi_connection  # type: ignore[union-attr]
            if not self._adapted._started:
                if not self._connection.in_transaction():
                    # After a commit: SQLAlchemy must know of the new transaction, or its next commit is a no-op.
                    await self._connection.begin()
                await self._adapted._start_transaction()
        except Exception as error:
            raise translate_driver_error(error) from error
        return self._adapted._connection

    async def fetch(self, sql: str, *args: Any) -> Sequence[Mapping[str, Any]]:
        driver = await self._ready()
        try:
            rows: Sequence[Mapping[str, Any]] = await driver.fetch(sql, *args)
        except Exception as error:
            raise translate_driver_error(error) from error
        return rows

    async def fetchrow(self, sql: str, *args: Any) -> Mapping[str, Any] | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def execute(self, sql: str, *args: Any) -> None:
        driver = await self._ready()
        try:
            await driver.execute(sql, *args)
        except Exception as error:
            raise translate_driver_error(error) from error
