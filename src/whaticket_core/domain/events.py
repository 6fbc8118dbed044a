"""Domain events, published after commit through the :class:`~whaticket_core.ports.EventPublisher` port.

Events carry read-model snapshots, so a publisher can route and serialise them without reading the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .contact import Contact
from .read_models import MessageView, TicketView
from .ticket import TicketPlacement
from .whatsapp import ConnectionStatus


@dataclass(frozen=True, slots=True)
class TicketCreated:
    ticket: TicketView


@dataclass(frozen=True, slots=True)
class TicketUpdated:
    ticket: TicketView
    # Where the ticket was before this change, when it moved (status, queue or assignee): the old rooms still get
    # this one update so their lists can drop the ticket.
    previous: TicketPlacement | None = None


@dataclass(frozen=True, slots=True)
class TicketClosed:
    ticket: TicketView


@dataclass(frozen=True, slots=True)
class TicketDeleted:
    ticket_id: int
    placement: TicketPlacement


@dataclass(frozen=True, slots=True)
class MessageCreated:
    message: MessageView
    ticket: TicketView


@dataclass(frozen=True, slots=True)
class MessageUpdated:
    message: MessageView
    ticket: TicketView


@dataclass(frozen=True, slots=True)
class ContactUpdated:
    """A contact changed (WhatsApp revealed its number or LID, or two contacts became one). ``tickets`` are the
    contact's tickets at that moment, so the event reaches whoever sees one of them as well as the staff."""

    contact: Contact
    tickets: tuple[TicketView, ...] = ()


@dataclass(frozen=True, slots=True)
class ContactMerged:
    """Contact ``contact_id`` is gone: it was the same person as ``merged_into_id``, which now holds its tickets and
    messages (``tickets``: the survivor's tickets, for routing)."""

    contact_id: int
    merged_into_id: int
    tickets: tuple[TicketView, ...] = ()


@dataclass(frozen=True, slots=True)
class WhatsAppQrCode:
    whatsapp_id: int
    qrcode: str


@dataclass(frozen=True, slots=True)
class WhatsAppStatusChanged:
    whatsapp_id: int
    status: ConnectionStatus
    number: str | None
    banned_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class UserSessionsRevoked:
    """logout-all or deletion: the user's live sockets must be dropped."""

    user_id: int


@dataclass(frozen=True, slots=True)
class UserAccessChanged:
    """The user's role or queues changed: every live socket of theirs must be regrouped at once (leave the rooms
    the user may no longer be in), not only when the client next joins something."""

    user_id: int


@dataclass(frozen=True, slots=True)
class NoteMentioned:
    """Internal note ``message_id`` on ticket ``ticket_id`` @mentions users ``user_ids`` (each may see the ticket)."""

    ticket_id: int
    message_id: int
    user_ids: tuple[int, ...]


DomainEvent = (
    TicketCreated
    | TicketUpdated
    | TicketClosed
    | TicketDeleted
    | MessageCreated
    | MessageUpdated
    | ContactUpdated
    | ContactMerged
    | WhatsAppQrCode
    | WhatsAppStatusChanged
    | UserSessionsRevoked
    | UserAccessChanged
    | NoteMentioned
)
