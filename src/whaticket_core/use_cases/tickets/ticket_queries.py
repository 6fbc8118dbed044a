"""Reads of tickets through the query ports; visibility always comes from the actor, never from the client."""

from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import TicketNotFound
from whaticket_core.domain.pagination import DEFAULT_LIMIT, CursorPage
from whaticket_core.domain.read_models import TicketCounts, TicketView
from whaticket_core.domain.ticket import TicketPlacement, TicketStatus
from whaticket_core.domain.visibility import Viewer, can_see
from whaticket_core.ports.queries import TicketCounter, TicketListQuery, TicketQueries


def require_visible(placement: TicketPlacement | None, ticket_id: int, actor: Viewer) -> None:
    """``ticket_not_found`` unless the ticket exists (``placement`` is not None) and the actor may see it: an
    invisible ticket is answered as a missing one."""
    if placement is None or not can_see(actor, placement):
        raise TicketNotFound(f"Ticket {ticket_id} not found", ticket_id=ticket_id)


async def visible_ticket(queries: TicketQueries, ticket_id: int, actor: Viewer) -> TicketView:
    view = await queries.get_ticket(ticket_id)
    require_visible(None if view is None else view.placement, ticket_id, actor)
    assert view is not None  # require_visible raised otherwise
    return view


@dataclass(frozen=True, slots=True)
class ListTicketsCommand:
    actor: Viewer
    status: TicketStatus | None = None
    queue_ids: frozenset[int] | None = None
    user_id: int | None = None
    search: str | None = None
    unread_only: bool = False
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    tag_ids: frozenset[int] | None = None


class ListTickets:
    """The tickets the actor may see, filtered, newest activity first, one keyset page at a time.

    Rules: visibility is the actor's (``can_see``), whatever filters the client sends; ``limit`` 1..100 and a bad
    ``cursor`` are ``validation_error``; a blank ``search`` is no search.
    """

    def __init__(self, queries: TicketQueries) -> None:
        self._queries = queries

    async def execute(self, command: ListTicketsCommand) -> CursorPage[TicketView]:
        return await self._queries.list_tickets(
            TicketListQuery(
                viewer=command.actor,
                status=command.status,
                queue_ids=command.queue_ids,
                user_id=command.user_id,
                search=search_text(command.search),
                unread_only=command.unread_only,
                tag_ids=command.tag_ids,
                limit=command.limit,
                cursor=command.cursor,
            )
        )


@dataclass(frozen=True, slots=True)
class CountTicketsCommand:
    actor: Viewer
    queue_ids: frozenset[int] | None = None
    user_id: int | None = None
    search: str | None = None
    unread_only: bool = False
    tag_ids: frozenset[int] | None = None


class CountTickets:
    """``{pending, open, closed}`` counts of the tickets :class:`ListTickets` would show with the same filters."""

    def __init__(self, counter: TicketCounter) -> None:
        self._counter = counter

    async def execute(self, command: CountTicketsCommand) -> TicketCounts:
        return await self._counter.count_tickets(
            TicketListQuery(
                viewer=command.actor,
                queue_ids=command.queue_ids,
                user_id=command.user_id,
                search=search_text(command.search),
                unread_only=command.unread_only,
                tag_ids=command.tag_ids,
            )
        )


@dataclass(frozen=True, slots=True)
class GetTicketCommand:
    ticket_id: int
    actor: Viewer


class GetTicket:
    """One ticket; ``ticket_not_found`` when it does not exist or the actor may not see it. Reading changes nothing."""

    def __init__(self, queries: TicketQueries) -> None:
        self._queries = queries

    async def execute(self, command: GetTicketCommand) -> TicketView:
        return await visible_ticket(self._queries, command.ticket_id, command.actor)


def search_text(search: str | None) -> str | None:
    cleaned = (search or "").strip()
    return cleaned or None
