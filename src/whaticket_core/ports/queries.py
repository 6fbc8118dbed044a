"""Query ports: the hot reads, served by one SQL statement each (no ORM objects) with an index and a keyset cursor.

They read committed data outside any unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..domain.contact import Contact
from ..domain.pagination import DEFAULT_LIMIT, CursorPage, OffsetPage, OffsetQuery, check_limit
from ..domain.read_models import MessageView, TicketCounts, TicketView, UserView
from ..domain.reports import ReportFilter, ReportSummary
from ..domain.tag import TagCount
from ..domain.ticket import TicketPlacement, TicketStatus
from ..domain.visibility import Viewer


@dataclass(frozen=True, slots=True)
class TicketListQuery:
    viewer: Viewer
    status: TicketStatus | None = None
    queue_ids: frozenset[int] | None = None
    user_id: int | None = None
    search: str | None = None
    unread_only: bool = False
    # Tickets carrying any of these tags.
    tag_ids: frozenset[int] | None = None
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None

    def __post_init__(self) -> None:
        check_limit(self.limit)


class TicketQueries(Protocol):
    """Tickets the viewer may see (:func:`~whaticket_core.domain.visibility.can_see`), filtered by the query, newest
    activity first (``updated_at`` desc, then ``id`` desc). ``search`` matches contact name, contact number and
    message text, case-insensitively. ``next_cursor`` is None on the last page. An invalid cursor raises InvalidInput.
    """

    async def list_tickets(self, query: TicketListQuery) -> CursorPage[TicketView]: ...

    async def get_ticket(self, ticket_id: int) -> TicketView | None:
        """No visibility check: callers apply it."""
        ...


class TicketPlacements(Protocol):
    """Where a ticket stands (status, queue, assignee): what its visibility and its realtime rooms depend on, read
    without the rest of the ticket. None when the ticket does not exist; no visibility check: callers apply it."""

    async def placement_of(self, ticket_id: int) -> TicketPlacement | None: ...


class TicketCounter(Protocol):
    """Counts of the tickets of :meth:`TicketQueries.list_tickets` per status, ignoring ``status``, ``limit`` and
    ``cursor`` of the query."""

    async def count_tickets(self, query: TicketListQuery) -> TicketCounts: ...


class TagCounter(Protocol):
    """How many of the tickets of :meth:`TicketQueries.list_tickets` carry each tag (ignoring ``limit`` and
    ``cursor``); tags no such ticket carries are left out; ordered by tag id."""

    async def count_by_tag(self, query: TicketListQuery) -> list[TagCount]: ...


class MessageQueries(Protocol):
    """A ticket's messages, newest first (``id`` desc), with an opaque keyset cursor."""

    async def list_messages(
        self, ticket_id: int, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
    ) -> CursorPage[MessageView]: ...

    async def get_message(self, message_id: int) -> MessageView | None: ...


class PlacedMessagePages(Protocol):
    """A page of :meth:`MessageQueries.list_messages` together with its ticket's placement, read at once so the
    caller checks visibility without a read of its own: ``(None, empty page)`` when the ticket does not exist. No
    visibility check: callers apply it, and must not hand the page out when it fails."""

    async def placed_page(
        self, ticket_id: int, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None
    ) -> tuple[TicketPlacement | None, CursorPage[MessageView]]: ...


@dataclass(frozen=True, slots=True)
class AuthUser:
    """What the bearer check needs of a user: the user as clients see it (``queue_ids`` ascending) and the user's
    token version."""

    user: UserView
    token_version: int


class AuthUserQueries(Protocol):
    """The user an access token names, read fresh on every request (one statement, no unit of work)."""

    async def auth_user(self, user_id: int) -> AuthUser | None:
        """None for a user that does not exist (deleted)."""
        ...


class ReportQueries(Protocol):
    """The reporting summary over the events matching ``report``: counts of created and closed tickets, p50/p90 of
    first-response and resolution seconds (``percentile_cont``: linear interpolation), the ratings' count and average;
    then the same per queue and per agent (ordered by id, the events without one last)."""

    async def summary(self, report: ReportFilter) -> ReportSummary: ...


class ContactQueries(Protocol):
    """The contacts page: contacts by ``id`` ascending, ``limit`` of them from ``offset``; ``search`` matches name,
    number, email or LID, case-insensitively; ``total`` counts every contact the search matches (the page's items
    are the same as the unit of work's ``contacts.list_page``)."""

    async def list_contacts(self, query: OffsetQuery) -> OffsetPage[Contact]: ...
