"""The neonize session store on PostgreSQL: one database per connection, created by us, filled by whatsmeow.

whatsmeow opens the first device of a store when no JID is given, so connections must not share one; this checks
that each connection's URL gets a database of its own that whatsmeow migrates (no WhatsApp server needed).
"""

from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg
import pytest

from whaticket_adapters.whatsapp.neonize import prepare_postgres_store, session_store_for

pytestmark = pytest.mark.integration

PG = os.environ.get("TEST_PG_URL", "postgres://postgres@127.0.0.1:5432")


async def test_each_connection_gets_a_session_database_whatsmeow_migrates() -> None:
    from neonize.aioze.client import ClientFactory

    base = f"whaticket_wa_test_{uuid.uuid4().hex[:10]}"  # never created itself: only its per-connection siblings
    store = f"{PG}/{base}"
    created = [f"{base}_5", f"{base}_6"]
    admin = await asyncpg.connect(f"{PG}/postgres")
    try:
        for whatsapp_id in (5, 6, 5):  # the second start of 5 finds its database already there
            await prepare_postgres_store(store, whatsapp_id)
            url = session_store_for(store, whatsapp_id)
            assert list(await asyncio.to_thread(ClientFactory.get_all_devices_from_db, url)) == []
        for name in created:
            conn = await asyncpg.connect(f"{PG}/{name}")
            try:
                tables = await conn.fetchval(
                    "SELECT count(*) FROM information_schema.tables WHERE table_name LIKE 'whatsmeow%'"
                )
            finally:
                await conn.close()
            assert tables > 10
    finally:
        for name in created:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
