"""Ids are never reused: SQLite tables get AUTOINCREMENT (PostgreSQL identities never reuse a value).

Without AUTOINCREMENT SQLite hands out max(rowid) + 1, so deleting the newest user gave the next one the same id, and
anything still naming the old id (a token, a socket room, a cached reference) pointed at the new account.

SQLite cannot add the flag to an existing table: each table is rebuilt (create the new one, copy, drop the old one,
rename) with foreign keys off, so dropping a parent does not cascade into its children. The table's own SQL and its
indexes' SQL are taken from ``sqlite_master``, so the rebuild keeps whatever the earlier revisions created.

Revision ID: 0004_security
Revises: 0001
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from alembic import op

revision: str = "0004_security"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("contacts", "whatsapps", "queues", "users", "tickets", "messages", "quick_answers")
_PK_CONSTRAINT = re.compile(r",\s*CONSTRAINT \w+ PRIMARY KEY \(id\)", re.IGNORECASE)
_ID_COLUMN = re.compile(r"\bid INTEGER NOT NULL(?: PRIMARY KEY(?: AUTOINCREMENT)?)?", re.IGNORECASE)


def _rebuild(autoincrement: bool) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # PRAGMA foreign_keys is ignored inside a transaction: end alembic's (the driver runs in autocommit mode and
    # the begin hook issued the BEGIN), switch the checks off, and do the rebuild in a transaction of our own.
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys = OFF")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        for table in TABLES:
            _rebuild_table(bind, table, autoincrement)
        problems = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:5]}")
        bind.exec_driver_sql("COMMIT")
    except BaseException:
        bind.exec_driver_sql("ROLLBACK")
        raise
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys = ON")
        bind.exec_driver_sql("BEGIN")  # alembic commits its version row in the transaction it believes open


def _rebuild_table(bind: object, table: str, autoincrement: bool) -> None:
    run = bind.exec_driver_sql  # type: ignore[attr-defined]
    (create_sql,) = run("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).one()
    index_sql = [
        row[0]
        for row in run(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
        )
    ]
    body = _PK_CONSTRAINT.sub("", create_sql)
    id_sql = "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT" if autoincrement else "id INTEGER NOT NULL PRIMARY KEY"
    body, found = _ID_COLUMN.subn(id_sql, body, count=1)
    if not found:
        raise RuntimeError(f"cannot find the id column of {table}: {create_sql}")
    temporary = f"_rebuild_{table}"
    new_sql = re.sub(rf'^CREATE TABLE "?{table}"?', f'CREATE TABLE "{temporary}"', body, count=1)
    run(new_sql)
    run(f'INSERT INTO "{temporary}" SELECT * FROM "{table}"')
    run(f'DROP TABLE "{table}"')
    run(f'ALTER TABLE "{temporary}" RENAME TO "{table}"')
    for sql in index_sql:
        run(sql)


def upgrade() -> None:
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
