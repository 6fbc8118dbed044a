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


class TagRow(Base):
    __tablename__ = "tags"

    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(200))
    color: Mapped[str] = mapped_column(String(7))

    __table_args__ = (Index("uq_tags_name", func.lower(text("name")), unique=True),)


class TicketTagRow(Base):
    __tablename__ = "ticket_tags"

    ticket_id: Mapped[int] = mapped_column(IdType, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(IdType, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True)

    # The ticket list's tag filter and the counts per tag start from the tag.
    __table_args__ = (Index("ix_ticket_tags_tag_ticket", "tag_id", "ticket_id"),)


class ContactTagRow(Base):
    __tablename__ = "contact_tags"

    contact_id: Mapped[int] = mapped_column(IdType, ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(IdType, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)


class ReportEventRow(Base):
    """Reporting facts. No foreign keys: a report keeps counting a ticket, queue or agent after it is deleted."""

    __tablename__ = "report_events"

    id: Mapped[int] = _id()
    kind: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[int] = mapped_column(IdType)
    at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    queue_id: Mapped[int | None] = mapped_column(IdType)
    user_id: Mapped[int | None] = mapped_column(IdType)
    seconds: Mapped[int | None] = mapped_column(BigInteger)
    value: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        # The summary reads a time range (all of it, or one queue's or one agent's); a first response is looked up
        # by ticket.
        Index("ix_report_events_at", "at"),
        Index("ix_report_events_queue_at", "queue_id", "at"),
        Index("ix_report_events_user_at", "user_id", "at"),
        Index("ix_report_events_ticket_kind", "ticket_id", "kind"),
    )


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = _id()
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(IdType, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # Space-separated scope names (a handful, read with the token, never queried).
    scopes: Mapped[str] = mapped_column(String(255))
    prefix: Mapped[str] = mapped_column(String(16))
    # hex SHA-256 of the token: the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))


class WebhookRow(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = _id()
    url: Mapped[str] = mapped_column(Text)
    # Space-separated event names ("*" for all): a handful, read with the webhook, never queried.
    events: Mapped[str] = mapped_column(String(400))
    secret: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))


PENDING_WHERE = text("status = 'pending'")


class WebhookDeliveryRow(Base):
    """The webhook outbox: one row per event and subscribed webhook, written in the transaction of the change."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = _id()
    webhook_id: Mapped[int] = mapped_column(IdType, ForeignKey("webhooks.id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(36))
    event: Mapped[str] = mapped_column(String(32))
    stream: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    response_status: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))
    actor: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))

    __table_args__ = (
        # The delivery log, newest first per webhook (keyset on id).
        Index("ix_webhook_deliveries_webhook_id", "webhook_id", "id"),
        # The purge of finished deliveries past their retention, oldest first.
        Index("ix_webhook_deliveries_created_at", "created_at"),
        # A stream's head (its oldest pending delivery) and what is due: only pending rows are indexed.
        Index(
            "ix_webhook_deliveries_pending_stream",
            "webhook_id",
            "stream",
            "id",
            postgresql_where=PENDING_WHERE,
            sqlite_where=PENDING_WHERE,
        ),
        Index(
            "ix_webhook_deliveries_pending_due",
            "next_attempt_at",
            postgresql_where=PENDING_WHERE,
            sqlite_where=PENDING_WHERE,
        ),
    )


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


class InboxRow(Base):
    """Inbound WhatsApp events, stored before they are processed (one row per connection, kind and WhatsApp key)."""

    __tablename__ = "inbox_events"

    id: Mapped[int] = _id()
    whatsapp_id: Mapped[int] = mapped_column(IdType, ForeignKey("whatsapps.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(255))
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True))

    __table_args__ = (
        UniqueConstraint("whatsapp_id", "kind", "key"),
        # The admin's failure list (keyset by id) and the recovery sweep read only the few rows not done.
        Index(
            "ix_inbox_events_open",
            "status",
            "whatsapp_id",
            "id",
            postgresql_where=text("status <> 'done'"),
            sqlite_where=text("status <> 'done'"),
        ),
    )


# Ids are never reused: on SQLite an id column without AUTOINCREMENT hands a deleted newest row's id to the next one
# (PostgreSQL identities never go back). Migration 0004_security rebuilt the existing tables with the flag.
for _table in metadata.tables.values():
    if "id" in _table.c and _table.c.id.primary_key:
        _table.dialect_options["sqlite"]["autoincrement"] = True
