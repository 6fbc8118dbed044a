from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime

from ..domain.contact import Contact
from ..domain.errors import InvalidInput
from ..domain.pagination import (
    DEFAULT_LIMIT,
    CursorPage,
    OffsetPage,
    OffsetQuery,
    check_limit,
    decode_cursor,
    encode_cursor,
)
from ..domain.read_models import MessageView, TicketCounts, TicketView, UserView
from ..domain.tag import Tag, TagCount, TagView
from ..domain.ticket import Ticket, TicketPlacement, TicketStatus
from ..domain.visibility import can_see
from ..ports.queries import AuthUser, TicketListQuery
from .repository_base import matches, page_of
from .store import InMemoryStore


def _check_timestamp(text: str) -> None:
    """A ticket cursor carries an aware ISO timestamp; anything else is an invalid cursor (as in SQL adapters)."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput("cursor is not valid", "cursor") from None
    if parsed.tzinfo is None:
        raise InvalidInput("cursor is not valid", "cursor")


class InMemoryTicketQueries:
    """The ticket list, one ticket and the tab counts, read from an :class:`InMemoryStore`'s committed state."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _view(self, ticket: Ticket) -> TicketView:
        s = self._store.state
        tag_ids = s.ticket_tags.get(ticket.id, set())
        tags = sorted((s.tags[i] for i in tag_ids if i in s.tags), key=lambda t: (t.name.lower(), t.id))
        return TicketView.of(ticket, s.contacts[ticket.contact_id], tags)

    def _matching(self, query: TicketListQuery, *, with_status: bool) -> list[Ticket]:
        s = self._store.state
        found = []
        for t in s.tickets.values():
            if not can_see(query.viewer, t.placement):
                continue
            if with_status and query.status is not None and t.status is not query.status:
                continue
            if query.queue_ids is not None and t.queue_id not in query.queue_ids:
                continue
            if query.user_id is not None and t.user_id != query.user_id:
                continue
            if query.unread_only and t.unread_messages == 0:
                continue
            if query.tag_ids is not None and not query.tag_ids & s.ticket_tags.get(t.id, set()):
                continue
            if query.search and not self._search_hits(t, query.search.lower()):
                continue
            found.append(t)
        return found

    def _search_hits(self, ticket: Ticket, needle: str) -> bool:
        s = self._store.state
        contact = s.contacts[ticket.contact_id]
        if needle in contact.name.lower() or needle in (contact.number or ""):
            return True
        return any(m.ticket_id == ticket.id and needle in m.body.lower() for m in s.messages.values())

    async def list_tickets(self, query: TicketListQuery) -> CursorPage[TicketView]:
        found = sorted(
            self._matching(query, with_status=True), key=lambda t: (t.updated_at.isoformat(), t.id), reverse=True
        )
        if query.cursor is not None:
            at, last_id = decode_cursor(query.cursor, str, int)
            _check_timestamp(str(at))
            found = [t for t in found if (t.updated_at.isoformat(), t.id) < (at, last_id)]
        page = found[: query.limit + 1]
        next_cursor = None
        if len(page) > query.limit:
            page = page[: query.limit]
            next_cursor = encode_cursor(page[-1].updated_at.isoformat(), page[-1].id)
        return CursorPage([self._view(t) for t in page], next_cursor)

    async def get_ticket(self, ticket_id: int) -> TicketView | None:
        ticket = self._store.state.tickets.get(ticket_id)
        return None if ticket is None else self._view(ticket)

    async def placement_of(self, ticket_id: int) -> TicketPlacement | None:
        ticket = self._store.state.tickets.get(ticket_id)
        return None if ticket is None else ticket.placement

    async def count_tickets(self, query: TicketListQuery) -> TicketCounts:
        found = self._matching(query, with_status=False)
        return TicketCounts(
            pending=sum(t.status is TicketStatus.PENDING for t in found),
            open=sum(t.status is TicketStatus.OPEN for t in found),
            closed=sum(t.status is TicketStatus.CLOSED for t in found),
        )

    async def count_by_tag(self, query: TicketListQuery) -> list[TagCount]:
        s = self._store.state
        counts: Counter[int] = Counter()
        for t in self._matching(query, with_status=True):
            counts.update(i for i in s.ticket_tags.get(t.id, set()) if i in s.tags)
        return [TagCount(tag_id, n) for tag_id, n in sorted(counts.items())]


class InMemoryMessageQueries:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def list_messages(
        self, ticket_id: int, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
    ) -> CursorPage[MessageView]:
        check_limit(limit)
        found = sorted(
            (m for m in self._store.state.messages.values() if m.ticket_id == ticket_id),
            key=lambda m: m.id,
            reverse=True,
        )
        if cursor is not None:
            (before,) = decode_cursor(cursor, int)
            if not isinstance(before, int):
                raise InvalidInput("cursor is not valid", "cursor")
            found = [m for m in found if m.id < before]
        page = found[: limit + 1]
        next_cursor = None
        if len(page) > limit:
            page = page[:limit]
            next_cursor = encode_cursor(page[-1].id)
        return CursorPage([MessageView.of(m) for m in page], next_cursor)

    async def placed_page(
        self, ticket_id: int, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
    ) -> tuple[TicketPlacement | None, CursorPage[MessageView]]:
        page = await self.list_messages(ticket_id, limit=limit, cursor=cursor)
        ticket = self._store.state.tickets.get(ticket_id)
        return (None if ticket is None else ticket.placement), page

    async def get_message(self, message_id: int) -> MessageView | None:
        message = self._store.state.messages.get(message_id)
        return None if message is None else MessageView.of(message)


class InMemoryAuthUserQueries:
    """The bearer check's user lookup, read from an :class:`InMemoryStore`'s committed state."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def auth_user(self, user_id: int) -> AuthUser | None:
        user = self._store.state.users.get(user_id)
        if user is None:
            return None
        view = UserView.of(user)
        return AuthUser(replace(view, queue_ids=tuple(sorted(view.queue_ids))), user.token_version)


class InMemoryContactQueries:
    """The contacts page, read from an :class:`InMemoryStore`'s committed state."""

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def list_contacts(self, query: OffsetQuery) -> OffsetPage[Contact]:
        contacts = self._store.state.contacts.values()
        found = [c for c in contacts if matches(query, c.name, c.number, c.email, c.lid)]
        page = page_of(sorted(found, key=lambda c: c.id), query)
        s = self._store.state
        for contact in page.items:
            tags = sorted((s.tags[i] for i in s.contact_tags.get(contact.id, set()) if i in s.tags), key=_tag_order)
            contact.tags = tuple(TagView.of(t) for t in tags)
        return page


def _tag_order(tag: Tag) -> tuple[str, int]:
    return (tag.name.lower(), tag.id)
