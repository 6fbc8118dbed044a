"""Where the database's schema stands against the code's migrations: read at start-up and by readiness."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from .migrate import alembic_config


@dataclass(frozen=True, slots=True)
class SchemaState:
    current: str | None  # None: never migrated (no alembic_version table or no row)
    head: str
    known: bool  # whether ``current`` is one of this code's revisions

    @property
    def at_head(self) -> bool:
        return self.current == self.head

    @property
    def ahead(self) -> bool:
        """Migrated by a newer version of the code (a revision this code does not know)."""
        return self.current is not None and not self.known


@lru_cache(maxsize=1)
def _script() -> tuple[str, frozenset[str]]:
    script = ScriptDirectory.from_config(alembic_config())
    head = script.get_current_head()
    if head is None:
        raise RuntimeError("the migrations have no head revision")
    return head, frozenset(r.revision for r in script.walk_revisions())


def head_revision() -> str:
    return _script()[0]


async def read_schema_state(engine: AsyncEngine) -> SchemaState:
    """One statement. A missing ``alembic_version`` table reads as never migrated; a connection failure raises."""
    head, known = _script()
    async with engine.connect() as conn:
        try:
            current = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar()
        except DBAPIError as error:
            if error.connection_invalidated or "alembic_version" not in str(error.orig):
                raise
            current = None
    return SchemaState(current, head, current in known)
