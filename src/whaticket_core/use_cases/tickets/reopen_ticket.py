from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict, UnitOfWork
from whaticket_core.use_cases.shared.conflicts import explain_conflict
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.ticket_access import load_visible_ticket, ticket_changed, view_of
from whaticket_core.use_cases.tickets.ticket_steps import already_open, already_open_error


@dataclass(frozen=True, slots=True)
class ReopenTicketCommand:
    ticket_id: int
    actor: Viewer


class ReopenTicket:
    """An agent reopens a closed ticket: it becomes ``open`` and assigned to them.

    Rules: the actor must see the ticket (else ``ticket_not_found``); only a closed ticket can be reopened
    (``invalid_ticket_transition``); when the contact already has another active ticket on that connection, 409
    ``ticket_already_open`` with ``details.ticketId`` naming it (also when a racing writer created it first and the
    store refused). Publishes ``ticket:updated`` after commit.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher

    async def execute(self, command: ReopenTicketCommand) -> TicketView:
        try:
            async with self._uow as uow:
                ticket = await load_visible_ticket(uow, command.ticket_id, command.actor)
                contact_id, whatsapp_id = ticket.contact_id, ticket.whatsapp_id
                before = ticket.placement
                ticket.reopen(command.actor.user_id, self._clock.now())
                await already_open(uow, contact_id, whatsapp_id, exclude=ticket.id)
                await uow.tickets.save(ticket)
                view = await view_of(uow, ticket)
                events = await commit_with(uow, ticket_changed(view, before))
        except StoreConflict as exc:
            errors = {Constraint.ACTIVE_TICKET: lambda: already_open_error(self._uow, contact_id, whatsapp_id)}
            raise await explain_conflict(exc, errors) from None
        await self._publisher.publish(events)
        return view
