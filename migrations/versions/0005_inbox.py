"""Delivery without a transaction open during the send, classified send errors.

Messages gain ``delivery_claimed_at`` (a delivery run claimed it and is talking to WhatsApp) and ``error_kind``
(permanent, rate_limited, transient or unknown); connections gain ``banned_until`` for the new BANNED status
(OUTDATED and LOGGED_OUT need no column).

Revision ID: 0005_inbox
Revises: 0008_integrations
Create Date: 2026-11-29 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0005_inbox"
down_revision: str | Sequence[str] | None = "0008_integrations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: no table copy on SQLite (which would lose the partial indexes it cannot reflect).
    op.add_column("messages", sa.Column("delivery_claimed_at", DateTimeUTC(timezone=True), nullable=True))
    op.add_column("messages", sa.Column("error_kind", sa.String(length=16), nullable=True))
    op.add_column("whatsapps", sa.Column("banned_until", DateTimeUTC(timezone=True), nullable=True))
    op.create_table(
        "inbox_events",
        sa.Column("id", _ID, sa.Identity(), nullable=False),
        sa.Column("whatsapp_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("processed_at", DateTimeUTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["whatsapp_id"], ["whatsapps.id"], name=op.f("fk_inbox_events_whatsapp_id_whatsapps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_events")),
        sa.UniqueConstraint("whatsapp_id", "kind", "key", name=op.f("uq_inbox_events_whatsapp_id_kind_key")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_inbox_events_open",
        "inbox_events",
        ["status", "whatsapp_id", "id"],
        unique=False,
        postgresql_where=sa.text("status <> 'done'"),
        sqlite_where=sa.text("status <> 'done'"),
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_events_open", table_name="inbox_events")
    op.drop_table("inbox_events")
    # The new statuses do not exist before this revision: such connections wait for a new start.
    op.execute("UPDATE whatsapps SET status = 'DISCONNECTED' WHERE status IN ('OUTDATED', 'BANNED', 'LOGGED_OUT')")
    op.drop_column("whatsapps", "banned_until")
    op.drop_column("messages", "error_kind")
    op.drop_column("messages", "delivery_claimed_at")
