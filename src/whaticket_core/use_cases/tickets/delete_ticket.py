from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import TicketNotFound
from whaticket_core.domain.events import TicketDeleted
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.shared.guards import require_admin
from whaticket_core.use_cases.shared.outbox import commit_with


@dataclass(frozen=True, slots=True)
class DeleteTicketCommand:
    ticket_id: int
    actor: Viewer


class DeleteTicket:
    """Delete a ticket and its messages.

    Rules: admin only (``forbidden``, checked before the lookup so nothing is disclosed); an unknown id answers
    ``ticket_not_found``. Publishes ``ticket:deleted`` (with the placement it had, for routing) after commit.
    """

    def __init__(self, uow: UnitOfWork, publisher: EventPublisher) -> None:
        self._uow = uow
        self._publisher = publisher

    async def execute(self, command: DeleteTicketCommand) -> None:
        require_admin(command.actor, "delete tickets")
        async with self._uow as uow:
            ticket = await uow.tickets.get(command.ticket_id, for_update=True)
            if ticket is None:
                raise TicketNotFound(f"Ticket {command.ticket_id} not found", ticket_id=command.ticket_id)
            placement = ticket.placement
            await uow.tickets.delete(ticket.id)
            events = await commit_with(uow, [TicketDeleted(command.ticket_id, placement)])
        await self._publisher.publish(events)
