from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.events import DomainEvent, MessageCreated, NoteMentioned
from whaticket_core.domain.mentions import mentioned
from whaticket_core.domain.message import new_note
from whaticket_core.domain.pagination import MAX_LIMIT, OffsetQuery
from whaticket_core.domain.read_models import MessageView
from whaticket_core.domain.user import User
from whaticket_core.domain.visibility import Viewer, can_see
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.ticket_access import load_visible_ticket, view_of


@dataclass(frozen=True, slots=True)
class AddNoteCommand:
    ticket_id: int
    actor: Viewer
    body: str


class AddNote:
    """An agent leaves an internal note on a ticket: a message of kind ``note`` that agents see and WhatsApp never
    does.

    Rules: the actor must see the ticket (else ``ticket_not_found``); any status, closed included (notes are about
    the conversation, not part of it); the body is 1..65,536 characters and not blank. The note is stored with the
    author and a final ack (``sent``), so the outbox never delivers it; it does not change the ticket (status,
    unread count and last message stay the customer's conversation). ``@Name`` mentions the users so named who may
    see the ticket, the author excepted. Publishes ``message:created``, then ``note:mention`` for the mentioned users.
    Webhooks never carry notes (integrations may show or send what they receive to customers).
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher

    async def execute(self, command: AddNoteCommand) -> MessageView:
        async with self._uow as uow:
            ticket = await load_visible_ticket(uow, command.ticket_id, command.actor, for_update=False)
            note = new_note(
                ticket.id, ticket.contact_id, ticket.whatsapp_id, command.actor.user_id, command.body, self._clock.now()
            )
            await uow.messages.add(note)
            users = await _mentionable(uow) if "@" in note.body else []
            notified = tuple(
                u.id
                for u in mentioned(note.body, users)
                if u.id != command.actor.user_id and can_see(Viewer.of(u), ticket.placement)
            )
            view = await view_of(uow, ticket)
            message = MessageView.of(note)
            changed: list[DomainEvent] = [MessageCreated(message, view)]
            if notified:
                changed.append(NoteMentioned(ticket.id, note.id, notified))
            events = await commit_with(uow, changed)
        await self._publisher.publish(events)
        return message


async def _mentionable(uow: UnitOfWork) -> list[User]:
    """Every user (a helpdesk has tens to hundreds), read a page at a time."""
    users: list[User] = []
    offset = 0
    while True:
        page = await uow.users.list_page(OffsetQuery(limit=MAX_LIMIT, offset=offset))
        users.extend(page.items)
        offset += len(page.items)
        if not page.items or offset >= page.total:
            return users
