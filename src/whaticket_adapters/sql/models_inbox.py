"""The durable inbox's table: inbound WhatsApp events kept until they are processed."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, IdType, _id, never_reuse_ids


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


never_reuse_ids()
