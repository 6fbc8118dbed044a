"""What every hot read shares: one statement on a connection of its own, retried once on a dropped connection."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Integer, bindparam
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable

from ..errors import DATABASE_ERRORS, translate

ROW_LIMIT = bindparam("row_limit", type_=Integer)


class SqlReader:
    def __init__(self, engine: AsyncEngine) -> None:
        # One statement needs no transaction: on PostgreSQL autocommit saves the BEGIN/ROLLBACK round trips. (SQLite
        # keeps its own BEGIN handling, see engine.py; a deferred BEGIN there costs no round trip.)
        if engine.dialect.name == "postgresql":
            engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._engine = engine

    async def _rows(self, statement: Executable, params: dict[str, Any]) -> Sequence[Row[Any]]:
        try:
            try:
                return await self._read(statement, params)
            except DBAPIError as error:
                # The engine pings no connection at checkout (see engine.py): a connection the server dropped fails
                # on first use, and the pool then discards every connection older than it. A read is safe to run
                # once more on a fresh one.
                if not error.connection_invalidated:
                    raise
                return await self._read(statement, params)
        except DATABASE_ERRORS as error:
            raise translate(error) from error

    async def _read(self, statement: Executable, params: dict[str, Any]) -> Sequence[Row[Any]]:
        async with self._engine.connect() as conn:
            return (await conn.execute(statement, params)).all()
