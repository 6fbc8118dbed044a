"""Initial schema: every table, constraint and index (plus pg_trgm search indexes on PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2026-11-29 05:23:50.290765
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept outside the models (autogenerate ignores ix_trgm_*): SQLite has no equivalent.
TRIGRAM_INDEXES = {
    "ix_trgm_contacts_name": ("contacts", "name"),
    "ix_trgm_contacts_number": ("contacts", "number"),
    "ix_trgm_messages_body": ("messages", "body"),
}


def upgrade() -> None:
    op.create_table(
        "contacts",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(always=False), nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("profile_pic_url", sa.Text(), nullable=True),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column(
            "extra_info", sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=False
        ),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("number", name=op.f("uq_contacts_number")),
    )
    op.create_table(
        "queues",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(always=False), nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("color", sa.String(length=7), nullable=False),
        sa.Column("greeting_message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queues")),
        sa.UniqueConstraint("color", name=op.f("uq_queues_color")),
    )
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.create_index("uq_queues_name", [sa.literal_column("lower(name)")], unique=True)

    op.create_table(
        "quick_answers",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(always=False), nullable=False
        ),
        sa.Column("shortcut", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quick_answers")),
    )
    with op.batch_alter_table("quick_answers", schema=None) as batch_op:
        batch_op.create_index("uq_quick_answers_shortcut", [sa.literal_column("lower(shortcut)")], unique=True)

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "whatsapps",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(always=False), nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=True),
        sa.Column("greeting_message", sa.Text(), nullable=False),
        sa.Column("farewell_message", sa.Text(), nullable=False),
        sa.Column("qrcode", sa.Text(), nullable=True),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_whatsapps")),
    )
    with op.batch_alter_table("whatsapps", schema=None) as batch_op:
        batch_op.create_index(
            "uq_whatsapps_default",
            ["is_default"],
            unique=True,
            postgresql_where=sa.text("is_default"),
            sqlite_where=sa.text("is_default"),
        )
        batch_op.create_index("uq_whatsapps_name", [sa.literal_column("lower(name)")], unique=True)

    op.create_table(
        "users",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(always=False), nullable=False
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("whatsapp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("token_version", sa.Integer(), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["whatsapp_id"], ["whatsapps.id"], name=op.f("fk_users_whatsapp_id_whatsapps"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "whatsapp_queues",
        sa.Column("whatsapp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("queue_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"], ["queues.id"], name=op.f("fk_whatsapp_queues_queue_id_queues"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["whatsapp_id"], ["whatsapps.id"], name=op.f("fk_whatsapp_queues_whatsapp_id_whatsapps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("whatsapp_id", "queue_id", name=op.f("pk_whatsapp_queues")),
    )
    with op.batch_alter_table("whatsapp_queues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_whatsapp_queues_queue_id"), ["queue_id"], unique=False)

    op.create_table(
        "refresh_tokens",
        sa.Column("token_id", sa.String(length=64), nullable=False),
        sa.Column("family_id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("expires_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("used_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_refresh_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_id", name=op.f("pk_refresh_tokens")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_tokens_family_id"), ["family_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refresh_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "tickets",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(always=False), nullable=False
        ),
        sa.Column("contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("whatsapp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("queue_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("unread_messages", sa.Integer(), nullable=False),
        sa.Column("last_message", sa.Text(), nullable=False),
        sa.Column("last_message_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("is_group", sa.Boolean(), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", DateTimeUTC(timezone=True), nullable=False),
        sa.Column("closed_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("bot_menu_sent_at", DateTimeUTC(timezone=True), nullable=True),
        sa.Column("bot_attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_tickets_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"], ["queues.id"], name=op.f("fk_tickets_queue_id_queues"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_tickets_user_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["whatsapp_id"], ["whatsapps.id"], name=op.f("fk_tickets_whatsapp_id_whatsapps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_contact_closed", ["contact_id", "whatsapp_id", "closed_at"], unique=False)
        batch_op.create_index(
            "ix_tickets_queue_status_updated",
            ["queue_id", "status", sa.literal_column("updated_at DESC"), sa.literal_column("id DESC")],
            unique=False,
        )
        batch_op.create_index(
            "ix_tickets_status_updated",
            ["status", sa.literal_column("updated_at DESC"), sa.literal_column("id DESC")],
            unique=False,
        )
        batch_op.create_index(
            "ix_tickets_user_status_updated",
            ["user_id", "status", sa.literal_column("updated_at DESC"), sa.literal_column("id DESC")],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_tickets_whatsapp_id"), ["whatsapp_id"], unique=False)
        batch_op.create_index(
            "uq_tickets_active",
            ["contact_id", "whatsapp_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('pending', 'open')"),
            sqlite_where=sa.text("status IN ('pending', 'open')"),
        )

    op.create_table(
        "user_queues",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("queue_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"], ["queues.id"], name=op.f("fk_user_queues_queue_id_queues"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_queues_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "queue_id", name=op.f("pk_user_queues")),
    )
    with op.batch_alter_table("user_queues", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_queues_queue_id"), ["queue_id"], unique=False)

    op.create_table(
        "messages",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(always=False), nullable=False
        ),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("contact_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("whatsapp_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("from_me", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("ack", sa.String(length=16), nullable=False),
        sa.Column("wa_message_id", sa.String(length=128), nullable=True),
        sa.Column("media_type", sa.String(length=16), nullable=True),
        sa.Column("media_key", sa.Text(), nullable=True),
        sa.Column("media_mime", sa.String(length=255), nullable=True),
        sa.Column("media_name", sa.Text(), nullable=True),
        sa.Column("media_ref", sa.Text(), nullable=True),
        sa.Column("quoted_message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("is_edited", sa.Boolean(), nullable=False),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("participant", sa.String(length=64), nullable=True),
        sa.Column("participant_name", sa.String(length=200), nullable=True),
        sa.Column("delivery_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_messages_contact_id_contacts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_messages_ticket_id_tickets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["whatsapp_id"], ["whatsapps.id"], name=op.f("fk_messages_whatsapp_id_whatsapps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("whatsapp_id", "wa_message_id", name=op.f("uq_messages_whatsapp_id_wa_message_id")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(
            "ix_messages_stale_pending",
            ["created_at"],
            unique=False,
            postgresql_where=sa.text("from_me AND ack = 'pending'"),
            sqlite_where=sa.text("from_me AND ack = 'pending'"),
        )
        batch_op.create_index("ix_messages_ticket_page", ["ticket_id", sa.literal_column("id DESC")], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        # Substring search (ILIKE '%x%') over contact name/number and message text; SQLite scans with LIKE.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, (table, column) in TRIGRAM_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The pg_trgm extension stays: other schemas of the database may use it.
        for name in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_ticket_page")
        batch_op.drop_index(
            "ix_messages_stale_pending",
            postgresql_where=sa.text("from_me AND ack = 'pending'"),
            sqlite_where=sa.text("from_me AND ack = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_messages_contact_id"))

    op.drop_table("messages")
    with op.batch_alter_table("user_queues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_queues_queue_id"))

    op.drop_table("user_queues")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_tickets_active",
            postgresql_where=sa.text("status IN ('pending', 'open')"),
            sqlite_where=sa.text("status IN ('pending', 'open')"),
        )
        batch_op.drop_index(batch_op.f("ix_tickets_whatsapp_id"))
        batch_op.drop_index("ix_tickets_user_status_updated")
        batch_op.drop_index("ix_tickets_status_updated")
        batch_op.drop_index("ix_tickets_queue_status_updated")
        batch_op.drop_index("ix_tickets_contact_closed")

    op.drop_table("tickets")
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_user_id"))
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_family_id"))

    op.drop_table("refresh_tokens")
    with op.batch_alter_table("whatsapp_queues", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_whatsapp_queues_queue_id"))

    op.drop_table("whatsapp_queues")
    op.drop_table("users")
    with op.batch_alter_table("whatsapps", schema=None) as batch_op:
        batch_op.drop_index("uq_whatsapps_name")
        batch_op.drop_index(
            "uq_whatsapps_default", postgresql_where=sa.text("is_default"), sqlite_where=sa.text("is_default")
        )

    op.drop_table("whatsapps")
    op.drop_table("settings")
    with op.batch_alter_table("quick_answers", schema=None) as batch_op:
        batch_op.drop_index("uq_quick_answers_shortcut")

    op.drop_table("quick_answers")
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.drop_index("uq_queues_name")

    op.drop_table("queues")
    op.drop_table("contacts")
