"""What every SQL repository shares: the unit of work's connection, error translation and row helpers."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.engine import Result, Row
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from whaticket_core.domain.pagination import OffsetQuery

from .errors import DATABASE_ERRORS, translate

if TYPE_CHECKING:
    from .unit_of_work import SqlUnitOfWork


def like_pattern(search: str) -> str:
    """``search`` as a LIKE pattern matching it anywhere, its wildcards taken literally (escape character ``\\``)."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_ci(column: Any, search: str) -> ColumnElement[bool]:
    """Case-insensitive substring match: ILIKE on PostgreSQL (trigram-indexed), lower() LIKE lower() on SQLite."""
    condition: ColumnElement[bool] = column.ilike(like_pattern(search), escape="\\")
    return condition


def search_any(search: str | None, *columns: Any) -> ColumnElement[bool] | None:
    if not search:
        return None
    return or_(*(contains_ci(c, search) for c in columns))


class SqlRepository:
    def __init__(self, uow: SqlUnitOfWork) -> None:
        # A proxy, not a reference: the unit of work holds its repositories, and a reference back would make each
        # unit of work (one per request, per inbound message) a cycle that only the garbage collector frees.
        self._uow: SqlUnitOfWork = weakref.proxy(uow)

    @property
    def _connection(self) -> AsyncConnection:
        return self._uow.connection

    @property
    def _dialect(self) -> str:
        return self._uow.dialect

    async def _execute(self, statement: Executable, params: Any = None) -> Result[Any]:
        try:
            return await self._connection.execute(statement, params)
        except DATABASE_ERRORS as error:
            raise translate(error) from error

    async def _one(self, statement: Executable) -> Row[Any] | None:
        return (await self._execute(statement)).first()

    async def _all(self, statement: Executable) -> Sequence[Row[Any]]:
        return (await self._execute(statement)).all()

    async def _page(self, statement: Select[Any], query: OffsetQuery, order_by: Any) -> tuple[Sequence[Row[Any]], int]:
        """One page of ``statement`` (ordered by ``order_by``) and the total count of its rows."""
        total = (await self._execute(select(func.count()).select_from(statement.subquery()))).scalar_one()
        rows = await self._all(statement.order_by(order_by).limit(query.limit).offset(query.offset))
        return rows, int(total)
