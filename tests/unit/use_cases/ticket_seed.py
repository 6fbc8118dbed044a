"""Seeding helpers for the ticket, query and management tests (committed state built through the fakes' own UoW)."""

from __future__ import annotations

import itertools
from typing import Any

from fake_world import World

from whaticket_core.domain.contact import Contact
from whaticket_core.domain.message import Message, MessageAck
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer

_numbers = itertools.count(1)


async def add_contact(world: World, name: str = "Ana", number: str | None = None, *, is_group: bool = False) -> Contact:
    contact = Contact(name, number or f"55219{next(_numbers):08d}", world.clock.now(), is_group=is_group)
    async with world.uow() as uow:
        await uow.contacts.add(contact)
        await uow.commit()
    return contact


async def add_ticket(
    world: World,
    *,
    contact_id: int | None = None,
    whatsapp_id: int | None = None,
    status: TicketStatus = TicketStatus.PENDING,
    queue_id: int | None = None,
    user_id: int | None = None,
) -> Ticket:
    if contact_id is None:
        contact_id = (await add_contact(world)).id
    if whatsapp_id is None:
        default = next((w for w in world.state.whatsapps.values() if w.is_default), None)
        whatsapp_id = default.id if default is not None else (await world.add_whatsapp()).id
    now = world.clock.now()
    ticket = Ticket(
        contact_id=contact_id,
        whatsapp_id=whatsapp_id,
        status=status,
        created_at=now,
        updated_at=now,
        queue_id=queue_id,
        user_id=user_id,
        closed_at=now if status is TicketStatus.CLOSED else None,
    )
    async with world.uow() as uow:
        await uow.tickets.add(ticket)
        await uow.commit()
    return ticket


async def add_message(
    world: World, ticket: Ticket, body: str = "hi", *, from_me: bool = False, **fields: Any
) -> Message:
    message = Message(
        ticket_id=ticket.id,
        contact_id=ticket.contact_id,
        whatsapp_id=ticket.whatsapp_id,
        from_me=from_me,
        body=body,
        ack=MessageAck.SENT if from_me else MessageAck.PENDING,
        created_at=world.clock.now(),
        **fields,
    )
    async with world.uow() as uow:
        await uow.messages.add(message)
        await uow.commit()
    return message


async def admin(world: World) -> Viewer:
    return await world.viewer(role=Role.ADMIN)
