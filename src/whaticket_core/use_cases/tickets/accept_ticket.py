from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.ticket_access import load_visible_ticket, ticket_changed, view_of


@dataclass(frozen=True, slots=True)
class AcceptTicketCommand:
    ticket_id: int
    actor: Viewer


class AcceptTicket:
    """An agent takes a pending ticket: it becomes ``open`` and assigned to them.

    Rules: the actor must be able to see the ticket (else ``ticket_not_found``); only a ``pending`` ticket can be
    accepted (else ``invalid_ticket_transition``). The row is locked, so two agents accepting at once cannot both win.
    Publishes ``ticket:updated`` after commit.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher

    async def execute(self, command: AcceptTicketCommand) -> TicketView:
        async with self._uow as uow:
            ticket = await load_visible_ticket(uow, command.ticket_id, command.actor)
            before = ticket.placement
            ticket.accept(command.actor.user_id, self._clock.now())
            await uow.tickets.save(ticket)
            view = await view_of(uow, ticket)
            events = await commit_with(uow, ticket_changed(view, before))
        await self._publisher.publish(events)
        return view
