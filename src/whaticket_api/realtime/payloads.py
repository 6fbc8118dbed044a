"""The Socket.IO events' payload types: what the gateway emits is built from these Structs, and the AsyncAPI document
(:mod:`.asyncapi`) is generated from the same Structs, so the two cannot drift apart.

``SERVER_EVENTS`` lists every event a client can receive; ``CLIENT_EVENTS`` every event a client can send, with the
acknowledgement it gets back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from whaticket_core.domain.whatsapp import ConnectionStatus

from ..wire import ContactOut, MessageOut, TicketOut

# ---- server → client --------------------------------------------------------------------------------------------


class TicketEvent(msgspec.Struct, rename="camel"):
    """``ticket:created``, ``ticket:updated``, ``ticket:closed``: the ticket as ``GET /tickets/{id}`` shows it."""

    ticket: TicketOut


class TicketDeletedEvent(msgspec.Struct, rename="camel"):
    ticket_id: int


class MessageCreatedEvent(msgspec.Struct, rename="camel"):
    """A new message and its ticket after the change (unread count, last message)."""

    message: MessageOut
    ticket: TicketOut


class MessageUpdatedEvent(msgspec.Struct, rename="camel"):
    message: MessageOut


class ContactUpdatedEvent(msgspec.Struct, rename="camel"):
    """A contact changed: WhatsApp revealed its number or hidden-number id (LID), or it absorbed another contact."""

    contact: ContactOut


class ContactMergedEvent(msgspec.Struct, rename="camel"):
    """``contact_id`` turned out to be the same person as ``merged_into_id``: its tickets and messages now belong to
    ``merged_into_id`` and ``contact_id`` is gone."""

    contact_id: int
    merged_into_id: int


class QrCodeEvent(msgspec.Struct, rename="camel"):
    """``qrcode`` is the text to render as a QR code (``GET /whatsapps/{id}/qrcode`` renders it as an image)."""

    whatsapp_id: int
    qrcode: str


class ConnectionEvent(msgspec.Struct, rename="camel", omit_defaults=True):
    """``bannedUntil``: with status ``BANNED``, when WhatsApp lifts the ban (the session then resumes by itself)."""

    whatsapp_id: int
    status: ConnectionStatus
    number: str | None
    banned_until: datetime | None = None


class ConnectedEvent(msgspec.Struct, rename="camel"):
    """Sent once the connection is complete and the socket is in its rooms."""

    user_id: int


ErrorCode = Literal["validation_error", "unauthorized", "forbidden", "unavailable"]


class ErrorEvent(msgspec.Struct, rename="camel"):
    """A refused ``join:*``/``leave:*``: sent as the ``error`` event and as the acknowledgement. ``id`` is what the
    client sent, unchanged. ``unauthorized``: the token is no longer valid and the socket is dropped; ``unavailable``:
    a server-side problem, retry later."""

    code: ErrorCode
    event: str
    id: Any


class JoinAck(msgspec.Struct, rename="camel"):
    """The acknowledgement of an accepted ``join:*``/``leave:*`` (``id`` as a number)."""

    ok: Literal[True]
    event: str
    id: int


class NoteMentionEvent(msgspec.Struct, rename="camel"):
    """An internal note mentions the receiving user: fetch it with ``GET /messages/{messageId}``."""

    ticket_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One Socket.IO event: its payload type and what a reader of the contract needs to know about it."""

    name: str
    payload: Any
    summary: str
    delivery: str
    ack: tuple[type[msgspec.Struct], ...] = ()


TICKET_ROUTE = (
    "the ticket's assignee, its queue's room (the no-queue room while it is pending without a queue), its ticket "
    "room and the staff room; once per socket"
)

CONTACT_ROUTE = "the staff room and the rooms of the contact's tickets; once per socket"

SERVER_EVENTS: dict[str, EventSpec] = {
    spec.name: spec
    for spec in (
        EventSpec("connected", ConnectedEvent, "The connection is authenticated and in its rooms.", "the socket"),
        EventSpec("ticket:created", TicketEvent, "A ticket was created.", TICKET_ROUTE),
        EventSpec(
            "ticket:updated",
            TicketEvent,
            "Any change of a ticket: status, assignee, queue, unread count, last message.",
            TICKET_ROUTE + "; the update that moves a ticket also reaches the rooms it left",
        ),
        EventSpec("ticket:closed", TicketEvent, "A ticket was closed (sent besides ticket:updated).", TICKET_ROUTE),
        EventSpec("ticket:deleted", TicketDeletedEvent, "A ticket was deleted (with its messages).", TICKET_ROUTE),
        EventSpec("message:created", MessageCreatedEvent, "A message was stored, inbound or outbound.", TICKET_ROUTE),
        EventSpec(
            "message:updated", MessageUpdatedEvent, "A message changed: ack, edit, delete, media arrived.", TICKET_ROUTE
        ),
        EventSpec("contact:updated", ContactUpdatedEvent, "A contact changed.", CONTACT_ROUTE),
        EventSpec("contact:merged", ContactMergedEvent, "Two contacts turned out to be one person.", CONTACT_ROUTE),
        EventSpec(
            "note:mention", NoteMentionEvent, "An internal note @mentions you.", "the mentioned users' personal rooms"
        ),
        EventSpec("whatsapp:qrcode", QrCodeEvent, "A connection shows a new QR code.", "admins and supervisors"),
        EventSpec("whatsapp:connection", ConnectionEvent, "A connection's status changed.", "admins and supervisors"),
        EventSpec("error", ErrorEvent, "A join or leave was refused.", "the socket that asked"),
    )
}

_JOIN_ACK = (JoinAck, ErrorEvent)
TicketTarget = Annotated[int, msgspec.Meta(ge=1, description='A ticket id (`"7"` and `{"id": 7}` are accepted too)')]
QueueTarget = Annotated[int, msgspec.Meta(ge=1, description='A queue id (`"3"` and `{"id": 3}` are accepted too)')]

CLIENT_EVENTS: dict[str, EventSpec] = {
    spec.name: spec
    for spec in (
        EventSpec("join:ticket", TicketTarget, "Receive a visible ticket's events (its ticket room).", "", _JOIN_ACK),
        EventSpec("join:queue", QueueTarget, "Receive a queue's ticket events (members and staff).", "", _JOIN_ACK),
        EventSpec("leave:ticket", TicketTarget, "Stop receiving a ticket room's events.", "", _JOIN_ACK),
        EventSpec("leave:queue", QueueTarget, "Stop receiving a queue room's events.", "", _JOIN_ACK),
    )
}


def payload(event: str, value: msgspec.Struct) -> dict[str, object]:
    """``value`` as the JSON object Socket.IO sends, after checking it is the declared payload type of ``event``."""
    spec = SERVER_EVENTS[event]
    if not isinstance(value, spec.payload):
        raise TypeError(f"{event} carries {spec.payload.__name__}, not {type(value).__name__}")
    data: dict[str, object] = msgspec.to_builtins(value)
    return data
