"""A ticket's message page and one message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, bindparam, select

from whaticket_core.domain.message import MediaType, MessageAck, SendErrorKind
from whaticket_core.domain.pagination import DEFAULT_LIMIT, CursorPage, check_limit, decode_cursor, encode_cursor
from whaticket_core.domain.read_models import MessageView
from whaticket_core.domain.ticket import TicketPlacement

from ..mapping import reaction_of
from ..models import MessageRow, TicketRow, table_of
from .placements import PLACEMENT, PLACEMENT_COLUMNS, placement_at
from .reader import ROW_LIMIT, SqlReader

_M = table_of(MessageRow)
_T = table_of(TicketRow)

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
    _M.c.user_id,
    _M.c.send_at,
    _M.c.error_kind,
)
_MESSAGE_PAGE = {
    with_cursor: select(*_MESSAGE_COLUMNS)
    .where(
        _M.c.ticket_id == bindparam("ticket_id", type_=_M.c.ticket_id.type),
        *([_M.c.id < bindparam("before_id", type_=_M.c.id.type)] if with_cursor else []),
    )
    .order_by(_M.c.id.desc())
    .limit(ROW_LIMIT)
    for with_cursor in (False, True)
}
# The page with its ticket's placement on every row (PlacedMessagePages): the index on (ticket_id, id desc) gives
# the order and the ticket is one primary-key lookup, so the visibility check costs no statement of its own.
_PLACED_PAGE = {
    with_cursor: select(*_MESSAGE_COLUMNS, *PLACEMENT_COLUMNS)
    .select_from(_M.join(_T, _T.c.id == _M.c.ticket_id))
    .where(
        _M.c.ticket_id == bindparam("ticket_id", type_=_M.c.ticket_id.type),
        *([_M.c.id < bindparam("before_id", type_=_M.c.id.type)] if with_cursor else []),
    )
    .order_by(_M.c.id.desc())
    .limit(ROW_LIMIT)
    for with_cursor in (False, True)
}
_GET_MESSAGE = select(*_MESSAGE_COLUMNS).where(_M.c.id == bindparam("message_id", type_=_M.c.id.type))


# Enum members by stored value: a dict lookup, not an Enum call (~1 µs) per row.
_ACK = {ack.value: ack for ack in MessageAck}
_MEDIA_TYPE = {kind.value: kind for kind in MediaType}


# Rows are read by position (in the order of _MESSAGE_COLUMNS), as the ticket list's are.
def _message_view(row: Sequence[Any]) -> MessageView:
    ack, media_type, error_kind, reactions = row[5], row[6], row[19], row[16]
    return MessageView(
        row[0], row[1], row[2], row[3],
        "" if row[10] else row[4],  # a message deleted for everyone keeps no text
        _ACK[ack],
        _MEDIA_TYPE[media_type] if media_type is not None else None,
        bool(row[7]), row[8], row[9], row[10], row[11], row[12], row[13], row[14], bool(row[15]),
        tuple(reaction_of(r) for r in reactions) if reactions else (),
        row[17], row[18],
        SendErrorKind(error_kind) if error_kind is not None and ack == MessageAck.FAILED else None,
    )  # fmt: skip


class SqlMessageQueries(SqlReader):
    """Implements :class:`~whaticket_core.ports.queries.MessageQueries`."""

    @staticmethod
    def _params(ticket_id: int, limit: int, cursor: str | None) -> dict[str, Any]:
        check_limit(limit)
        params: dict[str, Any] = {"ticket_id": ticket_id, "row_limit": limit + 1}
        if cursor is not None:
            (params["before_id"],) = decode_cursor(cursor, int)
        return params

    def page_statement(self, ticket_id: int, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> Select[Any]:
        """A message page's SQL with its values bound (exposed for EXPLAIN in benchmarks)."""
        return _MESSAGE_PAGE[cursor is not None].params(self._params(ticket_id, limit, cursor))

    async def list_messages(
        self, ticket_id: int, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
    ) -> CursorPage[MessageView]:
        params = self._params(ticket_id, limit, cursor)
        return self._paged(await self._rows(_MESSAGE_PAGE[cursor is not None], params), limit)

    @staticmethod
    def _paged(rows: Sequence[Sequence[Any]], limit: int) -> CursorPage[MessageView]:
        views = [_message_view(r) for r in rows[:limit]]
        return CursorPage(views, encode_cursor(views[-1].id) if len(rows) > limit else None)

    async def placed_page(
        self, ticket_id: int, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
    ) -> tuple[TicketPlacement | None, CursorPage[MessageView]]:
        """Implements :class:`~whaticket_core.ports.queries.PlacedMessagePages`: one statement, a second only when
        the page is empty (to tell an empty ticket from a missing one)."""
        rows = await self._rows(_PLACED_PAGE[cursor is not None], self._params(ticket_id, limit, cursor))
        if rows:
            placement: TicketPlacement | None = placement_at(rows[0], len(_MESSAGE_COLUMNS))
        else:
            found = await self._rows(PLACEMENT, {"ticket_id": ticket_id})
            placement = placement_at(found[0]) if found else None
        return placement, self._paged(rows, limit)

    async def get_message(self, message_id: int) -> MessageView | None:
        rows = await self._rows(_GET_MESSAGE, {"message_id": message_id})
        return _message_view(rows[0]) if rows else None
