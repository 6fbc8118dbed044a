from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import InvalidInput, TicketIsClosed
from whaticket_core.domain.events import DomainEvent, MessageCreated
from whaticket_core.domain.message import MediaFile
from whaticket_core.domain.read_models import MessageView
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import JobQueue
from whaticket_core.ports.media import MediaStore
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.messages.outbound_steps import checked_content, saved_media, store_outbound
from whaticket_core.use_cases.shared.outbox import commit_with, request_delivery
from whaticket_core.use_cases.shared.reporting import record_first_response
from whaticket_core.use_cases.shared.ticket_access import load_visible_ticket, ticket_changed, view_of


@dataclass(frozen=True, slots=True)
class SendMessageCommand:
    ticket_id: int
    actor: Viewer
    body: str = ""
    quoted_message_id: int | None = None
    media: MediaFile | None = None


class SendMessage:
    """An agent writes on a ticket. The message is stored ``pending`` (transactional outbox) and delivered by a
    ``DeliverMessageJob`` enqueued after commit; each ack change comes back as ``message:updated``.

    Rules: the actor must see the ticket (else ``ticket_not_found``); a closed ticket answers ``ticket_closed``; a text
    message needs a non-blank body (a media message may have an empty caption); a quoted message must belong to the
    same ticket (else ``validation_error``). An agent (role ``user``) writing on a pending ticket accepts it first
    (``open``, assigned to them). Media bytes go to the media store before the transaction (and are removed again if
    it fails). The ticket's first agent message is recorded for reports (first-response time). Publishes the ticket's
    events and ``message:created`` after commit. Once committed the message is answered as sent to the queue even
    when enqueueing its delivery fails: the sweeper delivers it.
    """

    def __init__(
        self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, jobs: JobQueue, media_store: MediaStore
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._jobs = jobs
        self._media_store = media_store

    async def execute(self, command: SendMessageCommand) -> MessageView:
        media = command.media
        body = checked_content(command.body, media, "file")
        media_key = await saved_media(self._media_store, media)
        try:
            async with self._uow as uow:
                ticket = await load_visible_ticket(uow, command.ticket_id, command.actor)
                if ticket.status is TicketStatus.CLOSED:
                    raise TicketIsClosed(f"Ticket {ticket.id} is closed", ticket_id=ticket.id)
                before = ticket.placement
                now = self._clock.now()
                if ticket.status is TicketStatus.PENDING and command.actor.role is Role.USER:
                    ticket.accept(command.actor.user_id, now)
                if command.quoted_message_id is not None:
                    quoted = await uow.messages.get(command.quoted_message_id)
                    if quoted is None or quoted.ticket_id != ticket.id:
                        raise InvalidInput("the quoted message is not on this ticket", "quoted_message_id")
                message = await store_outbound(
                    uow,
                    ticket,
                    body,
                    now,
                    quoted_message_id=command.quoted_message_id,
                    media_type=media.media_type if media else None,
                    media_key=media_key,
                    media_mime=media.mime_type if media else None,
                    media_name=media.file_name if media else None,
                )
                await record_first_response(uow, ticket, command.actor.user_id, now)
                await uow.tickets.save(ticket)
                view = await view_of(uow, ticket)
                message_view = MessageView.of(message)
                events: list[DomainEvent] = [*ticket_changed(view, before), MessageCreated(message_view, view)]
                await commit_with(uow, events)
        except BaseException:
            if media_key is not None:
                await self._media_store.delete(media_key)
            raise
        await request_delivery(self._jobs, message.id)
        await self._publisher.publish(events)
        return message_view
