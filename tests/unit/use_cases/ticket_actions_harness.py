"""What the ticket action tests share: use case builders, an invariant-checking read, a unit of work losing a race."""

from __future__ import annotations

from typing import Self

from fake_world import World

from whaticket_core.domain.ticket import Ticket, TicketStatus, check_invariants
from whaticket_core.testing import InMemoryStore, InMemoryUnitOfWork
from whaticket_core.testing.conversation_repositories import InMemoryTicketRepository
from whaticket_core.use_cases.tickets.close_ticket import CloseTicket
from whaticket_core.use_cases.tickets.create_ticket import CreateTicket
from whaticket_core.use_cases.tickets.reopen_ticket import ReopenTicket
from whaticket_core.use_cases.tickets.transfer_ticket import TransferTicket
from whaticket_core.use_cases.tickets.update_ticket import UpdateTicket

OPEN, PENDING, CLOSED = TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.CLOSED


def stored(world: World, ticket_id: int) -> Ticket:
    ticket = world.state.tickets[ticket_id]
    assert check_invariants(ticket) == []
    return ticket


def transfer(world: World) -> TransferTicket:
    return TransferTicket(world.uow(), world.clock, world.publisher)


def close(world: World) -> CloseTicket:
    return CloseTicket(world.uow(), world.clock, world.publisher, world.jobs)


def reopen(world: World, uow: InMemoryUnitOfWork | None = None) -> ReopenTicket:
    return ReopenTicket(uow or world.uow(), world.clock, world.publisher)


def create(world: World, uow: InMemoryUnitOfWork | None = None) -> CreateTicket:
    return CreateTicket(uow or world.uow(), world.clock, world.publisher)


def update(world: World) -> UpdateTicket:
    return UpdateTicket(world.uow(), world.clock, world.publisher, world.jobs)


class BlindTickets(InMemoryTicketRepository):
    """The ticket repository as seen in the race window: a rival's active ticket, committed after our check, is
    not visible to ``get_active`` but the store still refuses the second active ticket on write."""

    async def get_active(self, contact_id: int, whatsapp_id: int, *, for_update: bool = False) -> None:
        return None


class RacingUnitOfWork(InMemoryUnitOfWork):
    """Its first transaction loses the race described in :class:`BlindTickets`; later ones see everything."""

    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(store)
        self._real = self.tickets
        self._blind = BlindTickets(self)
        self._blind_left = 1

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        if self._blind_left:
            self._blind_left -= 1
            self.tickets = self._blind
        else:
            self.tickets = self._real
        return self
