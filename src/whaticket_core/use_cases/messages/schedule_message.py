from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from whaticket_core.domain.errors import InvalidInput, TicketIsClosed
from whaticket_core.domain.events import MessageCreated
from whaticket_core.domain.message import Message, MessageAck, validate_body
from whaticket_core.domain.read_models import MessageView
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import JobScheduler, ReleaseScheduledMessageJob
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.ticket_access import load_visible_ticket, view_of

log = logging.getLogger("whaticket.scheduled")

MAX_AHEAD = timedelta(days=366)


@dataclass(frozen=True, slots=True)
class ScheduleMessageCommand:
    ticket_id: int
    actor: Viewer
    body: str
    send_at: datetime
    cancel_if_replied: bool = False
    quoted_message_id: int | None = None


class ScheduleMessage:
    """An agent writes a text message to go out later, at ``send_at``.

    Rules: the actor must see the ticket (else ``ticket_not_found``); a closed ticket answers ``ticket_closed``; the
    body is not blank; ``send_at`` is in the future and at most 366 days ahead, and a quoted message must be on the
    ticket (else ``validation_error``). The message is stored with ack ``scheduled`` and its author; the ticket does
    not change until it goes out (its last message stays the conversation's). With ``cancel_if_replied``, a customer's
    message on the ticket before then cancels it; ``DELETE /messages/{id}`` cancels it too (``isDeleted``). After
    commit a :class:`ReleaseScheduledMessageJob` is scheduled at ``send_at`` (if that fails, the sweeper releases it
    when due) and ``message:created`` is published.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, scheduler: JobScheduler) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._scheduler = scheduler

    async def execute(self, command: ScheduleMessageCommand) -> MessageView:
        body = validate_body(command.body)
        if not body.strip():
            raise InvalidInput("body must not be empty", "body")
        now = self._clock.now()
        if command.send_at <= now:
            raise InvalidInput("sendAt must be in the future", "send_at")
        if command.send_at - now > MAX_AHEAD:
            raise InvalidInput("sendAt is at most 366 days ahead", "send_at")
        async with self._uow as uow:
            ticket = await load_visible_ticket(uow, command.ticket_id, command.actor)
            if ticket.status is TicketStatus.CLOSED:
                raise TicketIsClosed(f"Ticket {ticket.id} is closed", ticket_id=ticket.id)
            if command.quoted_message_id is not None:
                quoted = await uow.messages.get(command.quoted_message_id)
                if quoted is None or quoted.ticket_id != ticket.id:
                    raise InvalidInput("the quoted message is not on this ticket", "quoted_message_id")
            message = Message(
                ticket_id=ticket.id,
                contact_id=ticket.contact_id,
                whatsapp_id=ticket.whatsapp_id,
                from_me=True,
                body=body,
                ack=MessageAck.SCHEDULED,
                created_at=now,
                quoted_message_id=command.quoted_message_id,
                user_id=command.actor.user_id,
                send_at=command.send_at,
                cancel_if_replied=command.cancel_if_replied,
            )
            await uow.messages.add(message)
            view = await view_of(uow, ticket)
            message_view = MessageView.of(message)
            events = await commit_with(uow, [MessageCreated(message_view, view)])
        try:
            await self._scheduler.schedule(ReleaseScheduledMessageJob(message.id), command.send_at)
        except Exception:
            log.warning("could not schedule message %s; the sweeper releases it when due", message.id, exc_info=True)
        await self._publisher.publish(events)
        return message_view
