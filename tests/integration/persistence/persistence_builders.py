"""Builders of unsaved domain objects for the persistence contract tests (imported by the test modules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from whaticket_core.domain.contact import Contact
from whaticket_core.domain.message import Message, MessageAck
from whaticket_core.domain.queue import Queue
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.domain.user import Role, User
from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


# --- builders: unsaved domain objects with sensible defaults -------------------------------------------------


def contact(number: str = "5511999990001", name: str = "Ana", **kw: Any) -> Contact:
    return Contact(name=name, number=number, created_at=T0, **kw)


def whatsapp(name: str = "Main", *, is_default: bool = False, **kw: Any) -> WhatsApp:
    return WhatsApp(name=name, status=ConnectionStatus.CONNECTED, is_default=is_default, updated_at=T0, **kw)


def queue(name: str = "Sales", color: str = "#FF0000", **kw: Any) -> Queue:
    return Queue(name=name, color=color, **kw)


def user(email: str = "agent@example.com", role: Role = Role.USER, **kw: Any) -> User:
    return User(name=kw.pop("name", "Agent"), email=email, password_hash="x", role=role, created_at=T0, **kw)


def ticket(contact_id: int, whatsapp_id: int, status: TicketStatus = TicketStatus.PENDING, **kw: Any) -> Ticket:
    at = kw.pop("updated_at", T0)
    if status is TicketStatus.CLOSED:
        kw.setdefault("closed_at", at)
    if status is TicketStatus.OPEN and "user_id" not in kw:
        raise ValueError("an open ticket needs user_id")
    return Ticket(contact_id=contact_id, whatsapp_id=whatsapp_id, status=status, created_at=T0, updated_at=at, **kw)


def message(t: Ticket, body: str = "hi", *, from_me: bool = False, minutes: int = 0, **kw: Any) -> Message:
    return Message(
        ticket_id=t.id,
        contact_id=t.contact_id,
        whatsapp_id=t.whatsapp_id,
        from_me=from_me,
        body=body,
        ack=kw.pop("ack", MessageAck.SENT if from_me else MessageAck.DELIVERED),
        created_at=T0 + timedelta(minutes=minutes),
        **kw,
    )


async def seed_conversation(backend: Any) -> tuple[Contact, WhatsApp, Ticket]:
    """One contact, one connection and one pending ticket, committed."""
    async with backend.new_uow() as uow:
        c = await uow.contacts.add(contact())
        w = await uow.whatsapps.add(whatsapp(is_default=True))
        t = await uow.tickets.add(ticket(c.id, w.id))
        await uow.commit()
    return c, w, t
