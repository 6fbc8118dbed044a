"""The hot reads (ticket list, one ticket, tab counts, message page, the bearer check's user): one SQL statement
each through SQLAlchemy Core, built once per shape with bind parameters, rows mapped straight to the core's read
models, keyset cursors (never OFFSET)."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, String, and_, bindparam, exists, func, or_, select, true, tuple_
from sqlalchemy.engine import Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Executable

from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.domain.pagination import DEFAULT_LIMIT, CursorPage, check_limit, decode_cursor, encode_cursor
from whaticket_core.domain.read_models import ContactSummary, MessageView, TicketCounts, TicketView, UserView
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.queries import AuthUser, TicketListQuery

from .base_repository import like_pattern
from .errors import DATABASE_ERRORS, translate
from .mapping import reaction_of
from .models import ContactRow, MessageRow, TicketRow, UserQueueRow, UserRow, table_of

_T = table_of(TicketRow)
_C = table_of(ContactRow)
_M = table_of(MessageRow)
_U = table_of(UserRow)
_UQ = table_of(UserQueueRow)

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
    _C.c.lid.label("contact_lid"),
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
    _M.c.undecryptable,
    _M.c.reactions,
)


# The agent's visibility rule (:func:`whaticket_core.domain.visibility.can_see`) with the agent as bind parameters,
# so the statements below are built once per shape and reuse SQLAlchemy's compiled cache (building a Select and its
# cache key on every call cost ~0.5 ms of CPU per hot read).
_AGENT_SEES = or_(
    _T.c.user_id == bindparam("viewer_id", type_=_T.c.user_id.type),
    _T.c.queue_id.in_(bindparam("viewer_queue_ids", expanding=True, type_=_T.c.queue_id.type)),
    and_(_T.c.queue_id.is_(None), _T.c.status == TicketStatus.PENDING.value),
)
_ROW_LIMIT = bindparam("row_limit", type_=Integer)


def _viewer_params(viewer: Viewer) -> dict[str, Any]:
    return {} if viewer.is_staff else {"viewer_id": viewer.user_id, "viewer_queue_ids": sorted(viewer.queue_ids)}


def visible_to(viewer: Viewer) -> ColumnElement[bool]:
    """:func:`whaticket_core.domain.visibility.can_see` as SQL over the tickets table, values bound."""
    if viewer.is_staff:
        return true()
    return _AGENT_SEES.params(_viewer_params(viewer))


def _search_condition() -> ColumnElement[bool]:
    pattern = bindparam("search_pattern", type_=String)
    return or_(
        _C.c.name.ilike(pattern, escape="\\"),
        _C.c.number.ilike(pattern, escape="\\"),
        _C.c.lid.ilike(pattern, escape="\\"),
        exists().where(_M.c.ticket_id == _T.c.id, _M.c.body.ilike(pattern, escape="\\")),
    )


@dataclass(frozen=True, slots=True)
class _Shape:
    """What decides a ticket statement's SQL; the values go in its bind parameters (see :func:`_params`)."""

    staff: bool
    status: bool
    queue_filter: bool
    user_filter: bool
    unread_only: bool
    search: bool
    cursor: bool

    @classmethod
    def of(cls, query: TicketListQuery, *, listing: bool) -> _Shape:
        return cls(
            staff=query.viewer.is_staff,
            status=listing and query.status is not None,
            queue_filter=query.queue_ids is not None,
            user_filter=query.user_id is not None,
            unread_only=query.unread_only,
            search=bool(query.search),
            cursor=listing and query.cursor is not None,
        )


def _conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [] if shape.staff else [_AGENT_SEES]
    if shape.status:
        conditions.append(_T.c.status == bindparam("status", type_=_T.c.status.type))
    if shape.queue_filter:
        conditions.append(_T.c.queue_id.in_(bindparam("queue_ids", expanding=True, type_=_T.c.queue_id.type)))
    if shape.user_filter:
        conditions.append(_T.c.user_id == bindparam("user_id", type_=_T.c.user_id.type))
    if shape.unread_only:
        conditions.append(_T.c.unread_messages > 0)
    if shape.search:
        conditions.append(_search_condition())
    if shape.cursor:
        after = tuple_(
            bindparam("after_updated_at", type_=_T.c.updated_at.type), bindparam("after_id", type_=_T.c.id.type)
        )
        conditions.append(tuple_(_T.c.updated_at, _T.c.id) < after)
    return conditions


