"""Upgrading a populated SQLite database through the identity revision keeps every row and the never-reused ids.

The revision rebuilds ``contacts`` on SQLite (its number becomes nullable); with foreign keys on, dropping the old
table would cascade into tickets and messages, and a plain copy would lose AUTOINCREMENT.
"""

from __future__ import annotations

from pathlib import Path

from whaticket_adapters.sql.database import create_engine, downgrade, upgrade

T = "'2026-01-01 00:00:00'"
ROWS = (
    "INSERT INTO whatsapps (id, name, status, is_default, greeting_message, farewell_message, updated_at) "
    f"VALUES (1, 'W', 'CONNECTED', 1, '', '', {T})",
    "INSERT INTO contacts (id, name, number, is_group, extra_info, created_at) "
    f"VALUES (1, 'Ana', '5511', 0, '[]', {T}), (2, 'Bia', '5522', 0, '[]', {T})",
    "INSERT INTO tickets (id, contact_id, whatsapp_id, status, unread_messages, last_message, is_group, created_at, "
    f"updated_at, bot_attempts) VALUES (1, 1, 1, 'open', 0, '', 0, {T}, {T}, 0)",
    "INSERT INTO messages (id, ticket_id, contact_id, whatsapp_id, from_me, body, ack, is_edited, is_deleted, "
    f"delivery_attempts, created_at) VALUES (1, 1, 1, 1, 0, 'hi', 'received', 0, 0, 0, {T})",
)


async def _counts(url: str) -> tuple[int, ...]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return tuple(
                [
                    (await conn.exec_driver_sql(f"SELECT count(*) FROM {table}")).scalar_one()
                    for table in ("contacts", "tickets", "messages")
                ]
            )
    finally:
        await engine.dispose()


async def test_upgrading_and_downgrading_keep_tickets_messages_and_autoincrement(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    await upgrade(url, "0004_security")
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for sql in ROWS:
                await conn.exec_driver_sql(sql)
        await upgrade(url, "0003_identity")
        assert await _counts(url) == (2, 1, 1)
        async with engine.begin() as conn:
            await conn.exec_driver_sql("DELETE FROM contacts WHERE id = 2")
            await conn.exec_driver_sql(
                f"INSERT INTO contacts (name, lid, is_group, extra_info, created_at) VALUES ('L', '77', 0, '[]', {T})"
            )
            new_id = (await conn.exec_driver_sql("SELECT id FROM contacts WHERE lid = '77'")).scalar_one()
        assert new_id == 3  # the deleted newest id is not handed out again
        await downgrade(url, "0004_security")
        assert await _counts(url) == (1, 1, 1)  # only the contact known by LID alone is gone
    finally:
        await engine.dispose()
