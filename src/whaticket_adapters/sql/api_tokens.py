"""API tokens in SQL: each call one short statement of its own (no unit of work: every token request reads here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.sql import Executable

from whaticket_core.domain.api_tokens import ApiScope, ApiToken

from .engine_statements import EngineStatements
from .errors import DATABASE_ERRORS, translate
from .models import table_of
from .models_integrations import ApiTokenRow

_T = table_of(ApiTokenRow)
_BY_HASH = select(_T).where(_T.c.token_hash == bindparam("token_hash"))
_ALL = select(_T).order_by(_T.c.id.desc())


def _token_of(row: Row[Any]) -> ApiToken:
    return ApiToken(
        id=row.id,
        name=row.name,
        owner_id=row.owner_id,
        scopes=frozenset(ApiScope(s) for s in row.scopes.split()),
        prefix=row.prefix,
        token_hash=row.token_hash,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
    )


class SqlApiTokenStore(EngineStatements):
    """Implements :class:`~whaticket_core.ports.api_tokens.ApiTokenStore`."""

    async def _write(self, statement: Executable) -> Any:
        try:
            async with self._engine.begin() as conn:
                return await conn.execute(statement)
        except DATABASE_ERRORS as error:
            raise translate(error) from error

    async def add(self, token: ApiToken) -> ApiToken:
        values = {
            "name": token.name,
            "owner_id": token.owner_id,
            "scopes": " ".join(sorted(s.value for s in token.scopes)),
            "prefix": token.prefix,
            "token_hash": token.token_hash,
            "created_at": token.created_at,
            "expires_at": token.expires_at,
            "last_used_at": token.last_used_at,
        }
        result = await self._write(insert(_T).values(values).returning(_T.c.id))
        token_id = int(result.scalar_one())
        return replace(token, id=token_id)

    async def list(self) -> list[ApiToken]:
        return [_token_of(r) for r in await self._rows(_ALL, {})]

    async def delete(self, token_id: int) -> bool:
        result = await self._write(delete(_T).where(_T.c.id == token_id))
        return bool(result.rowcount)

    async def find_by_hash(self, token_hash: str) -> ApiToken | None:
        rows = await self._rows(_BY_HASH, {"token_hash": token_hash})
        return _token_of(rows[0]) if rows else None

    async def mark_used(self, token_id: int, at: datetime) -> None:
        await self._write(update(_T).where(_T.c.id == token_id).values(last_used_at=at))