def _params(query: TicketListQuery, shape: _Shape) -> dict[str, Any]:
    params = _viewer_params(query.viewer)
    if shape.status and query.status is not None:
        params["status"] = query.status.value
    if shape.queue_filter and query.queue_ids is not None:
        params["queue_ids"] = sorted(query.queue_ids)
    if shape.user_filter:
        params["user_id"] = query.user_id
    if shape.search and query.search:
        params["search_pattern"] = like_pattern(query.search)
    if shape.cursor and query.cursor is not None:
        params["after_updated_at"], params["after_id"] = _ticket_cursor(query.cursor)
    return params


@functools.cache
def _list_statement(shape: _Shape) -> Select[Any]:
    return (
        select(*_TICKET_COLUMNS)
        .select_from(_T.join(_C, _C.c.id == _T.c.contact_id))
        .where(*_conditions(shape))
        .order_by(_T.c.updated_at.desc(), _T.c.id.desc())
        .limit(_ROW_LIMIT)
    )


@functools.cache
def _count_statement(shape: _Shape) -> Select[Any]:
    # The contacts join only serves the search (contact name and number): without it, counting reads tickets alone.
    source = _T.join(_C, _C.c.id == _T.c.contact_id) if shape.search else _T
    return select(_T.c.status, func.count()).select_from(source).where(*_conditions(shape)).group_by(_T.c.status)


_GET_TICKET = (
    select(*_TICKET_COLUMNS)
    .select_from(_T.join(_C, _C.c.id == _T.c.contact_id))
    .where(_T.c.id == bindparam("ticket_id", type_=_T.c.id.type))
)
_MESSAGE_PAGE = {
    with_cursor: select(*_MESSAGE_COLUMNS)
    .where(
        _M.c.ticket_id == bindparam("ticket_id", type_=_M.c.ticket_id.type),
        *([_M.c.id < bindparam("before_id", type_=_M.c.id.type)] if with_cursor else []),
    )
    .order_by(_M.c.id.desc())
    .limit(_ROW_LIMIT)
    for with_cursor in (False, True)
}
# One row per queue of the user (one with a NULL queue when it has none), queues in id order as the repository
# lists them.
_AUTH_USER = (
    select(
        _U.c.id,
        _U.c.name,
        _U.c.email,
        _U.c.role,
        _U.c.whatsapp_id,
        _U.c.created_at,
        _U.c.token_version,
        _UQ.c.queue_id,
    )
    .select_from(_U.outerjoin(_UQ, _UQ.c.user_id == _U.c.id))
    .where(_U.c.id == bindparam("user_id", type_=_U.c.id.type))
    .order_by(_UQ.c.queue_id)
)
_GET_MESSAGE = select(*_MESSAGE_COLUMNS).where(_M.c.id == bindparam("message_id", type_=_M.c.id.type))


# Rows are unpacked by position (in the order of _TICKET_COLUMNS / _MESSAGE_COLUMNS): looking each column up by
# name through ``row._mapping`` cost ~0.1 ms per 40-row page.
def _ticket_view(row: Row[Any]) -> TicketView:
    (
        id_,
        status,
        whatsapp_id,
        queue_id,
        user_id,
        unread_messages,
        last_message,
        last_message_at,
        is_group,
        created_at,
        updated_at,
        closed_at,
        contact_id,
        contact_name,
        contact_number,
        contact_profile_pic_url,
        contact_is_group,
        contact_lid,
    ) = row
    return TicketView(
        id=id_,
        status=TicketStatus(status),
        contact=ContactSummary(
            contact_id, contact_name, contact_number, contact_profile_pic_url, contact_is_group, contact_lid
        ),
        whatsapp_id=whatsapp_id,
        queue_id=queue_id,
        user_id=user_id,
        unread_messages=unread_messages,
        last_message=last_message,
        last_message_at=last_message_at,
        is_group=is_group,
        created_at=created_at,
        updated_at=updated_at,
        closed_at=closed_at,
    )


