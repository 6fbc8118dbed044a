"""Agent tools: tags on tickets and contacts; the author of a message (internal notes); reporting events; the
customer's satisfaction rating of a ticket; scheduled messages.

Revision ID: 0007_agent_tools
Revises: 0005_inbox
Create Date: 2026-11-29 17:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op

revision: str = "0007_agent_tools"
down_revision: str | Sequence[str] | None = "0005_inbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tags",
        sa.Column("id", _ID, sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sqlite_autoincrement=True,
    )
    op.create_index("uq_tags_name", "tags", [sa.literal_column("lower(name)")], unique=True)
    op.create_table(
        "ticket_tags",
        sa.Column("ticket_id", _ID, nullable=False),
        sa.Column("tag_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name=op.f("fk_ticket_tags_tag_id_tags"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_tags_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ticket_id", "tag_id", name=op.f("pk_ticket_tags")),
    )
    op.create_index("ix_ticket_tags_tag_ticket", "ticket_tags", ["tag_id", "ticket_id"], unique=False)
    op.create_table(
        "contact_tags",
        sa.Column("contact_id", _ID, nullable=False),
        sa.Column("tag_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_contact_tags_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["tag_id"], ["tags.id"], name=op.f("fk_contact_tags_tag_id_tags"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("contact_id", "tag_id", name=op.f("pk_contact_tags")),
    )
    op.create_index(op.f("ix_contact_tags_tag_id"), "contact_tags", ["tag_id"], unique=False)
    op.add_column("messages", sa.Column("user_id", _ID, nullable=True))
    op.add_column("messages", sa.Column("send_at", DateTimeUTC(timezone=True), nullable=True))
    op.add_column("messages", sa.Column("cancel_if_replied", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index(
        "ix_messages_scheduled",
        "messages",
        ["send_at"],
        unique=False,
        postgresql_where=sa.text("ack = 'scheduled' AND NOT is_deleted"),
        sqlite_where=sa.text("ack = 'scheduled' AND NOT is_deleted"),
    )
    op.add_column("tickets", sa.Column("rating", sa.Integer(), nullable=True))
    op.add_column("tickets", sa.Column("rating_requested_at", DateTimeUTC(timezone=True), nullable=True))
    op.create_table(
        "report_events",
        sa.Column("id", _ID, sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ticket_id", _ID, nullable=False),
        sa.Column("at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("queue_id", _ID, nullable=True),
        sa.Column("user_id", _ID, nullable=True),
        sa.Column("seconds", sa.BigInteger(), nullable=True),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_events")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_report_events_at", "report_events", ["at"], unique=False)
    op.create_index("ix_report_events_queue_at", "report_events", ["queue_id", "at"], unique=False)
    op.create_index("ix_report_events_user_at", "report_events", ["user_id", "at"], unique=False)
    op.create_index("ix_report_events_ticket_kind", "report_events", ["ticket_id", "kind"], unique=False)


def downgrade() -> None:
    for index in ("ix_report_events_ticket_kind", "ix_report_events_user_at", "ix_report_events_queue_at"):
        op.drop_index(index, table_name="report_events")
    op.drop_index("ix_report_events_at", table_name="report_events")
    op.drop_table("report_events")
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would lose the messages table's partial indexes on SQLite.
    op.drop_index("ix_messages_scheduled", table_name="messages")
    op.drop_column("messages", "cancel_if_replied")
    op.drop_column("messages", "send_at")
    op.drop_column("messages", "user_id")
    op.drop_column("tickets", "rating_requested_at")
    op.drop_column("tickets", "rating")
    op.drop_index(op.f("ix_contact_tags_tag_id"), table_name="contact_tags")
    op.drop_table("contact_tags")
    op.drop_index("ix_ticket_tags_tag_ticket", table_name="ticket_tags")
    op.drop_table("ticket_tags")
    op.drop_index("uq_tags_name", table_name="tags")
    op.drop_table("tags")
