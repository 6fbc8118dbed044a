from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import ContactNotFound, QueueNotFound
from whaticket_core.domain.events import TicketCreated
from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict, UnitOfWork
from whaticket_core.use_cases.shared.conflicts import explain_conflict
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.reporting import record_created
from whaticket_core.use_cases.tickets.ticket_steps import already_open, already_open_error, connection_for


@dataclass(frozen=True, slots=True)
class CreateTicketCommand:
    contact_id: int
    actor: Viewer
    whatsapp_id: int | None = None
    queue_id: int | None = None


class CreateTicket:
    """An agent starts a conversation: a new ``open`` ticket assigned to the caller.

    Rules: the contact, queue and connection named must exist (``contact_not_found``, ``queue_not_found``,
    ``whatsapp_not_found``). The connection is the one given, else the caller's own, else the default one; with none
    at all, 409 ``no_whatsapp_connection``. When the contact already has an active ticket there, 409
    ``ticket_already_open`` with ``details.ticketId`` (also when a racing writer won and the store refused).
    The creation is recorded for reports. Publishes ``ticket:created`` after commit.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher

    async def execute(self, command: CreateTicketCommand) -> TicketView:
        contact_id = command.contact_id
        whatsapp_id = 0
        try:
            async with self._uow as uow:
                contact = await uow.contacts.get(contact_id)
                if contact is None:
                    raise ContactNotFound(f"Contact {contact_id} not found", contact_id=contact_id)
                if command.queue_id is not None and await uow.queues.get(command.queue_id) is None:
                    raise QueueNotFound(f"Queue {command.queue_id} not found", queue_id=command.queue_id)
                whatsapp = await connection_for(uow, command.actor, command.whatsapp_id)
                whatsapp_id = whatsapp.id
                await already_open(uow, contact_id, whatsapp_id)
                now = self._clock.now()
                ticket = Ticket(
                    contact_id=contact_id,
                    whatsapp_id=whatsapp_id,
                    status=TicketStatus.OPEN,
                    created_at=now,
                    updated_at=now,
                    queue_id=command.queue_id,
                    user_id=command.actor.user_id,
                    is_group=contact.is_group,
                )
                await uow.tickets.add(ticket)
                await record_created(uow, ticket, now)
                view = TicketView.of(ticket, contact)
                events = await commit_with(uow, [TicketCreated(view)])
        except StoreConflict as exc:
            errors = {Constraint.ACTIVE_TICKET: lambda: already_open_error(self._uow, contact_id, whatsapp_id)}
            raise await explain_conflict(exc, errors) from None
        await self._publisher.publish(events)
        return view
