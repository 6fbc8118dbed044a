"""Which rooms each domain event goes to (pure), and the publisher's best-effort rule."""

from __future__ import annotations

from datetime import UTC, datetime

from realtime_support import free_port

from whaticket_api.realtime import SocketIoEventPublisher, deliveries_for, write_only_publisher
from whaticket_core.domain.contact import Contact
from whaticket_core.domain.events import (
    ContactMerged,
    ContactUpdated,
    MessageUpdated,
    NoteMentioned,
    TicketCreated,
    TicketDeleted,
    TicketUpdated,
    UserSessionsRevoked,
    WhatsAppStatusChanged,
)
from whaticket_core.domain.message import MessageAck
from whaticket_core.domain.read_models import ContactSummary, MessageView, TicketView
from whaticket_core.domain.ticket import TicketPlacement, TicketStatus
from whaticket_core.domain.whatsapp import ConnectionStatus

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def view(status: TicketStatus, queue_id: int | None, user_id: int | None, ticket_id: int = 7) -> TicketView:
    contact = ContactSummary(3, "Ana", "5511999990000", None, False)
    closed_at = NOW if status is TicketStatus.CLOSED else None
    return TicketView(ticket_id, status, contact, 1, queue_id, user_id, 0, "", None, False, NOW, NOW, closed_at)


def test_a_pending_ticket_in_a_queue_goes_to_staff_its_room_and_its_queue() -> None:
    [d] = deliveries_for(TicketCreated(view(TicketStatus.PENDING, 2, None)))
    assert d.event == "ticket:created"
    assert d.rooms == ["staff", "ticket:7", "queue:2"]
    assert d.data["ticket"]["queueId"] == 2


def test_a_pending_ticket_without_queue_goes_to_the_no_queue_room() -> None:
    [d] = deliveries_for(TicketCreated(view(TicketStatus.PENDING, None, None)))
    assert d.rooms == ["staff", "ticket:7", "tickets:no-queue"]


def test_an_open_ticket_without_queue_reaches_only_its_assignee_and_staff() -> None:
    [d] = deliveries_for(TicketUpdated(view(TicketStatus.OPEN, None, 5)))
    assert d.rooms == ["staff", "ticket:7", "user:5"]


def test_a_move_reaches_old_and_new_rooms_once_each_then_prunes_the_ticket_room() -> None:
    moved = TicketUpdated(view(TicketStatus.OPEN, 3, 5), previous=TicketPlacement(TicketStatus.PENDING, 2, None))
    update, prune = deliveries_for(moved)
    assert update.rooms == ["staff", "ticket:7", "user:5", "queue:3", "queue:2"]
    assert prune.event == "whaticket:prune-ticket-room"
    assert prune.rooms == ["ticket:7"]
    assert prune.data == {"status": "open", "queueId": 3, "userId": 5}


def test_deleting_tells_the_rooms_then_closes_the_ticket_room() -> None:
    deleted, close = deliveries_for(TicketDeleted(7, TicketPlacement(TicketStatus.OPEN, 2, 5)))
    assert (deleted.event, deleted.data) == ("ticket:deleted", {"ticketId": 7})
    assert deleted.rooms == ["staff", "ticket:7", "user:5", "queue:2"]
    assert (close.event, close.rooms) == ("whaticket:close-room", ["ticket:7"])


def test_message_updated_carries_only_the_message() -> None:
    message = MessageView(9, 7, 3, True, "hi", MessageAck.READ, None, False, None, False, False, None, NOW)
    [d] = deliveries_for(MessageUpdated(message, view(TicketStatus.OPEN, 2, 5)))
    assert d.data == {
        "message": {
            "id": 9, "ticketId": 7, "contactId": 3, "fromMe": True, "body": "hi", "ack": "read", "mediaType": None,
            "mediaUrl": None, "quotedMessageId": None, "isEdited": False, "isDeleted": False, "error": None,
            "createdAt": "2026-01-01T12:00:00Z", "participant": None, "participantName": None,
            "undecryptable": False, "reactions": [], "userId": None, "sendAt": None, "errorKind": None,
        }
    }  # fmt: skip
    assert d.rooms == ["staff", "ticket:7", "user:5", "queue:2"]


def test_connection_events_go_to_staff_and_revocations_drop_the_personal_room() -> None:
    [status] = deliveries_for(WhatsAppStatusChanged(1, ConnectionStatus.TIMEOUT, None))
    assert (status.event, status.rooms) == ("whatsapp:connection", ["staff"])
    [revoke] = deliveries_for(UserSessionsRevoked(5))
    assert (revoke.event, revoke.rooms) == ("whaticket:disconnect-room", ["user:5"])


async def test_publishing_never_raises_when_redis_is_unreachable() -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    publisher = write_only_publisher(dead, channel="whaticket-test-dead", timeout=2.0)
    await publisher.publish([TicketCreated(view(TicketStatus.PENDING, 2, None)), UserSessionsRevoked(5)])


class FlakyEmitter:
    """Stands in for python-socketio's server: the first emit fails, the rest are recorded."""

    def __init__(self) -> None:
        self.emitted: list[tuple[str, list[str]]] = []
        self.failures = 1

    async def emit(self, event: str, data: object, *, room: list[str], namespace: str) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("socket.io backend down")
        self.emitted.append((event, room))


async def test_a_failed_delivery_is_logged_and_the_next_ones_still_go_out() -> None:
    emitter = FlakyEmitter()
    publisher = SocketIoEventPublisher(emitter)
    await publisher.publish([TicketCreated(view(TicketStatus.PENDING, 2, None)), UserSessionsRevoked(5)])
    assert emitter.emitted == [("whaticket:disconnect-room", ["user:5"])]


def test_contact_events_reach_staff_and_the_rooms_of_the_contacts_tickets() -> None:
    contact = Contact(name="Ana", number="5511999990000", created_at=NOW, lid="123456789012345", id=3)
    tickets = (view(TicketStatus.OPEN, 2, 5, ticket_id=7), view(TicketStatus.CLOSED, None, None, ticket_id=8))
    [updated] = deliveries_for(ContactUpdated(contact, tickets))
    assert updated.event == "contact:updated"
    assert updated.rooms == ["staff", "ticket:7", "user:5", "queue:2", "ticket:8"]
    assert (updated.data["contact"]["lid"], updated.data["contact"]["number"]) == ("123456789012345", "5511999990000")
    [merged] = deliveries_for(ContactMerged(4, 3, tickets[:1]))
    assert (merged.event, merged.data) == ("contact:merged", {"contactId": 4, "mergedIntoId": 3})
    assert merged.rooms == ["staff", "ticket:7", "user:5", "queue:2"]


def test_contact_events_without_tickets_reach_staff_only() -> None:
    [updated] = deliveries_for(ContactUpdated(Contact(name="Bo", number=None, created_at=NOW, lid="42", id=9)))
    assert updated.rooms == ["staff"]


def test_a_note_mention_goes_to_the_mentioned_users_rooms_only() -> None:
    [d] = deliveries_for(NoteMentioned(7, 90, (4, 6)))
    assert (d.event, d.data, d.rooms) == ("note:mention", {"ticketId": 7, "messageId": 90}, ["user:4", "user:6"])
