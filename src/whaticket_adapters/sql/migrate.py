"""Schema migrations (Alembic) run in code: by ``whaticket db upgrade|downgrade`` and by ``serve`` at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL, Connection

from .engine import create_engine, normalize_url
from .models import metadata

# Tables other libraries keep in the same database: neonize's session store and SAQ's queue.
FOREIGN_TABLE_PREFIXES = ("whatsmeow_", "saq_")
# PostgreSQL-only indexes the initial migration creates outside the models (pg_trgm).
UNMODELLED_INDEX_PREFIX = "ix_trgm_"


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    if type_ == "table" and name is not None:
        return not name.startswith(FOREIGN_TABLE_PREFIXES)
    if type_ == "index" and name is not None:
        return not name.startswith(UNMODELLED_INDEX_PREFIX)
    return True


def include_object(obj: Any, name: str | None, type_: str, _reflected: bool, _compare_to: Any) -> bool:
    return include_name(name, type_, None)


def script_location() -> Path:
    """``migrations/`` beside the package when installed from a wheel, else at the repository root."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "migrations", here.parents[2] / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("the migrations folder was not found")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    return config


def revisions() -> list[str]:
    """Every revision id, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def revision_history() -> list[tuple[str, str]]:
    """(revision, message) of every revision, oldest first; the message on one line, however its docstring wraps."""
    script = ScriptDirectory.from_config(alembic_config())
    return [(r.revision, " ".join((r.doc or "").split())) for r in reversed(list(script.walk_revisions()))]


async def _run(url: str | URL, action: Any, *args: Any) -> Any:
    engine = create_engine(normalize_url(url))
    try:
        async with engine.connect() as connection:

            def run(sync_connection: Connection) -> Any:
                config = alembic_config()
                config.attributes["connection"] = sync_connection
                return action(config, *args)

            result = await connection.run_sync(run)
            await connection.commit()
            return result
    finally:
        await engine.dispose()


async def upgrade(url: str | URL, revision: str = "head") -> None:
    """Migrate the database at ``url`` up to ``revision``."""
    await _run(url, command.upgrade, revision)


async def downgrade(url: str | URL, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``base`` empties it)."""
    await _run(url, command.downgrade, revision)


async def current_revision(url: str | URL) -> str | None:
    def read(_config: Config) -> str | None:
        connection = _config.attributes["connection"]
        return MigrationContext.configure(connection).get_current_revision()

    return await _run(url, read)  # type: ignore[no-any-return]


async def schema_differences(url: str | URL) -> list[Any]:
    """What autogenerate would change to make the database at ``url`` match the models (empty when in sync)."""

    def compare(config: Config) -> list[Any]:
        context = MigrationContext.configure(
            config.attributes["connection"],
            opts={"compare_type": True, "include_name": include_name, "include_object": include_object},
        )
        return list(compare_metadata(context, metadata))

    return await _run(url, compare)  # type: ignore[no-any-return]
