"""Steps several use cases share: loading what the actor may see, building events."""

from __future__ import annotations

from whaticket_core.domain.errors import TicketNotFound
from whaticket_core.domain.events import DomainEvent, TicketClosed, TicketUpdated
from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.ticket import Ticket, TicketPlacement, TicketStatus
from whaticket_core.domain.visibility import Viewer, can_see
from whaticket_core.ports.unit_of_work import UnitOfWork


async def load_visible_ticket(uow: UnitOfWork, ticket_id: int, actor: Viewer, *, for_update: bool = True) -> Ticket:
    """The ticket, locked for update; TicketNotFound when it does not exist or the actor may not see it (its
    existence is not disclosed)."""
    ticket = await uow.tickets.get(ticket_id, for_update=for_update)
    if ticket is None or not can_see(actor, ticket.placement):
        raise TicketNotFound(f"Ticket {ticket_id} not found", ticket_id=ticket_id)
    return ticket


async def view_of(uow: UnitOfWork, ticket: Ticket) -> TicketView:
    contact = await uow.contacts.get(ticket.contact_id)
    if contact is None:  # a foreign key guarantees it; reaching here means the store is corrupt
        raise LookupError(f"ticket {ticket.id} has no contact {ticket.contact_id}")
    return TicketView.of(ticket, contact, await uow.tag_assignments.of_ticket(ticket.id))


def ticket_changed(view: TicketView, before: TicketPlacement) -> list[DomainEvent]:
    """``ticket:updated`` (carrying the old placement when it moved), plus ``ticket:closed`` on closing."""
    moved = before != view.placement
    events: list[DomainEvent] = [TicketUpdated(view, before if moved else None)]
    if view.status is TicketStatus.CLOSED and before.status is not TicketStatus.CLOSED:
        events.append(TicketClosed(view))
    return events
