"""In-memory repositories of the conversation: tickets, messages and contacts, with the store's uniqueness rules."""

from __future__ import annotations

import copy
from datetime import datetime

from ..domain.contact import Contact
from ..domain.message import Message, MessageAck
from ..domain.pagination import OffsetPage, OffsetQuery
from ..domain.ticket import Ticket, TicketStatus
from ..ports.repositories import ActiveTicket, IdleClaim
from ..ports.unit_of_work import Constraint, StoreConflict
from .repository_base import InMemoryRepository, matches, page_of


def _matches_idle(ticket: Ticket, claim: IdleClaim) -> bool:
    idle = ticket.idle_since or ticket.created_at
    if not ticket.is_active or idle > claim.idle_before:
        return False
    warned = ticket.close_warned_at is not None and ticket.close_warned_at > idle
    if claim.warned is False:
        return not warned
    if claim.warned is True:
        at = ticket.close_warned_at
        return warned and at is not None and (claim.warned_before is None or at <= claim.warned_before)
    return True


class InMemoryTicketRepository(InMemoryRepository):
    def _check_active_unique(self, ticket: Ticket) -> None:
        if not ticket.is_active:
            return
        for other in self._s.tickets.values():
            if (
                other.id != ticket.id
                and other.is_active
                and other.contact_id == ticket.contact_id
                and other.whatsapp_id == ticket.whatsapp_id
            ):
                raise StoreConflict(Constraint.ACTIVE_TICKET, f"contact {ticket.contact_id} has ticket {other.id}")

    async def get(self, ticket_id: int, *, for_update: bool = False) -> Ticket | None:
        return copy.deepcopy(self._s.tickets.get(ticket_id))

    # The claims lock nothing: the fake's units of work run one at a time, so no other transaction can hold a row.
    async def claim_idle(self, claim: IdleClaim) -> list[Ticket]:
        found = [t for t in self._s.tickets.values() if _matches_idle(t, claim)]
        found.sort(key=lambda t: (t.idle_since or t.created_at, t.id))
        return copy.deepcopy(found[: claim.limit])

    async def claim_pending(self, queue_id: int, limit: int) -> list[Ticket]:
        found = [
            t
            for t in self._s.tickets.values()
            if t.status is TicketStatus.PENDING and t.user_id is None and t.queue_id == queue_id
        ]
        found.sort(key=lambda t: (t.created_at, t.id))
        return copy.deepcopy(found[:limit])

    async def count_open(self, user_ids: list[int]) -> dict[int, int]:
        counts = dict.fromkeys(user_ids, 0)
        for t in self._s.tickets.values():
            if t.status is TicketStatus.OPEN and t.user_id in counts:
                counts[t.user_id] += 1
        return counts

    async def get_active(self, contact_id: int, whatsapp_id: int, *, for_update: bool = False) -> Ticket | None:
        for t in self._s.tickets.values():
            if t.contact_id == contact_id and t.whatsapp_id == whatsapp_id and t.is_active:
                return copy.deepcopy(t)
        return None

    async def get_active_for_inbound(self, contact_id: int, whatsapp_id: int) -> ActiveTicket | None:
        # Through get_active and the other repositories, so a test's override of any of them still applies.
        ticket = await self.get_active(contact_id, whatsapp_id, for_update=True)
        if ticket is None:
            return None
        tags = await self._uow.tag_assignments.of_ticket(ticket.id)
        scheduled = await self._uow.messages.list_scheduled_of_ticket(ticket.id)
        return ActiveTicket.of(ticket, tags, scheduled)

    async def get_last_closed(self, contact_id: int, whatsapp_id: int) -> Ticket | None:
        closed = [
            t
            for t in self._s.tickets.values()
            if t.contact_id == contact_id and t.whatsapp_id == whatsapp_id and t.closed_at is not None
        ]
        if not closed:
            return None
        return copy.deepcopy(max(closed, key=lambda t: (t.closed_at or t.created_at, t.id)))

    async def add(self, ticket: Ticket) -> Ticket:
        self._check_active_unique(ticket)
        ticket.id = self._s.allocate("tickets")
        self._s.tickets[ticket.id] = copy.deepcopy(ticket)
        return ticket

    async def save(self, ticket: Ticket) -> None:
        self._check_active_unique(ticket)
        self._s.tickets[ticket.id] = copy.deepcopy(ticket)

    async def delete(self, ticket_id: int) -> None:
        self._s.tickets.pop(ticket_id, None)
        for mid in [m.id for m in self._s.messages.values() if m.ticket_id == ticket_id]:
            del self._s.messages[mid]

    async def list_assigned_active(self, user_id: int) -> list[Ticket]:
        return copy.deepcopy(
            [t for t in sorted(self._s.tickets.values(), key=lambda t: t.id) if t.user_id == user_id and t.is_active]
        )

    async def list_active_of_contact(self, contact_id: int) -> list[Ticket]:
        return copy.deepcopy(
            [
                t
                for t in sorted(self._s.tickets.values(), key=lambda t: t.id)
                if t.contact_id == contact_id and t.is_active
            ]
        )

    async def contact_has_tickets(self, contact_id: int) -> bool:
        return any(t.contact_id == contact_id for t in self._s.tickets.values())

    async def list_of_contact(self, contact_id: int, *, for_update: bool = False) -> list[Ticket]:
        return copy.deepcopy(
            [t for t in sorted(self._s.tickets.values(), key=lambda t: t.id) if t.contact_id == contact_id]
        )


