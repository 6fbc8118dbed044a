"""DATABASE_URL forms users paste, and the embedded SQLite default."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from whaticket_adapters.sql.database import (
    SqlMessageQueries,
    SqlStoreError,
    SqlUnitOfWork,
    create_engine,
    create_session_factory,
    database_url_from_env,
    normalize_url,
)


@pytest.mark.parametrize(
    "given",
    [
        "postgresql://u:p@db.example.com:5432/app",
        "postgres://u:p@db.example.com:5432/app",
        "postgresql+asyncpg://u:p@db.example.com:5432/app",
        "postgresql+psycopg2://u:p@db.example.com:5432/app",
    ],
)
def test_postgres_urls_select_asyncpg(given):
    url = database_url_from_env({"DATABASE_URL": given})
    assert url.drivername == "postgresql+asyncpg"
    assert (url.username, url.password, url.host, url.port, url.database) == ("u", "p", "db.example.com", 5432, "app")


def test_without_database_url_a_sqlite_file_in_data_dir(tmp_path):
    url = database_url_from_env({"DATA_DIR": str(tmp_path / "data")})
    assert url.drivername == "sqlite+aiosqlite"
    assert url.database == str(tmp_path / "data" / "whaticket.db")
    assert (tmp_path / "data").is_dir()


def test_an_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="unsupported"):
        normalize_url("mysql://u@h/db")


async def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar_one() == 1
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar_one() == "wal"
    finally:
        await engine.dispose()


async def test_driver_errors_surface_as_the_adapters_error():
    engine = create_engine("postgresql://postgres@127.0.0.1:1/nowhere")  # nothing listens on port 1
    try:
        with pytest.raises(SqlStoreError):
            async with SqlUnitOfWork(create_session_factory(engine)):
                pass
        with pytest.raises(SqlStoreError):
            await SqlMessageQueries(engine).get_message(1)
    finally:
        await engine.dispose()


async def test_a_connection_the_server_refuses_surfaces_as_the_adapters_error(pg_url: str) -> None:
    # The server answers, with asyncpg's own error (the database does not exist), not a refused socket.
    engine = create_engine(make_url(pg_url).set(database="whaticket_no_such_database"))
    try:
        with pytest.raises(SqlStoreError):
            async with SqlUnitOfWork(create_session_factory(engine)):
                pass
    finally:
        await engine.dispose()
