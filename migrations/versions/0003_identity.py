"""Identity and WhatsApp fidelity: contacts gain a LID (and may lack a number), messages gain the undecryptable
flag and reactions, connections gain call rejection.

Revision ID: 0003_identity
Revises: 0001
Create Date: 2026-11-29 14:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_identity"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("contacts", schema=None) as batch_op:
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
    # Contacts known only by LID cannot go back to a schema where every contact has a number.
    op.execute("DELETE FROM contacts WHERE number IS NULL")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_contacts_lid"), type_="unique")
        batch_op.alter_column("number", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("lid")
