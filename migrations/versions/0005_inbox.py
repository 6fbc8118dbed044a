"""Delivery without a transaction open during the send, classified send errors.

Messages gain ``delivery_claimed_at`` (a delivery run claimed it and is talking to WhatsApp) and ``error_kind``
(permanent, rate_limited, transient or unknown); connections gain ``banned_until`` for the new BANNED status
(OUTDATED and LOGGED_OUT need no column).

Revision ID: 0005_inbox
Revises: 0003_identity
Create Date: 2026-11-29 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0005_inbox"
down_revision: str | Sequence[str] | None = "0003_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN: no table copy on SQLite (which would lose the partial indexes it cannot reflect).
    op.add_column("messages", sa.Column("delivery_claimed_at", DateTimeUTC(timezone=True), nullable=True))
    op.add_column("messages", sa.Column("error_kind", sa.String(length=16), nullable=True))
    op.add_column("whatsapps", sa.Column("banned_until", DateTimeUTC(timezone=True), nullable=True))


def downgrade() -> None:
    # The new statuses do not exist before this revision: such connections wait for a new start.
    op.execute("UPDATE whatsapps SET status = 'DISCONNECTED' WHERE status IN ('OUTDATED', 'BANNED', 'LOGGED_OUT')")
    op.drop_column("whatsapps", "banned_until")
    op.drop_column("messages", "error_kind")
    op.drop_column("messages", "delivery_claimed_at")
