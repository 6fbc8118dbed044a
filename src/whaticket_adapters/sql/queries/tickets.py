"""The ticket list, one ticket and the tab counts."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    and_,
    any_,
    bindparam,
    exists,
    func,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import ARRAY

from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.pagination import CursorPage, decode_cursor, encode_cursor
from whaticket_core.domain.read_models import ContactSummary, TicketCounts, TicketView
from whaticket_core.domain.tag import TagCount, TagView
from whaticket_core.domain.ticket import TicketPlacement, TicketStatus
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.queries import TicketListQuery

from ..base_repository import like_pattern
from ..models import ContactRow, MessageRow, TicketRow, table_of
from ..models_agent_tools import TagRow, TicketTagRow
from .placements import PLACEMENT, STATUS, placement_at
from .reader import ROW_LIMIT, SqlReader
from .tag_arrays import tag_views, tags_array

_T = table_of(TicketRow)
_C = table_of(ContactRow)
_M = table_of(MessageRow)
_TG = table_of(TagRow)
_TT = table_of(TicketTagRow)

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
    _T.c.rating,
    _C.c.id.label("contact_id"),
    _C.c.name.label("contact_name"),
    _C.c.number.label("contact_number"),
    _C.c.profile_pic_url.label("contact_profile_pic_url"),
    _C.c.is_group.label("contact_is_group"),
    _C.c.lid.label("contact_lid"),
)


# The agent's visibility rule (:func:`whaticket_core.domain.visibility.can_see`) with the agent as bind parameters,
# so the statements below are built once per shape and reuse SQLAlchemy's compiled cache (building a Select and its
# cache key on every call cost ~0.5 ms of CPU per hot read).
# An id set is one array parameter on PostgreSQL (``= ANY($n)``: one statement whatever the set's size, prepared
# once), an expanded ``IN`` on SQLite.
def _in_ids(column: Any, name: str, *, postgres: bool) -> ColumnElement[bool]:
    if postgres:
        return column == any_(bindparam(name, type_=ARRAY(BigInteger)))  # type: ignore[no-any-return]
    return column.in_(bindparam(name, expanding=True, type_=column.type))  # type: ignore[no-any-return]


def _agent_sees(*, postgres: bool) -> ColumnElement[bool]:
    return or_(
        _T.c.user_id == bindparam("viewer_id", type_=_T.c.user_id.type),
        _in_ids(_T.c.queue_id, "viewer_queue_ids", postgres=postgres),
        and_(_T.c.queue_id.is_(None), _T.c.status == TicketStatus.PENDING.value),
    )


_AGENT_SEES = _agent_sees(postgres=False)


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

    postgres: bool
    staff: bool
    status: bool
    queue_filter: bool
    user_filter: bool
    unread_only: bool
    search: bool
    cursor: bool
    tag_filter: bool = False

    @classmethod
    def of(cls, query: TicketListQuery, *, listing: bool, postgres: bool) -> _Shape:
        return cls(
            postgres=postgres,
            staff=query.viewer.is_staff,
            status=listing and query.status is not None,
            queue_filter=query.queue_ids is not None,
            user_filter=query.user_id is not None,
            unread_only=query.unread_only,
            search=bool(query.search),
            cursor=listing and query.cursor is not None,
            tag_filter=query.tag_ids is not None,
        )


def _conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [] if shape.staff else [_agent_sees(postgres=shape.postgres)]
    if shape.status:
        conditions.append(_T.c.status == bindparam("status", type_=_T.c.status.type))
    if shape.queue_filter:
        conditions.append(_in_ids(_T.c.queue_id, "queue_ids", postgres=shape.postgres))
    if shape.user_filter:
        conditions.append(_T.c.user_id == bindparam("user_id", type_=_T.c.user_id.type))
    if shape.unread_only:
        conditions.append(_T.c.unread_messages > 0)
    if shape.search:
        conditions.append(_search_condition())
    if shape.tag_filter:
        # From the tag side (ix_ticket_tags_tag_ticket): the tickets carrying any of the tags.
        tagged = select(_TT.c.ticket_id).where(_in_ids(_TT.c.tag_id, "tag_ids", postgres=shape.postgres))
        conditions.append(_T.c.id.in_(tagged))
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
    if shape.tag_filter and query.tag_ids is not None:
        params["tag_ids"] = sorted(query.tag_ids)
    if shape.search and query.search:
        params["search_pattern"] = like_pattern(query.search)
    if shape.cursor and query.cursor is not None:
        params["after_updated_at"], params["after_id"] = _ticket_cursor(query.cursor)
    return params


@functools.cache
def _list_statement(shape: _Shape) -> Select[Any]:
    return (
        select(*_TICKET_COLUMNS, *([tags_array(_TT, _TT.c.ticket_id, _T.c.id)] if shape.postgres else []))
        .select_from(_T.join(_C, _C.c.id == _T.c.contact_id))
        .where(*_conditions(shape))
        .order_by(_T.c.updated_at.desc(), _T.c.id.desc())
        .limit(ROW_LIMIT)
    )


@functools.cache
def _count_statement(shape: _Shape) -> Select[Any]:
    # The contacts join only serves the search (contact name and number): without it, counting reads tickets alone.
    source = _T.join(_C, _C.c.id == _T.c.contact_id) if shape.search else _T
    return select(_T.c.status, func.count()).select_from(source).where(*_conditions(shape)).group_by(_T.c.status)


@functools.cache
def _tag_count_statement(shape: _Shape) -> Select[Any]:
    source = _T.join(_TT, _TT.c.ticket_id == _T.c.id)
    if shape.search:
        source = source.join(_C, _C.c.id == _T.c.contact_id)
    return (
        select(_TT.c.tag_id, func.count())
        .select_from(source)
        .where(*_conditions(shape))
        .group_by(_TT.c.tag_id)
        .order_by(_TT.c.tag_id)
    )


@functools.cache
def _tags_of_tickets(postgres: bool) -> Select[Any]:
    return (
        select(_TT.c.ticket_id, _TG.c.id, _TG.c.name, _TG.c.color)
        .select_from(_TT.join(_TG, _TG.c.id == _TT.c.tag_id))
        .where(_in_ids(_TT.c.ticket_id, "ticket_ids", postgres=postgres))
        .order_by(func.lower(_TG.c.name), _TG.c.id)
    )


_GET_TICKET = (
    select(*_TICKET_COLUMNS)
    .select_from(_T.join(_C, _C.c.id == _T.c.contact_id))
    .where(_T.c.id == bindparam("ticket_id", type_=_T.c.id.type))
)


# Rows are unpacked by position (in the order of _TICKET_COLUMNS): looking each column up by
# name through ``row._mapping`` cost ~0.1 ms per 40-row page. Each view is built once, with its tags.
def _ticket_view(row: Sequence[Any], tags: tuple[TagView, ...] = ()) -> TicketView:
    contact = ContactSummary(row[13], row[14], row[15], row[16], row[17], row[18])
    status = STATUS[row[1]]
    return TicketView(
        row[0], status, contact, row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[10], row[11],
        tags, row[12],
    )  # fmt: skip


def _ticket_cursor(cursor: str) -> tuple[datetime, int]:
    at, ticket_id = decode_cursor(cursor, str, int)
    try:
        updated_at = datetime.fromisoformat(str(at))
    except ValueError:
        raise InvalidInput("cursor is not valid", "cursor") from None
    if updated_at.tzinfo is None:
        raise InvalidInput("cursor is not valid", "cursor")
    return updated_at, int(ticket_id)


class SqlTicketQueries(SqlReader):
    """Implements :class:`~whaticket_core.ports.queries.TicketQueries` and
    :class:`~whaticket_core.ports.queries.TicketCounter`."""

    def list_statement(self, query: TicketListQuery) -> Select[Any]:
        """The ticket list's SQL with the query's values bound (exposed for EXPLAIN in benchmarks)."""
        shape = _Shape.of(query, listing=True, postgres=self._postgres)
        return _list_statement(shape).params(_params(query, shape), row_limit=query.limit + 1)

    async def list_tickets(self, query: TicketListQuery) -> CursorPage[TicketView]:
        shape = _Shape.of(query, listing=True, postgres=self._postgres)
        params = _params(query, shape)
        params["row_limit"] = query.limit + 1
        rows = await self._rows(_list_statement(shape), params)
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        if self._postgres:
            views = [_ticket_view(row, tag_views(row[19])) for row in rows]
        else:
            tags = await self._tags_of([row[0] for row in rows])
            views = [_ticket_view(row, tags.get(row[0], ())) for row in rows]
        next_cursor = encode_cursor(views[-1].updated_at.isoformat(), views[-1].id) if more else None
        return CursorPage(views, next_cursor)

    async def get_ticket(self, ticket_id: int) -> TicketView | None:
        rows = await self._rows(_GET_TICKET, {"ticket_id": ticket_id})
        return _ticket_view(rows[0], (await self._tags_of([ticket_id])).get(ticket_id, ())) if rows else None

    async def placement_of(self, ticket_id: int) -> TicketPlacement | None:
        """Implements :class:`~whaticket_core.ports.queries.TicketPlacements`: one statement on the primary key."""
        rows = await self._rows(PLACEMENT, {"ticket_id": ticket_id})
        return placement_at(rows[0]) if rows else None

    async def _tags_of(self, ticket_ids: list[int]) -> dict[int, tuple[TagView, ...]]:
        """The tickets' tags: one statement for the whole page (by the ticket_tags primary key); none for no ids."""
        if not ticket_ids:
            return {}
        tags: dict[int, list[TagView]] = defaultdict(list)
        for ticket_id, tag_id, name, color in await self._rows(
            _tags_of_tickets(self._postgres), {"ticket_ids": ticket_ids}
        ):
            tags[ticket_id].append(TagView(tag_id, name, color))
        return {ticket_id: tuple(found) for ticket_id, found in tags.items()}

    async def count_by_tag(self, query: TicketListQuery) -> list[TagCount]:
        """Implements :class:`~whaticket_core.ports.queries.TagCounter`."""
        shape = replace(_Shape.of(query, listing=True, postgres=self._postgres), cursor=False)
        rows = await self._rows(_tag_count_statement(shape), _params(query, shape))
        return [TagCount(int(tag_id), int(n)) for tag_id, n in rows]

    async def count_tickets(self, query: TicketListQuery) -> TicketCounts:
        shape = _Shape.of(query, listing=False, postgres=self._postgres)
        counts = {status: int(n) for status, n in await self._rows(_count_statement(shape), _params(query, shape))}
        return TicketCounts(
            pending=counts.get(TicketStatus.PENDING.value, 0),
            open=counts.get(TicketStatus.OPEN.value, 0),
            closed=counts.get(TicketStatus.CLOSED.value, 0),
        )
