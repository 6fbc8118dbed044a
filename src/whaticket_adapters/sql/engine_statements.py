"""Stores that run their own short statements on the engine, outside any unit of work (API tokens, webhooks).

Their reads get SQLAlchemy rows (attribute access by column name) on a connection of their own, in autocommit on
PostgreSQL; their writes run in a real transaction (``_engine.begin()``), so several statements of one write commit
together. The hot query readers use :mod:`.queries.reader` instead, which is built for speed and returns plain
tuples.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable

from .errors import DATABASE_ERRORS, translate


class EngineStatements:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        # One read needs no transaction: autocommit saves the BEGIN/ROLLBACK round trips on PostgreSQL. (SQLite
        # keeps its own BEGIN handling, see engine.py.)
        postgres = engine.dialect.name == "postgresql"
        self._reads = engine.execution_options(isolation_level="AUTOCOMMIT") if postgres else engine

    async def _rows(self, statement: Executable, params: dict[str, Any]) -> Sequence[Row[Any]]:
        try:
            try:
                return await self._read(statement, params)
            except DBAPIError as error:
                # The engine pings no connection at checkout (see engine.py): a connection the server dropped fails
                # on first use. A read is safe to run once more on a fresh one.
                if not error.connection_invalidated:
                    raise
                return await self._read(statement, params)
        except DATABASE_ERRORS as error:
            raise translate(error) from error

    async def _read(self, statement: Executable, params: dict[str, Any]) -> Sequence[Row[Any]]:
        async with self._reads.connect() as conn:
            return (await conn.execute(statement, params)).all()
