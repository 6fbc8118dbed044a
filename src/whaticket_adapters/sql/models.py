"""The schema, as SQLAlchemy declarative models over our own MetaData (so alembic sees only the app's tables).

Rows never leave the adapter: repositories map them to the core's dataclasses and back. Ids are BIGINT identity
columns on PostgreSQL and INTEGER PRIMARY KEY AUTOINCREMENT on SQLite: neither ever reuses an id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# SQLite only auto-increments an INTEGER PRIMARY KEY, so the BIGINT id is INTEGER there.
IdType = BigInteger().with_variant(Integer(), "sqlite")
JsonType = JSON().with_variant(JSONB(), "postgresql")
ACTIVE_WHERE = text("status IN ('pending', 'open')")


class Base(DeclarativeBase):
    metadata = metadata


def table_of(model: type[Base]) -> Table:
    """The Core table of ``model`` (typed as a Table, which ``__table__`` is at run time)."""
    return cast(Table, model.__table__)


def _id() -> Mapped[int]:
    return mapped_column(IdType, Identity(), primary_key=True)


class ContactRow(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(200))
    # Null for a contact WhatsApp only named by its LID (hidden number) so far.
    number: Mapped[str | None] = mapped_column(String(64))
    lid: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    profile_pic_url: Mapped[str | None] = mapped_column(Text)
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    extra_info: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))

    __table_args__ = (UniqueConstraint("number"), UniqueConstraint("lid"))


class WhatsAppRow(Base):
    __tablename__ = "whatsapps"

    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    is_default: Mapped[bool] = mapped_column(Boolean)
    number: Mapped[str | None] = mapped_column(String(64))
    greeting_message: Mapped[str] = mapped_column(Text, default="")
    farewell_message: Mapped[str] = mapped_column(Text, default="")
    qrcode: Mapped[str | None] = mapped_column(Text)
    reject_calls: Mapped[bool] = mapped_column(Boolean, default=False)
    call_reject_message: Mapped[str] = mapped_column(Text, default="")
    banned_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))

    __table_args__ = (
        Index("uq_whatsapps_name", func.lower(text("name")), unique=True),
        Index(
            "uq_whatsapps_default",
            "is_default",
            unique=True,
            postgresql_where=text("is_default"),
            sqlite_where=text("is_default"),
        ),
    )


class QueueRow(Base):
    __tablename__ = "queues"

    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(200))
    color: Mapped[str] = mapped_column(String(7))
    greeting_message: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        Index("uq_queues_name", func.lower(text("name")), unique=True),
        UniqueConstraint("color"),
    )


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16))
    whatsapp_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("whatsapps.id", ondelete="SET NULL"))
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    # Auto-assignment stops handing tickets to an agent holding this many open ones (0: no limit).
    max_open_tickets: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))

    __table_args__ = (UniqueConstraint("email"),)


class UserQueueRow(Base):
    __tablename__ = "user_queues"

    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    queue_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class WhatsAppQueueRow(Base):
    __tablename__ = "whatsapp_queues"

    whatsapp_id: Mapped[int] = mapped_column(IdType, ForeignKey("whatsapps.id", ondelete="CASCADE"), primary_key=True)
    queue_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("queues.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # The routing bot numbers its menu in this order.
    position: Mapped[int] = mapped_column(Integer)


class TicketRow(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = _id()
    contact_id: Mapped[int] = mapped_column(IdType, ForeignKey("contacts.id", ondelete="CASCADE"))
    whatsapp_id: Mapped[int] = mapped_column(IdType, ForeignKey("whatsapps.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    queue_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("queues.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("users.id", ondelete="SET NULL"))
    unread_messages: Mapped[int] = mapped_column(Integer, default=0)
    last_message: Mapped[str] = mapped_column(Text, default="")
    last_message_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    is_group: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    bot_menu_sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    bot_attempts: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_requested_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    # Never null once written (the domain sets it); nullable so SQLite could add it without copying the table.
    idle_since: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    close_warned_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    away_sent_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    __table_args__ = (
        # The invariant no race may break: one pending/open ticket per contact and connection.
        Index(
            "uq_tickets_active",
            "contact_id",
            "whatsapp_id",
            unique=True,
            postgresql_where=ACTIVE_WHERE,
            sqlite_where=ACTIVE_WHERE,
        ),
        Index("ix_tickets_contact_closed", "contact_id", "whatsapp_id", "closed_at"),
        # Auto-close: only active tickets, oldest silence first.
        Index("ix_tickets_active_idle", "idle_since", postgresql_where=ACTIVE_WHERE, sqlite_where=ACTIVE_WHERE),
        # Auto-assignment: the pending backlog of a queue, oldest first.
        Index(
            "ix_tickets_pending_queue",
            "queue_id",
            "created_at",
            postgresql_where=text("status = 'pending' AND user_id IS NULL"),
            sqlite_where=text("status = 'pending' AND user_id IS NULL"),
        ),
    )


class MessageRow(Base):
    __tablename__ = "messages"

    id: Mapped[int] = _id()
    ticket_id: Mapped[int] = mapped_column(IdType, ForeignKey("tickets.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(IdType, ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    whatsapp_id: Mapped[int] = mapped_column(IdType, ForeignKey("whatsapps.id", ondelete="CASCADE"))
    from_me: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text, default="")
    ack: Mapped[str] = mapped_column(String(16))
    wa_message_id: Mapped[str | None] = mapped_column(String(128))
    media_type: Mapped[str | None] = mapped_column(String(16))
    media_key: Mapped[str | None] = mapped_column(Text)
    media_mime: Mapped[str | None] = mapped_column(String(255))
    media_name: Mapped[str | None] = mapped_column(Text)
    media_ref: Mapped[str | None] = mapped_column(Text)
    # No foreign key: a quote may point at a message WhatsApp knows but this store never held.
    quoted_message_id: Mapped[int | None] = mapped_column(IdType)
    is_edited: Mapped[bool] = mapped_column(Boolean, default=False)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
    participant: Mapped[str | None] = mapped_column(String(64))
    participant_name: Mapped[str | None] = mapped_column(String(200))
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivery_claimed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    error_kind: Mapped[str | None] = mapped_column(String(16))
    undecryptable: Mapped[bool] = mapped_column(Boolean, default=False)
    # [{emoji, fromMe, at, sender}]: a handful per message at most, read with the message, never queried.
    reactions: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    # The agent who wrote a note. No foreign key: a note keeps naming its author after the account is deleted.
    user_id: Mapped[int | None] = mapped_column(IdType)
    send_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    cancel_if_replied: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        UniqueConstraint("whatsapp_id", "wa_message_id"),
        # The sweeper's overdue scheduled messages and a ticket's scheduled ones: only the few scheduled are indexed.
        Index(
            "ix_messages_scheduled",
            "send_at",
            postgresql_where=text("ack = 'scheduled' AND NOT is_deleted"),
            sqlite_where=text("ack = 'scheduled' AND NOT is_deleted"),
        ),
        # The outbox sweeper: only the few outbound messages still pending are indexed.
        Index(
            "ix_messages_stale_pending",
            "created_at",
            postgresql_where=text("from_me AND ack = 'pending'"),
            sqlite_where=text("from_me AND ack = 'pending'"),
        ),
    )


class QuickAnswerRow(Base):
    __tablename__ = "quick_answers"

    id: Mapped[int] = _id()
    shortcut: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)

    __table_args__ = (Index("uq_quick_answers_shortcut", func.lower(text("shortcut")), unique=True),)


class SettingRow(Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class BusinessHoursRow(Base):
    """A schedule of the company (key ``company``), a connection (``whatsapp:<id>``) or a queue (``queue:<id>``)."""

    __tablename__ = "business_hours"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    whatsapp_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("whatsapps.id", ondelete="CASCADE"), index=True)
    queue_id: Mapped[int | None] = mapped_column(IdType, ForeignKey("queues.id", ondelete="CASCADE"), index=True)
    timezone: Mapped[str] = mapped_column(String(64))
    # {"mon": [["08:00", "18:00"]], ...} and {"2026-12-25": [], ...}: read whole with the schedule, never queried.
    week: Mapped[dict[str, Any]] = mapped_column(JsonType)
    exceptions: Mapped[dict[str, Any]] = mapped_column(JsonType)
    away_message: Mapped[str] = mapped_column(Text, default="")


class RefreshTokenRow(Base):
    __tablename__ = "refresh_tokens"

    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


# Ticket list: staff by status, agents by assignee or queue; newest activity first (the keyset order).
Index("ix_tickets_status_updated", TicketRow.status, TicketRow.updated_at.desc(), TicketRow.id.desc())
Index(
    "ix_tickets_user_status_updated",
    TicketRow.user_id,
    TicketRow.status,
    TicketRow.updated_at.desc(),
    TicketRow.id.desc(),
)
Index(
    "ix_tickets_queue_status_updated",
    TicketRow.queue_id,
    TicketRow.status,
    TicketRow.updated_at.desc(),
    TicketRow.id.desc(),
)
# A ticket's message page, newest first.
Index("ix_messages_ticket_page", MessageRow.ticket_id, MessageRow.id.desc())


def never_reuse_ids() -> None:
    """Ids are never reused: on SQLite an id column without AUTOINCREMENT hands a deleted newest row's id to the next
    one (PostgreSQL identities never go back). Migration 0004_security rebuilt the existing tables with the flag.
    Each models module calls this once its tables exist (whichever of them is imported first); it is idempotent."""
    for table in metadata.tables.values():
        if "id" in table.c and table.c.id.primary_key:
            table.dialect_options["sqlite"]["autoincrement"] = True


never_reuse_ids()


# The tables of the release-0.2 features live in modules of their own (import their rows from there); importing
# them here registers them on ``metadata``, so whoever imports this module sees the whole schema.
from . import models_agent_tools, models_inbox, models_integrations  # noqa: E402, F401
