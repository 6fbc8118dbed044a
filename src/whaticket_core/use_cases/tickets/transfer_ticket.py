from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.ticket_access import load_visible_ticket, ticket_changed, view_of
from whaticket_core.use_cases.tickets.ticket_steps import check_transfer


@dataclass(frozen=True, slots=True)
class TransferTicketCommand:
    ticket_id: int
    actor: Viewer
    user_id: int | None = None
    queue_id: int | None = None


class TransferTicket:
    """Hand a ticket to a user and/or a queue.

    Rules: at least one of ``user_id``/``queue_id`` (else ``validation_error``); the actor must see the ticket (else
    ``ticket_not_found``); a closed ticket cannot move (``ticket_closed``); the target user and queue must exist
    (``user_not_found``/``queue_not_found``). To a user: ``open`` and assigned (queue changed if given). To a queue
    only: ``pending`` and unassigned. An agent (role ``user``) may hand a ticket to another user only when that user is
    a member of the target queue (``forbidden`` otherwise). Publishes ``ticket:updated`` after commit.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher

    async def execute(self, command: TransferTicketCommand) -> TicketView:
        async with self._uow as uow:
            ticket = await load_visible_ticket(uow, command.ticket_id, command.actor)
            await check_transfer(uow, command.actor, ticket, command.user_id, command.queue_id)
            before = ticket.placement
            ticket.transfer(command.user_id, command.queue_id, self._clock.now())
            await uow.tickets.save(ticket)
            view = await view_of(uow, ticket)
            events = await commit_with(uow, ticket_changed(view, before))
        await self._publisher.publish(events)
        return view
