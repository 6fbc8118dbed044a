from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.contact import Contact
from whaticket_core.domain.errors import TicketAlreadyOpen
from whaticket_core.domain.events import DomainEvent, MessageCreated, TicketCreated
from whaticket_core.domain.message import MediaFile, Message
from whaticket_core.domain.numbers import normalize_number
from whaticket_core.domain.read_models import MessageView, TicketView
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer, can_see
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import JobQueue
from whaticket_core.ports.media import MediaStore
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.messages.outbound_steps import checked_content, saved_media, store_outbound
from whaticket_core.use_cases.shared.outbox import commit_with, request_delivery
from whaticket_core.use_cases.shared.retry import retry_on_conflict
from whaticket_core.use_cases.shared.ticket_access import ticket_changed
from whaticket_core.use_cases.tickets.ticket_steps import connection_for


@dataclass(frozen=True, slots=True)
class SendToNumberCommand:
    actor: Viewer
    number: str
    body: str = ""
    whatsapp_id: int | None = None
    media: MediaFile | None = None


@dataclass(frozen=True, slots=True)
class SentToNumber:
    message: MessageView
    ticket: TicketView


@dataclass(slots=True)
class _Outcome:
    message: Message
    ticket: TicketView
    events: list[DomainEvent]


class SendToNumber:
    """An integration (or a person) writes to a phone number rather than to a ticket.

    Rules: the number is normalised (``validation_error`` on ``number`` otherwise); a text message needs a non-blank
    body. The connection is the one named (``whatsapp_not_found``), else the actor's own, else the default one. The
    contact with that number is found or created (named by its number). The contact's active ticket on that
    connection is used when there is one (an agent writing on a pending one accepts it, as on ``POST /messages``; one
    the actor may not see is 409 ``ticket_already_open``, as ``POST /tickets`` answers); else a new ``open`` ticket
    assigned to the actor is created, like an agent-started conversation. The message is then stored ``pending`` and
    delivered like any other (outbox, ``DeliverMessageJob`` after commit). A writer racing on the same contact or
    ticket makes the whole transaction run again, so the number never gets two contacts or two active tickets.
    Publishes ``ticket:created`` or the ticket's updates, then ``message:created``.
    """

    def __init__(
        self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, jobs: JobQueue, media_store: MediaStore
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._jobs = jobs
        self._media_store = media_store

    async def execute(self, command: SendToNumberCommand) -> SentToNumber:
        number = normalize_number(command.number)
        body = checked_content(command.body, command.media, "media")
        media_key = await saved_media(self._media_store, command.media)
        try:
            outcome = await retry_on_conflict(lambda: self._transaction(command, number, body, media_key))
        except BaseException:
            if media_key is not None:
                await self._media_store.delete(media_key)
            raise
        await request_delivery(self._jobs, outcome.message.id)
        await self._publisher.publish(outcome.events)
        return SentToNumber(MessageView.of(outcome.message), outcome.ticket)

    async def _transaction(
        self, command: SendToNumberCommand, number: str, body: str, media_key: str | None
    ) -> _Outcome:
        actor, media = command.actor, command.media
        async with self._uow as uow:
            whatsapp = await connection_for(uow, actor, command.whatsapp_id)
            now = self._clock.now()
            contact = await uow.contacts.get_by_number(number)
            if contact is None:
                contact = await uow.contacts.add(Contact(name=number, number=number, created_at=now))
            ticket = await uow.tickets.get_active(contact.id, whatsapp.id, for_update=True)
            created = ticket is None
            if ticket is None:
                ticket = await uow.tickets.add(
                    Ticket(
                        contact_id=contact.id,
                        whatsapp_id=whatsapp.id,
                        status=TicketStatus.OPEN,
                        created_at=now,
                        updated_at=now,
                        user_id=actor.user_id,
                        is_group=contact.is_group,
                    )
                )
            elif not can_see(actor, ticket.placement):
                raise TicketAlreadyOpen(
                    f"Contact {contact.id} already has ticket {ticket.id} open", ticket_id=ticket.id
                )
            before = ticket.placement
            if ticket.status is TicketStatus.PENDING and actor.role is Role.USER:
                ticket.accept(actor.user_id, now)
            message = await store_outbound(
                uow,
                ticket,
                body,
                now,
                media_type=media.media_type if media else None,
                media_key=media_key,
                media_mime=media.mime_type if media else None,
                media_name=media.file_name if media else None,
            )
            await uow.tickets.save(ticket)
            view = TicketView.of(ticket, contact)
            events: list[DomainEvent] = [TicketCreated(view)] if created else ticket_changed(view, before)
            events.append(MessageCreated(MessageView.of(message), view))
            await commit_with(uow, events)
        return _Outcome(message, view, events)
