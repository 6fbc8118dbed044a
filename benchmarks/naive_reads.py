"""The baseline of ``hot_reads.py``: the hot reads done the naive way, ORM objects in a session converted to the
core's read models, OFFSET pagination, one ORM count per status."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, joinedload, relationship

from whaticket_adapters.sql.models import ContactRow, MessageRow, TicketRow, table_of
from whaticket_adapters.sql.queries import visible_to
from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.domain.read_models import ContactSummary, MessageView, TicketCounts, TicketView
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.visibility import Viewer

_T = table_of(TicketRow)


class _Naive(DeclarativeBase):
    """A registry of its own: the app's models declare no relationships, and the naive way needs one."""


class NaiveContact(_Naive):
    __table__ = table_of(ContactRow)


class NaiveTicket(_Naive):
    __table__ = _T
    contact: Mapped[NaiveContact] = relationship(lazy="raise")


class NaiveMessage(_Naive):
    __table__ = table_of(MessageRow)


def _ticket_view(t: Any) -> TicketView:
    c = t.contact
    return TicketView(
        id=t.id,
        status=TicketStatus(t.status),
        contact=ContactSummary(c.id, c.name, c.number, c.profile_pic_url, c.is_group),
        whatsapp_id=t.whatsapp_id,
        queue_id=t.queue_id,
        user_id=t.user_id,
        unread_messages=t.unread_messages,
        last_message=t.last_message,
        last_message_at=t.last_message_at,
        is_group=t.is_group,
        created_at=t.created_at,
        updated_at=t.updated_at,
        closed_at=t.closed_at,
    )


def _message_view(m: Any) -> MessageView:
    return MessageView(
        id=m.id,
        ticket_id=m.ticket_id,
        contact_id=m.contact_id,
        from_me=m.from_me,
        body="" if m.is_deleted else m.body,
        ack=MessageAck(m.ack),
        media_type=MediaType(m.media_type) if m.media_type is not None else None,
        has_media=m.media_key is not None,
        quoted_message_id=m.quoted_message_id,
        is_edited=m.is_edited,
        is_deleted=m.is_deleted,
        error=m.error,
        created_at=m.created_at,
        participant=m.participant,
        participant_name=m.participant_name,
    )


class NaiveReads:
    """The baseline: ORM objects in a session (BEGIN ... ROLLBACK around each read), OFFSET pagination."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def list_tickets(self, viewer: Viewer, status: TicketStatus, limit: int, offset: int) -> list[TicketView]:
        statement = (
            select(NaiveTicket)
            .options(joinedload(NaiveTicket.contact))
            .where(visible_to(viewer), _T.c.status == status.value)
            .order_by(_T.c.updated_at.desc(), _T.c.id.desc())
            .offset(offset)
            .limit(limit)
        )
        async with self._sessions() as session:
            return [_ticket_view(t) for t in (await session.execute(statement)).scalars()]

    async def count_tickets(self, viewer: Viewer) -> TicketCounts:
        async with self._sessions() as session:
            counts = [await self._count(session, viewer, status) for status in TicketStatus]
        by_status = dict(zip(TicketStatus, counts, strict=True))
        return TicketCounts(
            pending=by_status[TicketStatus.PENDING],
            open=by_status[TicketStatus.OPEN],
            closed=by_status[TicketStatus.CLOSED],
        )

    @staticmethod
    async def _count(session: AsyncSession, viewer: Viewer, status: TicketStatus) -> int:
        statement = (
            select(func.count(NaiveTicket.id))
            .join(NaiveTicket.contact)
            .where(visible_to(viewer), _T.c.status == status.value)
        )
        return int((await session.execute(statement)).scalar_one())

    async def list_messages(self, ticket_id: int, limit: int) -> list[MessageView]:
        statement = (
            select(NaiveMessage)
            .where(NaiveMessage.ticket_id == ticket_id)
            .order_by(NaiveMessage.id.desc())
            .limit(limit)
        )
        async with self._sessions() as session:
            return [_message_view(m) for m in (await session.execute(statement)).scalars()]
