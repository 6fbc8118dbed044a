"""Domain events -> the contract's Socket.IO events, payloads and rooms.

Pure functions: the publisher only emits what :func:`deliveries_for` returns, in order. Payloads are the camelCase
wire shapes of :mod:`whaticket_api.wire` turned into JSON builtins, so HTTP and Socket.IO send identical objects.

Besides client events this yields *control* deliveries (names starting with ``whaticket:``): instructions every
server process carries out on its own sockets (drop a user's sockets, prune or close a ticket room). They travel on
python-socketio's own channel, so worker processes publishing through a write-only manager can send them too, and
they never reach a client (see :mod:`.managers`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from whaticket_core.domain.events import (
    ContactMerged,
    ContactUpdated,
    DomainEvent,
    MessageCreated,
    MessageUpdated,
    NoteMentioned,
    TicketClosed,
    TicketCreated,
    TicketDeleted,
    TicketUpdated,
    UserAccessChanged,
    UserSessionsRevoked,
    WhatsAppQrCode,
    WhatsAppStatusChanged,
)
from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.ticket import TicketPlacement, TicketStatus

from ..wire import contact_out, message_out, ticket_out
from .payloads import (
    ConnectionEvent,
    ContactMergedEvent,
    ContactUpdatedEvent,
    MessageCreatedEvent,
    MessageUpdatedEvent,
    NoteMentionEvent,
    QrCodeEvent,
    TicketDeletedEvent,
    TicketEvent,
    payload,
)
from .rooms import STAFF_ROOM, merge_rooms, ticket_room, ticket_rooms, user_room

CONTROL_PREFIX = "whaticket:"
# Drop every socket in the room (a user's personal room: logout-all, user deleted).
DISCONNECT_ROOM = CONTROL_PREFIX + "disconnect-room"
# A ticket moved: sockets of its ticket room that may no longer see it leave that room.
PRUNE_TICKET_ROOM = CONTROL_PREFIX + "prune-ticket-room"
# A user's role or queues changed: their sockets re-check the token and leave the rooms they no longer belong in.
REGROUP_ROOM = CONTROL_PREFIX + "regroup-room"
# A ticket is gone: everybody leaves its ticket room.
CLOSE_ROOM = CONTROL_PREFIX + "close-room"


@dataclass(frozen=True, slots=True)
class Delivery:
    event: str
    data: dict[str, Any]
    rooms: list[str]


def is_control(event: object) -> bool:
    return isinstance(event, str) and event.startswith(CONTROL_PREFIX)


def placement_data(placement: TicketPlacement) -> dict[str, Any]:
    return {"status": placement.status.value, "queueId": placement.queue_id, "userId": placement.user_id}


def placement_from_data(data: dict[str, Any]) -> TicketPlacement:
    return TicketPlacement(TicketStatus(data["status"]), data.get("queueId"), data.get("userId"))


def _ticket_event(event: str, view: TicketView) -> dict[str, Any]:
    return payload(event, TicketEvent(ticket_out(view)))


def _contact_rooms(tickets: tuple[TicketView, ...]) -> list[str]:
    """A contact's events reach the staff and whoever sees one of its tickets."""
    return merge_rooms([STAFF_ROOM], *(ticket_rooms(t.id, t.placement) for t in tickets))


def deliveries_for(event: DomainEvent) -> list[Delivery]:
    """What to emit for one domain event, in order."""
    match event:
        case TicketCreated(ticket=t):
            return [Delivery("ticket:created", _ticket_event("ticket:created", t), ticket_rooms(t.id, t.placement))]
        case TicketUpdated(ticket=t, previous=previous):
            now = t.placement
            rooms = ticket_rooms(t.id, now)
            if previous is None:
                return [Delivery("ticket:updated", _ticket_event("ticket:updated", t), rooms)]
            # The one update that moves the ticket still reaches its old rooms, so their lists can drop it; then the
            # ticket room keeps only sockets that may still see it.
            moved = merge_rooms(rooms, ticket_rooms(t.id, previous))
            return [
                Delivery("ticket:updated", _ticket_event("ticket:updated", t), moved),
                Delivery(PRUNE_TICKET_ROOM, placement_data(now), [ticket_room(t.id)]),
            ]
        case TicketClosed(ticket=t):
            return [Delivery("ticket:closed", _ticket_event("ticket:closed", t), ticket_rooms(t.id, t.placement))]
        case TicketDeleted(ticket_id=ticket_id, placement=placement):
            return [
                Delivery(
                    "ticket:deleted",
                    payload("ticket:deleted", TicketDeletedEvent(ticket_id)),
                    ticket_rooms(ticket_id, placement),
                ),
                Delivery(CLOSE_ROOM, {}, [ticket_room(ticket_id)]),
            ]
        case MessageCreated(message=m, ticket=t):
            data = payload("message:created", MessageCreatedEvent(message_out(m), ticket_out(t)))
            return [Delivery("message:created", data, ticket_rooms(t.id, t.placement))]
        case MessageUpdated(message=m, ticket=t):
            data = payload("message:updated", MessageUpdatedEvent(message_out(m)))
            return [Delivery("message:updated", data, ticket_rooms(t.id, t.placement))]
        case ContactUpdated(contact=contact, tickets=tickets):
            data = payload("contact:updated", ContactUpdatedEvent(contact_out(contact)))
            return [Delivery("contact:updated", data, _contact_rooms(tickets))]
        case ContactMerged(contact_id=contact_id, merged_into_id=merged_into_id, tickets=tickets):
            data = payload("contact:merged", ContactMergedEvent(contact_id, merged_into_id))
            return [Delivery("contact:merged", data, _contact_rooms(tickets))]
        case WhatsAppQrCode(whatsapp_id=whatsapp_id, qrcode=qrcode):
            # The contract sends connection events to all staff (admins and supervisors).
            data = payload("whatsapp:qrcode", QrCodeEvent(whatsapp_id, qrcode))
            return [Delivery("whatsapp:qrcode", data, [STAFF_ROOM])]
        case WhatsAppStatusChanged(whatsapp_id=whatsapp_id, status=status, number=number, banned_until=until):
            data = payload("whatsapp:connection", ConnectionEvent(whatsapp_id, status, number, until))
            return [Delivery("whatsapp:connection", data, [STAFF_ROOM])]
        case NoteMentioned(ticket_id=ticket_id, message_id=message_id, user_ids=user_ids):
            data = payload("note:mention", NoteMentionEvent(ticket_id, message_id))
            return [Delivery("note:mention", data, [user_room(u) for u in user_ids])]
        case UserSessionsRevoked(user_id=user_id):
            return [Delivery(DISCONNECT_ROOM, {}, [user_room(user_id)])]
        case UserAccessChanged(user_id=user_id):
            return [Delivery(REGROUP_ROOM, {}, [user_room(user_id)])]
    return []