def _message_view(row: Row[Any]) -> MessageView:
    (
        id_,
        ticket_id,
        contact_id,
        from_me,
        body,
        ack,
        media_type,
        has_media,
        quoted_message_id,
        is_edited,
        is_deleted,
        error,
        created_at,
        participant,
        participant_name,
        undecryptable,
        reactions,
    ) = row
    return MessageView(
        id=id_,
        ticket_id=ticket_id,
        contact_id=contact_id,
        from_me=from_me,
        body="" if is_deleted else body,
        ack=MessageAck(ack),
        media_type=MediaType(media_type) if media_type is not None else None,
        has_media=bool(has_media),
        quoted_message_id=quoted_message_id,
        is_edited=is_edited,
        is_deleted=is_deleted,
        error=error,
        created_at=created_at,
        participant=participant,
        participant_name=participant_name,
        undecryptable=bool(undecryptable),
        reactions=tuple(reaction_of(r) for r in reactions or ()),
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

    async def _rows(self, statement: Executable, params: dict[str, Any]) -> Sequence[Row[Any]]:
        try:
            try:
                return await self._read(statement, params)
            except DBAPIError as error:
                # The engine pings no connection at checkout (see engine.py): a connection the server dropped fails
                # on first use, and the pool then discards every connection older than it. A read is safe to run
                # once more on a fresh one.
                if not error.connection_invalidated:
                    raise
                return await self._read(statement, params)
        except DATABASE_ERRORS as error:
            raise translate(error) from error

    async def _read(self, statement: Executable, params: dict[str, Any]) -> Sequence[Row[Any]]:
        async with self._engine.connect() as conn:
            return (await conn.execute(statement, params)).all()


class SqlTicketQueries(_SqlReader):
    """Implements :class:`~whaticket_core.ports.queries.TicketQueries` and
    :class:`~whaticket_core.ports.queries.TicketCounter`."""

    def list_statement(self, query: TicketListQuery) -> Select[Any]:
        """The ticket list's SQL with the query's values bound (exposed for EXPLAIN in benchmarks)."""
        shape = _Shape.of(query, listing=True)
        return _list_statement(shape).params(_params(query, shape), row_limit=query.limit + 1)

    async def list_tickets(self, query: TicketListQuery) -> CursorPage[TicketView]:
        shape = _Shape.of(query, listing=True)
        params = _params(query, shape)
        params["row_limit"] = query.limit + 1
        views = [_ticket_view(r) for r in await self._rows(_list_statement(shape), params)]
        next_cursor = None
        if len(views) > query.limit:
            views = views[: query.limit]
            next_cursor = encode_cursor(views[-1].updated_at.isoformat(), views[-1].id)
        return CursorPage(views, next_cursor)

    async def get_ticket(self, ticket_id: int) -> TicketView | None:
        rows = await self._rows(_GET_TICKET, {"ticket_id": ticket_id})
        return _ticket_view(rows[0]) if rows else None

    async def count_tickets(self, query: TicketListQuery) -> TicketCounts:
        shape = _Shape.of(query, listing=False)
        counts = {status: int(n) for status, n in await self._rows(_count_statement(shape), _params(query, shape))}
        return TicketCounts(
            pending=counts.get(TicketStatus.PENDING.value, 0),
            open=counts.get(TicketStatus.OPEN.value, 0),
            closed=counts.get(TicketStatus.CLOSED.value, 0),
        )


class SqlMessageQueries(_SqlReader):
    """Implements :class:`~whaticket_core.ports.queries.MessageQueries`."""

    @staticmethod
    def _page(ticket_id: int, limit: int, cursor: str | None) -> tuple[Select[Any], dict[str, Any]]:
        check_limit(limit)
        params: dict[str, Any] = {"ticket_id": ticket_id, "row_limit": limit + 1}
        if cursor is not None:
            (params["before_id"],) = decode_cursor(cursor, int)
        return _MESSAGE_PAGE[cursor is not None], params

    def page_statement(self, ticket_id: int, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> Select[Any]:
        """A message page's SQL with its values bound (exposed for EXPLAIN in benchmarks)."""
        statement, params = self._page(ticket_id, limit, cursor)
        return statement.params(params)

    async def list_messages(
        self, ticket_id: int, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
    ) -> CursorPage[MessageView]:
        views = [_message_view(r) for r in await self._rows(*self._page(ticket_id, limit, cursor))]
        next_cursor = None
        if len(views) > limit:
            views = views[:limit]
            next_cursor = encode_cursor(views[-1].id)
        return CursorPage(views, next_cursor)

    async def get_message(self, message_id: int) -> MessageView | None:
        rows = await self._rows(_GET_MESSAGE, {"message_id": message_id})
        return _message_view(rows[0]) if rows else None


class SqlAuthUserQueries(_SqlReader):
    """Implements :class:`~whaticket_core.ports.queries.AuthUserQueries`."""

    async def auth_user(self, user_id: int) -> AuthUser | None:
        rows = await self._rows(_AUTH_USER, {"user_id": user_id})
        if not rows:
            return None
        id_, name, email, role, whatsapp_id, created_at, token_version, _ = rows[0]
        queue_ids = tuple(r.queue_id for r in rows if r.queue_id is not None)
        return AuthUser(UserView(id_, name, email, Role(role), queue_ids, whatsapp_id, created_at), token_version)
