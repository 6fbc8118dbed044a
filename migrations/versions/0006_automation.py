"""Working hours and automatic handling: business hours per company, connection and queue; the tickets' automation
clocks (idle since, close warning, away message); agents' capacity for auto-assignment.

Revision ID: 0006_automation
Revises: 0003_identity
Create Date: 2026-11-29 17:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_automation"
down_revision: str | Sequence[str] | None = "0003_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_ACTIVE = sa.text("status IN ('pending', 'open')")
_PENDING_UNASSIGNED = sa.text("status = 'pending' AND user_id IS NULL")


def upgrade() -> None:
    op.create_table(
        "business_hours",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("whatsapp_id", _ID, nullable=True),
        sa.Column("queue_id", _ID, nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("week", _JSON, nullable=False),
        sa.Column("exceptions", _JSON, nullable=False),
        sa.Column("away_message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"], ["queues.id"], name=op.f("fk_business_hours_queue_id_queues"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["whatsapp_id"], ["whatsapps.id"], name=op.f("fk_business_hours_whatsapp_id_whatsapps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_business_hours")),
    )
    op.create_index(op.f("ix_business_hours_queue_id"), "business_hours", ["queue_id"], unique=False)
    op.create_index(op.f("ix_business_hours_whatsapp_id"), "business_hours", ["whatsapp_id"], unique=False)
    # Plain ADD COLUMN everywhere (no SQLite table copy, which would lose the tickets' partial indexes).
    op.add_column("tickets", sa.Column("idle_since", DateTimeUTC(timezone=True), nullable=True))
    op.add_column("tickets", sa.Column("close_warned_at", DateTimeUTC(timezone=True), nullable=True))
    op.add_column("tickets", sa.Column("away_sent_at", DateTimeUTC(timezone=True), nullable=True))
    # Existing tickets: their last activity is the best guess of when the customer last wrote.
    op.execute("UPDATE tickets SET idle_since = COALESCE(last_message_at, created_at)")
    op.create_index(
        "ix_tickets_active_idle",
        "tickets",
        ["idle_since"],
        unique=False,
        postgresql_where=_ACTIVE,
        sqlite_where=_ACTIVE,
    )
    op.create_index(
        "ix_tickets_pending_queue",
        "tickets",
        ["queue_id", "created_at"],
        unique=False,
        postgresql_where=_PENDING_UNASSIGNED,
        sqlite_where=_PENDING_UNASSIGNED,
    )
    op.add_column("users", sa.Column("max_open_tickets", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    op.drop_column("users", "max_open_tickets")
    op.drop_index("ix_tickets_pending_queue", table_name="tickets")
    op.drop_index("ix_tickets_active_idle", table_name="tickets")
    op.drop_column("tickets", "away_sent_at")
    op.drop_column("tickets", "close_warned_at")
    op.drop_column("tickets", "idle_since")
    op.drop_index(op.f("ix_business_hours_whatsapp_id"), table_name="business_hours")
    op.drop_index(op.f("ix_business_hours_queue_id"), table_name="business_hours")
    op.drop_table("business_hours")
