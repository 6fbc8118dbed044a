"""Where each connection's neonize session keeps its device keys: a SQLite file or a PostgreSQL database of its own."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit


def is_postgres_store(store: str) -> bool:
    return store.startswith("postgres")


def session_store_for(store: str, whatsapp_id: int) -> str:
    """Where connection ``whatsapp_id`` keeps its device keys.

    ``store`` is a folder (one SQLite file per connection) or the PostgreSQL URL of a database set apart for sessions
    (``postgres://user:pw@host:5432/whatsmeow``): each connection then gets a database of its own on that server,
    named after it (``whatsmeow_7``). Separate stores, because whatsmeow without a known JID opens the *first* device
    of a store, so connections sharing one would share one device; and not one schema each in a shared database,
    because whatsmeow's migration then fails for the second schema (checked: "relation whatsmeow_version does not
    exist"; the same happens with its tables in ``public``).
    """
    if is_postgres_store(store):
        parts = urlsplit(store)
        query = parse_qsl(parts.query)
        if not any(key == "sslmode" for key, _ in query):
            query.append(("sslmode", "disable"))  # lib/pq insists on TLS unless told otherwise
        return urlunsplit(parts._replace(path=f"/{session_database(store, whatsapp_id)}", query=urlencode(query)))
    return str(Path(store) / f"whatsapp-{whatsapp_id}.db")


def session_database(store: str, whatsapp_id: int) -> str:
    base = urlsplit(store).path.strip("/") or "whatsmeow"
    return f"{base}_{int(whatsapp_id)}"


async def prepare_postgres_store(store: str, whatsapp_id: int) -> None:
    """whatsmeow creates its tables, not the database: create connection ``whatsapp_id``'s when missing."""
    import asyncpg

    parts = urlsplit(store)
    name = session_database(store, whatsapp_id)
    connection = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):  # another worker created it meanwhile
                await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


async def prepare_store(store: str, whatsapp_id: int) -> str:
    """Make sure connection ``whatsapp_id``'s store can be opened (its folder or database exists); return its path."""
    if is_postgres_store(store):
        await prepare_postgres_store(store, whatsapp_id)
    else:
        await asyncio.to_thread(Path(store).mkdir, parents=True, exist_ok=True)
    return session_store_for(store, whatsapp_id)


async def forget_store(store: str, whatsapp_id: int) -> None:
    """Delete a SQLite store's device keys (a PostgreSQL store is left: logging out already unlinked the device)."""
    if not is_postgres_store(store):
        await asyncio.to_thread(Path(session_store_for(store, whatsapp_id)).unlink, missing_ok=True)
