"""Repositories: the write side's access to aggregates, always used inside a :class:`UnitOfWork`.

Shared contract: ``add`` assigns a positive integer ``id`` to the entity it is given and returns it; ``save``
persists changes to an entity that was read or added in the same unit of work; ``get`` returns None for an unknown
id. A uniqueness rule broken at ``add``/``save`` time raises :class:`~whaticket_core.ports.unit_of_work.StoreConflict`
(the unit of work is then unusable and must be rolled back). Lists are ordered by id unless stated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.auth import RefreshToken
from ..domain.business_hours import BusinessHours, HoursTarget
from ..domain.contact import Contact
from ..domain.inbox import InboxEntry
from ..domain.message import Message
from ..domain.pagination import OffsetPage, OffsetQuery
from ..domain.queue import Queue
from ..domain.quick_answer import QuickAnswer
from ..domain.reports import ReportEvent, ReportEventKind
from ..domain.tag import Tag
from ..domain.ticket import Ticket
from ..domain.user import User
from ..domain.whatsapp import WhatsApp


@dataclass(frozen=True, slots=True)
class IdleClaim:
    """Active tickets whose customer has been silent since ``idle_before`` or earlier (``Ticket.idle_since``).

    ``warned``: None takes any; False only tickets not warned since their silence began (``close_warned_at`` null
    or not after ``idle_since``); True only tickets warned after it began, at or before ``warned_before``.
    """

    idle_before: datetime
    limit: int
    warned: bool | None = None
    warned_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class ActiveTicket:
    """A contact's active ticket as an inbound message needs it: the ticket (locked), its tags (as
    ``TagAssignments.of_ticket`` orders them) and whether a reply cancels any of its scheduled messages (scheduled,
    not cancelled, ``cancel_if_replied``)."""

    ticket: Ticket
    tags: list[Tag]
    reply_cancels_scheduled: bool

    @classmethod
    def of(cls, ticket: Ticket, tags: list[Tag], scheduled: list[Message]) -> ActiveTicket:
        """Built from the separate reads (``TagAssignments.of_ticket``, ``MessageRepository.list_scheduled_of_ticket``),
        where one statement does not carry them all."""
        return cls(ticket, tags, any(m.cancel_if_replied for m in scheduled))


class TicketRepository(Protocol):
    async def get(self, ticket_id: int, *, for_update: bool = False) -> Ticket | None:
        """``for_update`` locks the row until the unit of work ends (serialises concurrent writers)."""
        ...

    async def get_active(self, contact_id: int, whatsapp_id: int, *, for_update: bool = False) -> Ticket | None:
        """The pending or open ticket of this contact on this connection, if any."""
        ...

    async def get_active_for_inbound(self, contact_id: int, whatsapp_id: int) -> ActiveTicket | None:
        """``get_active(..., for_update=True)`` with what a new message on the ticket needs besides the ticket, so a
        store can answer in one read (every inbound message makes it)."""
        ...

    async def get_last_closed(self, contact_id: int, whatsapp_id: int) -> Ticket | None:
        """The most recently closed ticket of this contact on this connection."""
        ...

    async def add(self, ticket: Ticket) -> Ticket:
        """Raises StoreConflict when the contact already has an active ticket on that connection."""
        ...

    async def save(self, ticket: Ticket) -> None:
        """Raises StoreConflict when the change would make a second active ticket for the contact and connection."""
        ...

    async def delete(self, ticket_id: int) -> None:
        """Deletes the ticket and its messages."""
        ...

    async def list_assigned_active(self, user_id: int) -> list[Ticket]:
        """Active tickets assigned to ``user_id``."""
        ...

    async def list_active_of_contact(self, contact_id: int) -> list[Ticket]:
        """Active (pending or open) tickets of ``contact_id``, on every connection, by id."""
        ...

    async def contact_has_tickets(self, contact_id: int) -> bool: ...

    async def list_of_contact(self, contact_id: int, *, for_update: bool = False) -> list[Ticket]:
        """Every ticket of the contact, on every connection."""
        ...

    async def claim_idle(self, claim: IdleClaim) -> list[Ticket]:
        """Up to ``claim.limit`` tickets matching ``claim``, longest silent first, locked until the unit of work
        ends. Rows another transaction holds locked are skipped, not waited for: concurrent sweepers split the work
        and each ticket is handled by one of them."""
        ...

    async def claim_pending(self, queue_id: int, limit: int) -> list[Ticket]:
        """Up to ``limit`` pending, unassigned tickets of the queue, oldest first, locked until the unit of work ends;
        rows another transaction holds locked are skipped (concurrent assigners never claim the same ticket)."""
        ...

    async def count_open(self, user_ids: list[int]) -> dict[int, int]:
        """How many ``open`` tickets each of ``user_ids`` is assigned (0 included)."""
        ...


class MessageRepository(Protocol):
    async def get(self, message_id: int, *, for_update: bool = False) -> Message | None: ...

    async def get_by_wa_id(
        self, whatsapp_id: int, wa_message_id: str, *, for_update: bool = False
    ) -> Message | None: ...

    async def add(self, message: Message) -> Message:
        """Raises StoreConflict when (whatsapp_id, wa_message_id) is already stored."""
        ...

    async def add_if_new(self, message: Message) -> bool:
        """Like :meth:`add`, but a message whose (whatsapp_id, wa_message_id) is already stored is not an error:
        nothing is written, ``message.id`` is left as it was and the answer is False (one statement, no prior read:
        redeliveries are rare). A racing insert of the same id is waited for, then counts as stored."""
        ...

    async def save(self, message: Message) -> None: ...

    async def latest_inbound(self, ticket_id: int, limit: int) -> list[Message]:
        """The newest ``limit`` messages the customer sent on the ticket, newest first."""
        ...

    async def list_stale_pending(self, older_than: datetime, limit: int) -> list[Message]:
        """Outbound messages still ``pending`` created before ``older_than``, oldest first (the sweeper's work)."""
        ...

    async def list_due_scheduled(self, now: datetime, limit: int) -> list[Message]:
        """Scheduled, not cancelled messages whose ``send_at`` is at or before ``now``, soonest first."""
        ...

    async def list_scheduled_of_ticket(self, ticket_id: int) -> list[Message]:
        """The ticket's scheduled, not cancelled messages, by id."""
        ...

    async def move_to_ticket(self, from_ticket_id: int, to_ticket_id: int) -> int:
        """Every message of ticket ``from_ticket_id`` now belongs to ``to_ticket_id``; returns how many moved."""
        ...

    async def reassign_contact(self, from_contact_id: int, to_contact_id: int) -> None:
        """Every message attributed to contact ``from_contact_id`` is attributed to ``to_contact_id``."""
        ...


class ContactRepository(Protocol):
    """A number and a LID each name at most one contact. ``for_update`` locks the row until the unit of work ends:
    deliveries and identity merges of one person are serialised on their contact rows."""

    async def get(self, contact_id: int, *, for_update: bool = False) -> Contact | None: ...

    async def get_by_number(self, number: str, *, for_update: bool = False) -> Contact | None: ...

    async def get_by_lid(self, lid: str, *, for_update: bool = False) -> Contact | None: ...

    async def add(self, contact: Contact) -> Contact:
        """Raises StoreConflict (``contact_number`` or ``contact_lid``) when the number or the LID is taken."""
        ...

    async def save(self, contact: Contact) -> None: ...

    async def delete(self, contact_id: int) -> None: ...

    async def list_page(self, query: OffsetQuery) -> OffsetPage[Contact]:
        """``search`` matches name, number or email, case-insensitively."""
        ...


class QueueRepository(Protocol):
    async def get(self, queue_id: int) -> Queue | None: ...

    async def get_many(self, queue_ids: list[int]) -> list[Queue]:
        """The queues among ``queue_ids`` that exist, in the order of ``queue_ids``."""
        ...

    async def get_by_name(self, name: str) -> Queue | None:
        """Case-insensitive."""
        ...

    async def get_by_color(self, color: str) -> Queue | None: ...

    async def add(self, queue: Queue) -> Queue: ...

    async def save(self, queue: Queue) -> None: ...

    async def delete(self, queue_id: int) -> None: ...

    async def list_page(self, query: OffsetQuery) -> OffsetPage[Queue]:
        """``search`` matches the name."""
        ...


class UserRepository(Protocol):
    async def get(self, user_id: int) -> User | None: ...

    async def get_by_email(self, email: str) -> User | None: ...

    async def add(self, user: User) -> User:
        """Raises StoreConflict when the email is taken."""
        ...

    async def save(self, user: User) -> None: ...

    async def delete(self, user_id: int) -> None: ...

    async def lock_for_assignment(self, user_ids: list[int]) -> list[User]:
        """The users among ``user_ids`` that exist, by id, their rows locked in id order until the unit of work ends:
        assigners counting an agent's open tickets against their capacity are serialised per agent (and never
        deadlock)."""
        ...

    async def lock_roles(self) -> None:
        """Serialise the rules that count accounts (the first account becomes admin, the last admin stays): hold a
        lock, until this unit of work ends, that every other caller of ``lock_roles`` waits for. Counts read after
        it see every change committed before it was granted."""
        ...

    async def count(self) -> int: ...

    async def count_admins(self) -> int: ...

    async def list_page(self, query: OffsetQuery) -> OffsetPage[User]:
        """``search`` matches name or email."""
        ...


class WhatsAppRepository(Protocol):
    async def get(self, whatsapp_id: int, *, for_update: bool = False) -> WhatsApp | None: ...

    async def get_default(self) -> WhatsApp | None: ...

    async def get_by_name(self, name: str) -> WhatsApp | None: ...

    async def add(self, whatsapp: WhatsApp) -> WhatsApp: ...

    async def save(self, whatsapp: WhatsApp) -> None: ...

    async def delete(self, whatsapp_id: int) -> None: ...

    async def list_page(self, query: OffsetQuery) -> OffsetPage[WhatsApp]:
        """``search`` matches name or number."""
        ...

    async def list_all(self) -> list[WhatsApp]: ...


class QuickAnswerRepository(Protocol):
    async def get(self, quick_answer_id: int) -> QuickAnswer | None: ...

    async def get_by_shortcut(self, shortcut: str) -> QuickAnswer | None: ...

    async def add(self, quick_answer: QuickAnswer) -> QuickAnswer: ...

    async def save(self, quick_answer: QuickAnswer) -> None: ...

    async def delete(self, quick_answer_id: int) -> None: ...

    async def list_page(self, query: OffsetQuery) -> OffsetPage[QuickAnswer]:
        """``search`` matches shortcut or message."""
        ...


class SettingRepository(Protocol):
    async def get(self, key: str) -> str | None:
        """The stored value, or None when the key was never set (callers apply the default)."""
        ...

    async def set(self, key: str, value: str) -> None: ...

    async def all(self) -> dict[str, str]: ...


class RefreshTokenRepository(Protocol):
    async def get(self, token_id: str, *, for_update: bool = False) -> RefreshToken | None: ...

    async def add(self, token: RefreshToken) -> None: ...

    async def save(self, token: RefreshToken) -> None: ...

    async def revoke_family(self, family_id: str) -> None: ...

    async def revoke_all_of_user(self, user_id: int) -> None: ...


class TagRepository(Protocol):
    """Tag names are unique case-insensitively (StoreConflict ``tag_name``). Deleting a tag takes it off every ticket
    and contact."""

    async def get(self, tag_id: int) -> Tag | None: ...

    async def get_by_name(self, name: str) -> Tag | None:
        """Case-insensitive."""
        ...

    async def get_many(self, tag_ids: list[int]) -> list[Tag]:
        """The tags among ``tag_ids`` that exist, by name."""
        ...

    async def add(self, tag: Tag) -> Tag: ...

    async def save(self, tag: Tag) -> None: ...

    async def delete(self, tag_id: int) -> None: ...

    async def list_all(self) -> list[Tag]:
        """Every tag, by name (a helpdesk has tens of them, not thousands)."""
        ...


class TagAssignments(Protocol):
    """Which tags a ticket or a contact carries. Sets are replaced whole; tags come back by name. Deleting a ticket,
    a contact or a tag drops its assignments."""

    async def of_ticket(self, ticket_id: int) -> list[Tag]: ...

    async def set_for_ticket(self, ticket_id: int, tag_ids: list[int]) -> None:
        """Every id must name an existing tag (callers check)."""
        ...

    async def of_contact(self, contact_id: int) -> list[Tag]: ...

    async def of_contacts(self, contact_ids: list[int]) -> dict[int, list[Tag]]:
        """The tags of several contacts at once (a page of them); contacts without tags are left out."""
        ...

    async def set_for_contact(self, contact_id: int, tag_ids: list[int]) -> None: ...


class ReportEventRepository(Protocol):
    """The reporting facts, appended in the transaction of what they record (never changed afterwards)."""

    async def add(self, event: ReportEvent) -> ReportEvent: ...

    async def exists(self, ticket_id: int, kind: ReportEventKind) -> bool:
        """Whether ticket ``ticket_id`` already has an event of ``kind`` (its first response is recorded once)."""
        ...


class InboxRepository(Protocol):
    """Inbound WhatsApp events, stored before they are processed (see :mod:`whaticket_core.domain.inbox`)."""

    async def add(self, entry: InboxEntry) -> tuple[InboxEntry, bool]:
        """Store ``entry`` unless one with its connection, kind and key exists: returns the stored entry (its id
        set) and whether it is new. Never raises on a duplicate, even when two writers race."""
        ...

    async def get(self, entry_id: int, *, for_update: bool = False) -> InboxEntry | None: ...

    async def save(self, entry: InboxEntry) -> None: ...

    async def list_failed(self, whatsapp_id: int, limit: int, before_id: int | None = None) -> list[InboxEntry]:
        """Failed entries of a connection, newest first (id descending), ids below ``before_id`` when given."""
        ...

    async def list_stale(self, older_than: datetime, limit: int) -> list[InboxEntry]:
        """Entries whose processing a crash may have cut short, oldest first: still ``pending`` and received before
        ``older_than``, or ``failed`` with retries left and last tried before ``older_than``."""


class BusinessHoursRepository(Protocol):
    """One schedule per target (the company, a connection, a queue). A connection's or queue's schedule goes when
    the connection or queue is deleted."""

    async def get(self, target: HoursTarget) -> BusinessHours | None:
        """The target's own schedule, or None when it has none (callers fall back to the next target)."""
        ...

    async def put(self, target: HoursTarget, hours: BusinessHours) -> None:
        """Create or replace the target's schedule."""
        ...

    async def delete(self, target: HoursTarget) -> None:
        """Remove the target's own schedule (nothing happens when it has none)."""
        ...
