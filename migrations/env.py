"""Alembic environment: async engines (asyncpg / aiosqlite), the app's metadata only.

Run through :mod:`whaticket_adapters.sql.migrate` (CLI and ``serve``), which hands over an open connection, or with
the ``alembic`` command (``alembic -x url=postgresql://... upgrade head``; without ``-x url`` the URL comes from
``DATABASE_URL`` / ``DATA_DIR`` like the app's).
"""

from __future__ import annotations

import asyncio
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection

from whaticket_adapters.sql.engine import create_engine, database_url_from_env, normalize_url
from whaticket_adapters.sql.migrate import include_name, include_object
from whaticket_adapters.sql.models import metadata

config = context.config
if config.config_file_name is not None:  # the alembic command (alembic.ini); the app configures its own logging
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_name=include_name,
        include_object=include_object,
        # SQLite cannot ALTER most things: alembic rebuilds the table in a batch instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> Any:
    given = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
    return normalize_url(given) if given else database_url_from_env()


async def _run_online() -> None:
    engine = create_engine(_url())
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_configure)
            await connection.commit()
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(
        url=str(_url()),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=include_name,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
elif (connection := config.attributes.get("connection")) is not None:
    _configure(connection)
else:
    asyncio.run(_run_online())
