"""The tables of the agent tools: tags on tickets and contacts, and the reporting facts."""

from __future__ import annotations

from datetime import datetime

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, IdType, _id, never_reuse_ids


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


never_reuse_ids()
