"""Steps the message use cases share: finding a message's ticket, checking the actor may see it, addressing its
chat on WhatsApp."""

from __future__ import annotations

from whaticket_core.domain.errors import MessageNotFound, NoteNotSendable
from whaticket_core.domain.message import Message
from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.ticket import Ticket
from whaticket_core.domain.visibility import Viewer, can_see
from whaticket_core.ports.transport import Recipient
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.shared.ticket_access import view_of


async def ticket_of(uow: UnitOfWork, message: Message, *, for_update: bool = False) -> Ticket:
    ticket = await uow.tickets.get(message.ticket_id, for_update=for_update)
    if ticket is None:  # a foreign key guarantees it; reaching here means the store is corrupt
        raise LookupError(f"message {message.id} has no ticket {message.ticket_id}")
    return ticket


async def ticket_view_of(uow: UnitOfWork, message: Message) -> TicketView:
    return await view_of(uow, await ticket_of(uow, message))


async def load_visible_message(uow: UnitOfWork, message_id: int, actor: Viewer) -> tuple[Message, Ticket]:
    """The message (locked for update) and its ticket; MessageNotFound when either is missing or the actor may not
    see the ticket (its existence is not disclosed)."""
    message = await uow.messages.get(message_id, for_update=True)
    if message is not None:
        ticket = await ticket_of(uow, message)
        if can_see(actor, ticket.placement):
            return message, ticket
    raise MessageNotFound(f"Message {message_id} not found", message_id=message_id)


async def recipient_of(uow: UnitOfWork, ticket: Ticket) -> Recipient:
    """The ticket's chat on WhatsApp: the group id for a group ticket; else the contact's number, the address
    WhatsApp expects once it is known, or ``<lid>@lid`` for a customer known only by their hidden-number id."""
    contact = await uow.contacts.get(ticket.contact_id)
    if contact is None:
        raise LookupError(f"ticket {ticket.id} has no contact {ticket.contact_id}")
    if contact.number is None:
        if contact.lid is None:  # a contact always has one of the two; reaching here means the store is corrupt
            raise LookupError(f"contact {contact.id} has neither number nor LID")
        return Recipient(f"{contact.lid}@lid")
    return Recipient(contact.number, is_group=contact.is_group)


async def whatsapp_chat_of(uow: UnitOfWork, message: Message, ticket: Ticket) -> Recipient:
    """Where ``message`` goes on WhatsApp: the one way the message use cases address a send, an edit or a delete.
    An internal note has no chat: NoteNotSendable, so no path can hand one to the transport."""
    if message.is_note:
        raise NoteNotSendable(f"Message {message.id} is an internal note", message_id=message.id)
    return await recipient_of(uow, ticket)
