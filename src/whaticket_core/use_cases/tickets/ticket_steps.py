"""Steps the ticket actions share, so the generic ticket update obeys exactly the rules of accept, transfer, close and
reopen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from whaticket_core.domain.errors import (
    ActionForbidden,
    InvalidInput,
    NoWhatsAppConnection,
    QueueNotFound,
    TicketAlreadyOpen,
    UserNotFound,
    WhatsAppNotFound,
)
from whaticket_core.domain.events import DomainEvent, MessageCreated
from whaticket_core.domain.message import Message
from whaticket_core.domain.read_models import MessageView, TicketView
from whaticket_core.domain.settings import CSAT, CSAT_QUESTION
from whaticket_core.domain.ticket import Ticket
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.domain.whatsapp import WhatsApp
from whaticket_core.ports.jobs import JobQueue
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.messages.outbound_steps import render_greeting, store_outbound
from whaticket_core.use_cases.shared.outbox import request_delivery
from whaticket_core.use_cases.shared.settings_reader import read_setting


async def check_transfer(
    uow: UnitOfWork, actor: Viewer, ticket: Ticket, user_id: int | None, queue_id: int | None
) -> None:
    """Targets must exist; an agent (role ``user``) may hand a ticket to another user only when that user is a member
    of the target queue (the given one, else the ticket's own). Anyone may move a ticket to a queue, or take it."""
    if user_id is None and queue_id is None:
        raise InvalidInput("A transfer needs a user or a queue", "user_id", "queue_id")
    if queue_id is not None and await uow.queues.get(queue_id) is None:
        raise QueueNotFound(f"Queue {queue_id} not found", queue_id=queue_id)
    if user_id is None:
        return
    target = await uow.users.get(user_id)
    if target is None:
        raise UserNotFound(f"User {user_id} not found", user_id=user_id)
    if actor.role is not Role.USER or user_id == actor.user_id:
        return
    target_queue = queue_id if queue_id is not None else ticket.queue_id
    if target_queue is None or target_queue not in target.queue_ids:
        raise ActionForbidden(f"User {user_id} is not a member of the ticket's target queue", user_id=user_id)


async def send_farewell(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Message | None:
    """Store the connection's farewell (``{{name}}`` rendered) as a pending outbound message, if it has one."""
    whatsapp = await uow.whatsapps.get(ticket.whatsapp_id)
    if whatsapp is None or not whatsapp.farewell_message.strip():
        return None
    contact = await uow.contacts.get(ticket.contact_id)
    name = contact.name if contact is not None else ""
    return await store_outbound(uow, ticket, render_greeting(whatsapp.farewell_message, name), now)


async def send_survey(uow: UnitOfWork, ticket: Ticket, now: datetime, *, skip: bool = False) -> Message | None:
    """When setting ``csat`` is ``on`` (and the closer did not skip it), store the satisfaction question as a pending
    outbound message and mark the closed ticket as awaiting the customer's rating."""
    if skip or await read_setting(uow, CSAT) != "on":
        return None
    question = await store_outbound(uow, ticket, await read_setting(uow, CSAT_QUESTION), now)
    ticket.request_rating(now)
    return question


async def already_open(uow: UnitOfWork, contact_id: int, whatsapp_id: int, *, exclude: int = 0) -> None:
    """Raise TicketAlreadyOpen (with ``details.ticketId``) when the contact has another active ticket there."""
    other = await uow.tickets.get_active(contact_id, whatsapp_id)
    if other is not None and other.id != exclude:
        raise TicketAlreadyOpen(
            f"Contact {contact_id} already has ticket {other.id} open", ticket_id=other.id, contact_id=contact_id
        )


async def already_open_error(uow: UnitOfWork, contact_id: int, whatsapp_id: int) -> TicketAlreadyOpen:
    """After the store refused a second active ticket (a racing writer won), name the winner in a fresh transaction."""
    async with uow:
        other = await uow.tickets.get_active(contact_id, whatsapp_id)
    if other is None:
        return TicketAlreadyOpen(f"Contact {contact_id} already has a ticket open", contact_id=contact_id)
    return TicketAlreadyOpen(
        f"Contact {contact_id} already has ticket {other.id} open", ticket_id=other.id, contact_id=contact_id
    )


def with_message(events: Sequence[DomainEvent], view: TicketView, *messages: Message | None) -> list[DomainEvent]:
    """The ticket's events, then ``message:created`` for each outbound message the change stored (a farewell, the
    satisfaction question)."""
    all_events = list(events)
    for message in messages:
        if message is None:
            continue
        all_events.append(MessageCreated(MessageView.of(message), view))
    return all_events


async def after_commit(
    jobs: JobQueue, publisher: EventPublisher, events: Sequence[DomainEvent], *messages: Message | None
) -> None:
    """Enqueue the delivery of the stored outbound messages, then publish ``events`` (see :func:`with_message`)."""
    for message in messages:
        if message is not None:
            await request_delivery(jobs, message.id)
    await publisher.publish(events)


async def connection_for(uow: UnitOfWork, actor: Viewer, whatsapp_id: int | None) -> WhatsApp:
    """The connection an agent-started conversation goes out on: the one named (``whatsapp_not_found``), else the
    actor's own, else the default one; with none at all, ``no_whatsapp_connection``."""
    if whatsapp_id is not None:
        whatsapp = await uow.whatsapps.get(whatsapp_id)
        if whatsapp is None:
            raise WhatsAppNotFound(f"WhatsApp connection {whatsapp_id} not found", whatsapp_id=whatsapp_id)
        return whatsapp
    user = await uow.users.get(actor.user_id)
    if user is not None and user.whatsapp_id is not None:
        own = await uow.whatsapps.get(user.whatsapp_id)
        if own is not None:
            return own
    default = await uow.whatsapps.get_default()
    if default is None:
        raise NoWhatsAppConnection("There is no WhatsApp connection to open the ticket on")
    return default
