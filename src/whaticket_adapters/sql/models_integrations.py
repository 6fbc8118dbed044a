"""The tables of the integrations: API tokens, webhook subscriptions and the webhook outbox."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, IdType, _id, never_reuse_ids


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


never_reuse_ids()
