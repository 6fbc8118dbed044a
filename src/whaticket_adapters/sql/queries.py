"""The hot reads (ticket list, one ticket, tab counts, message page): one SQL statement each through SQLAlchemy
Core, rows mapped straight to the core's read models, keyset cursors (never OFFSET)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, false, func, or_, select, true, tuple_
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable

from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.domain.pagination import DEFAULT_LIMIT, CursorPage, check_limit, decode_cursor, encode_cursor
from whaticket_core.domain.read_models import ContactSummary, MessageView, TicketCounts, TicketView
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.queries import TicketListQuery

from .base_repository import contains_ci
from .errors import DATABASE_ERRORS, translate
from .models import ContactRow, MessageRow, TicketRow, table_of

_T = table_of(TicketRow)
_C = table_of(ContactRow)
_M = table_of(MessageRow)

_TICKET_COLUMNS = (
    _T.c.id,
    _T.c.status,
    _T.c.whatsapp_id,
    _T.c.queue_id,
    _T.c.user_id,
    _T.c.unread_messages,
    _T.c.last_message,
    _T.c.last_message_at,
    _T.c.is_group,
    _T.c.created_at,
    _T.c.updated_at,
    _T.c.closed_at,
    _C.c.id.label("contact_id"),
    _C.c.name.label("contact_name"),
    _C.c.number.label("contact_number"),
    _C.c.profile_pic_url.label("contact_profile_pic_url"),
    _C.c.is_group.label("contact_is_group"),
)
_MESSAGE_COLUMNS = (
    _M.c.id,
    _M.c.ticket_id,
    _M.c.contact_id,
    _M.c.from_me,
    _M.c.body,
    _M.c.ack,
    _M.c.media_type,
    _M.c.media_key.is_not(None).label("has_media"),
    _M.c.quoted_message_id,
    _M.c.is_edited,
    _M.c.is_deleted,
    _M.c.error,
    _M.c.created_at,
    _M.c.participant,
    _M.c.participant_name,
)


def visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """:func:`whaticket_core.domain.visibility.can_see` as SQL over the tickets table."""
    if viewer.is_staff:
        return true()
    queue_ids = sorted(viewer.queue_ids)
    return or_(
        _T.c.user_id == viewer.user_id,
        _T.c.queue_id.in_(queue_ids) if queue_ids else false(),
        and_(_T.c.queue_id.is_(None), _T.c.status == TicketStatus.PENDING.value),
    )


def _filters(query: TicketListQuery, *, with_status: bool) -> list[ColumnElement[bool]]:
    conditions = [visible_to(query.viewer)]
    if with_status and query.status is not None:
        conditions.append(_T.c.status == query.status.value)
    if query.queue_ids is not None:
        conditions.append(_T.c.queue_id.in_(sorted(query.queue_ids)) if query.queue_ids else false())
    if query.user_id is not None:
        conditions.append(_T.c.user_id == query.user_id)
    if query.unread_only:
        conditions.append(_T.c.unread_messages > 0)
    if query.search:
        conditions.append(
            or_(
                contains_ci(_C.c.name, query.search),
                contains_ci(_C.c.number, query.search),
                exists().where(_M.c.ticket_id == _T.c.id, contains_ci(_M.c.body, query.search)),
            )
        )
    return conditions


def _ticket_view(row: Row[Any]) -> TicketView:
    m = row._mapping
    return TicketView(
        id=m["id"],
        status=TicketStatus(m["status"]),
        contact=ContactSummary(
            m["contact_id"], m["contact_name"], m["contact_number"], m["contact_profile_pic_url"], m["contact_is_group"]
        ),
        whatsapp_id=m["whatsapp_id"],
        queue_id=m["queue_id"],
        user_id=m["user_id"],
        unread_messages=m["unread_messages"],
        last_message=m["last_message"],
        last_message_at=m["last_message_at"],
        is_group=m["is_group"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
        closed_at=m["closed_at"],
    )


def _message_view(row: Row[Any]) -> MessageView:
    m = row._mapping
    return MessageView(
        id=m["id"],
        ticket_id=m["ticket_id"],
        contact_id=m["contact_id"],
        from_me=m["from_me"],
        body="" if m["is_deleted"] else m["body"],
        ack=MessageAck(m["ack"]),
        media_type=MediaType(m["media_type"]) if m["media_type"] is not None else None,
        has_media=bool(m["has_media"]),
        quoted_message_id=m["quoted_message_id"],
        is_edited=m["is_edited"],
        is_deleted=m["is_deleted"],
        error=m["error"],
        created_at=m["created_at"],
        participant=m["participant"],
        participant_name=m["participant_name"],
    )


def _ticket_cursor(cursor: str) -> tuple[datetime, int]:
    at, ticket_id = decode_cursor(cursor, str, int)
    try:
        updated_at = datetime.fromisoformat(str(at))
    except ValueError:
        raise InvalidInput("cursor is not valid", "cursor") from None
    if updated_at.tzinfo is None:
        raise InvalidInput("cursor is not valid", "cursor")
    return updated_at, int(ticket_id)


class _SqlReader:
    def __init__(self, engine: AsyncEngine) -> None:
        # One statement needs no transaction: on PostgreSQL autocommit saves the BEGIN/ROLLBACK round trips. (SQLite
        # keeps its own BEGIN handling, see engine.py; a deferred BEGIN there costs no round trip.)
        if engine.dialect.name == "postgresql":
            engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._engine = engine

    async def _rows(self, statement: Executable) -> Sequence[Row[Any]]:
        try:
            async with self._engine.connect() as conn:
                return (await conn.execute(statement)).all()
        except DATABASE_ERRORS as error:
            raise translate(error) from error


class SqlTicketQueries(_SqlReader):
    """Implements :class:`~whaticket_core.ports.queries.TicketQueries` and
    :class:`~whaticket_core.ports.queries.TicketCounter`."""

    def list_statement(self, query: TicketListQuery) -> Select[Any]:
        """The ticket list's SQL (exposed for EXPLAIN in benchmarks)."""
        conditions = _filters(query, with_status=True)
        if query.cursor is not None:
            updated_at, ticket_id = _ticket_cursor(query.cursor)
            after = tuple_(bindparam(None, updated_at, _T.c.updated_at.type), bindparam(None, ticket_id, _T.c.id.type))
            conditions.append(tuple_(_T.c.updated_at, _T.c.id) < after)
        return (
            select(*_TICKET_COLUMNS)
            .select_from(_T.join(_C, _C.c.id == _T.c.contact_id))
            .where(*conditions)
            .order_by(_T.c.updated_at.desc(), _T.c.id.desc())
            .limit(query.limit + 1)
        )

    async def list_tickets(self, query: TicketListQuery) -> CursorPage[TicketView]:
        views = [_ticket_view(r) for r in await self._rows(self.list_statement(query))]
        next_cursor = None
        if len(views) > query.limit:
            views = views[: query.limit]
            next_cursor = encode_cursor(views[-1].updated_at.isoformat(), views[-1].id)
        return CursorPage(views, next_cursor)

    async def get_ticket(self, ticket_id: int) -> TicketView | None:
        statement = (
            select(*_TICKET_COLUMNS).select_from(_T.join(_C, _C.c.id == _T.c.contact_id)).where(_T.c.id == ticket_id)
        )
        rows = await self._rows(statement)
        return _ticket_view(rows[0]) if rows else None

    async def count_tickets(self, query: TicketListQuery) -> TicketCounts:
        statement = (
            select(_T.c.status, func.count())
            .select_from(_T.join(_C, _C.c.id == _T.c.contact_id))
            .where(*_filters(query, with_status=False))
            .group_by(_T.c.status)
        )
        counts = {status: int(n) for status, n in await self._rows(statement)}
        return TicketCounts(
            pending=counts.get(TicketStatus.PENDING.value, 0),
            open=counts.get(TicketStatus.OPEN.value, 0),
            closed=counts.get(TicketStatus.CLOSED.value, 0),
        )


class SqlMessageQueries(_SqlReader):
    """Implements :class:`~whaticket_core.ports.queries.MessageQueries`."""

    def page_statement(self, ticket_id: int, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> Select[Any]:
        """A message page's SQL (exposed for EXPLAIN in benchmarks)."""
        check_limit(limit)
        statement = select(*_MESSAGE_COLUMNS).where(_M.c.ticket_id == ticket_id)
        if cursor is not None:
            (before,) = decode_cursor(cursor, int)
            statement = statement.where(_M.c.id < before)
        return statement.order_by(_M.c.id.desc()).limit(limit + 1)

    async def list_messages(
        self, ticket_id: int, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
    ) -> CursorPage[MessageView]:
        views = [_message_view(r) for r in await self._rows(self.page_statement(ticket_id, limit=limit, cursor=cursor))]
        next_cursor = None
        if len(views) > limit:
            views = views[:limit]
            next_cursor = encode_cursor(views[-1].id)
        return CursorPage(views, next_cursor)

    async def get_message(self, message_id: int) -> MessageView | None:
        rows = await self._rows(select(*_MESSAGE_COLUMNS).where(_M.c.id == message_id))
        return _message_view(rows[0]) if rows else None