class InMemoryMessageRepository(InMemoryRepository):
    async def get(self, message_id: int, *, for_update: bool = False) -> Message | None:
        return copy.deepcopy(self._s.messages.get(message_id))

    async def get_by_wa_id(self, whatsapp_id: int, wa_message_id: str, *, for_update: bool = False) -> Message | None:
        for m in self._s.messages.values():
            if m.whatsapp_id == whatsapp_id and m.wa_message_id == wa_message_id:
                return copy.deepcopy(m)
        return None

    def _check_unique(self, message: Message) -> None:
        if message.wa_message_id is None:
            return
        for other in self._s.messages.values():
            if (
                other.id != message.id
                and other.whatsapp_id == message.whatsapp_id
                and other.wa_message_id == message.wa_message_id
            ):
                raise StoreConflict(Constraint.MESSAGE_WA_ID, message.wa_message_id)

    async def add(self, message: Message) -> Message:
        self._check_unique(message)
        message.id = self._s.allocate("messages")
        self._s.messages[message.id] = copy.deepcopy(message)
        return message

    async def add_if_new(self, message: Message) -> bool:
        try:
            self._check_unique(message)
        except StoreConflict:
            return False
        await self.add(message)
        return True

    async def save(self, message: Message) -> None:
        self._check_unique(message)
        self._s.messages[message.id] = copy.deepcopy(message)

    async def latest_inbound(self, ticket_id: int, limit: int) -> list[Message]:
        found = [m for m in self._s.messages.values() if m.ticket_id == ticket_id and not m.from_me]
        return copy.deepcopy(sorted(found, key=lambda m: m.id, reverse=True)[:limit])

    async def list_stale_pending(self, older_than: datetime, limit: int) -> list[Message]:
        found = [
            m
            for m in self._s.messages.values()
            if m.from_me and m.ack is MessageAck.PENDING and m.created_at < older_than
        ]
        return copy.deepcopy(sorted(found, key=lambda m: m.id)[:limit])

    async def list_due_scheduled(self, now: datetime, limit: int) -> list[Message]:
        found = [m for m in self._s.messages.values() if m.is_scheduled and m.send_at is not None and m.send_at <= now]
        return copy.deepcopy(sorted(found, key=lambda m: (m.send_at, m.id))[:limit])

    async def list_scheduled_of_ticket(self, ticket_id: int) -> list[Message]:
        found = [m for m in self._s.messages.values() if m.ticket_id == ticket_id and m.is_scheduled]
        return copy.deepcopy(sorted(found, key=lambda m: m.id))

    async def move_to_ticket(self, from_ticket_id: int, to_ticket_id: int) -> int:
        moved = [m for m in self._s.messages.values() if m.ticket_id == from_ticket_id]
        for m in moved:
            m.ticket_id = to_ticket_id
        return len(moved)

    async def reassign_contact(self, from_contact_id: int, to_contact_id: int) -> None:
        for m in self._s.messages.values():
            if m.contact_id == from_contact_id:
                m.contact_id = to_contact_id


class InMemoryContactRepository(InMemoryRepository):
    def _check_unique(self, contact: Contact) -> None:
        for other in self._s.contacts.values():
            if other.id == contact.id:
                continue
            if contact.number is not None and other.number == contact.number:
                raise StoreConflict(Constraint.CONTACT_NUMBER, contact.number)
            if contact.lid is not None and other.lid == contact.lid:
                raise StoreConflict(Constraint.CONTACT_LID, contact.lid)

    async def get(self, contact_id: int, *, for_update: bool = False) -> Contact | None:
        return copy.deepcopy(self._s.contacts.get(contact_id))

    async def get_by_number(self, number: str, *, for_update: bool = False) -> Contact | None:
        for c in self._s.contacts.values():
            if c.number == number:
                return copy.deepcopy(c)
        return None

    async def get_by_lid(self, lid: str, *, for_update: bool = False) -> Contact | None:
        for c in self._s.contacts.values():
            if c.lid == lid:
                return copy.deepcopy(c)
        return None

    async def add(self, contact: Contact) -> Contact:
        self._check_unique(contact)
        contact.id = self._s.allocate("contacts")
        self._s.contacts[contact.id] = copy.deepcopy(contact)
        return contact

    async def save(self, contact: Contact) -> None:
        self._check_unique(contact)
        self._s.contacts[contact.id] = copy.deepcopy(contact)

    async def delete(self, contact_id: int) -> None:
        self._s.contacts.pop(contact_id, None)
        for tid in [t.id for t in self._s.tickets.values() if t.contact_id == contact_id]:
            await self._uow.tickets.delete(tid)

    async def list_page(self, query: OffsetQuery) -> OffsetPage[Contact]:
        found = [c for c in self._s.contacts.values() if matches(query, c.name, c.number, c.email, c.lid)]
        return page_of(sorted(found, key=lambda c: c.id), query)
