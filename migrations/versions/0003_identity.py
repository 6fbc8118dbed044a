"""Identity and WhatsApp fidelity: contacts gain a LID (and may lack a number), messages gain the undecryptable
flag and reactions, connections gain call rejection.

Revision ID: 0003_identity
Revises: 0004_security
Create Date: 2026-11-29 14:05:00
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_identity"
down_revision: str | Sequence[str] | None = "0004_security"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
# SQLite copies the contacts table (a column's nullability cannot change in place): the copy keeps the AUTOINCREMENT
# 0004_security gave it, so a deleted contact's id is never handed out again.
_CONTACTS = {"table_kwargs": {"sqlite_autoincrement": True}}


@contextmanager
def _foreign_keys_off() -> Iterator[None]:
    """On SQLite, dropping the old contacts table with foreign keys on would cascade into tickets and messages."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    # PRAGMA foreign_keys is ignored inside a transaction: end alembic's, switch the checks off, run our own.
    bind.exec_driver_sql("COMMIT")
    bind.exec_driver_sql("PRAGMA foreign_keys = OFF")
    bind.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        yield
        problems = bind.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if problems:
            raise RuntimeError(f"foreign keys broken by the contacts copy: {problems[:5]}")
        bind.exec_driver_sql("COMMIT")
    except BaseException:
        bind.exec_driver_sql("ROLLBACK")
        raise
    finally:
        bind.exec_driver_sql("PRAGMA foreign_keys = ON")
        bind.exec_driver_sql("BEGIN")  # alembic commits its version row in the transaction it believes open


def upgrade() -> None:
    with _foreign_keys_off(), op.batch_alter_table("contacts", schema=None, **_CONTACTS) as batch_op:
        batch_op.add_column(sa.Column("lid", sa.String(length=32), nullable=True))
        batch_op.alter_column("number", existing_type=sa.String(length=64), nullable=True)
        batch_op.create_unique_constraint(batch_op.f("uq_contacts_lid"), ["lid"])
    # Plain ADD COLUMN: no table copy (see downgrade).
    op.add_column("messages", sa.Column("undecryptable", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("messages", sa.Column("reactions", _JSON, nullable=False, server_default="[]"))
    op.add_column("whatsapps", sa.Column("reject_calls", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column("whatsapps", sa.Column("call_reject_message", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+ has it): a batch copy of these tables would lose their expression and
    # partial indexes on SQLite, which cannot reflect them.
    op.drop_column("whatsapps", "call_reject_message")
    op.drop_column("whatsapps", "reject_calls")
    op.drop_column("messages", "reactions")
    op.drop_column("messages", "undecryptable")
    # Contacts known only by LID cannot go back to a schema where every contact has a number (their tickets and
    # messages go with them, by the foreign keys' cascade).
    op.execute("DELETE FROM contacts WHERE number IS NULL")
    with _foreign_keys_off(), op.batch_alter_table("contacts", schema=None, **_CONTACTS) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_contacts_lid"), type_="unique")
        batch_op.alter_column("number", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("lid")
