from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import JobQueue, SendReadReceiptsJob
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.ticket_access import load_visible_ticket, ticket_changed, view_of


@dataclass(frozen=True, slots=True)
class ReadTicketCommand:
    ticket_id: int
    actor: Viewer


class ReadTicket:
    """An agent read a ticket: its unread count goes to 0 and WhatsApp is told.

    Rules: the actor must see the ticket (else ``ticket_not_found``); the row is locked, so a message arriving at the
    same moment is counted either before (and read) or after (and unread), never lost. Read receipts for the newest
    ``unread`` customer messages go out through a ``SendReadReceiptsJob`` enqueued after commit. A ticket with nothing
    unread is left untouched (no write, no event: reading must not reorder the ticket list). Publishes
    ``ticket:updated`` after commit.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, jobs: JobQueue) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._jobs = jobs

    async def execute(self, command: ReadTicketCommand) -> TicketView:
        async with self._uow as uow:
            ticket = await load_visible_ticket(uow, command.ticket_id, command.actor)
            unread = ticket.unread_messages
            if unread == 0:
                return await view_of(uow, ticket)
            before = ticket.placement
            latest = await uow.messages.latest_inbound(ticket.id, unread)
            wa_ids = tuple(m.wa_message_id for m in reversed(latest) if m.wa_message_id is not None)
            ticket.mark_read(self._clock.now())
            await uow.tickets.save(ticket)
            view = await view_of(uow, ticket)
            events = await commit_with(uow, ticket_changed(view, before))
        if wa_ids:
            await self._jobs.enqueue(SendReadReceiptsJob(ticket.id, wa_ids))
        await self._publisher.publish(events)
        return view
