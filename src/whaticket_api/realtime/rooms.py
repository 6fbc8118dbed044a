"""Room names, and which rooms may see a ticket.

The rooms a ticket's events go to mirror :func:`whaticket_core.domain.visibility.can_see` exactly: staff see all
(staff room), the assignee (personal room), members of its queue (queue room), every agent while it is pending
without a queue (no-queue room). Its own ticket room only holds sockets that were allowed in by ``join:ticket``.
"""

from __future__ import annotations

from whaticket_core.domain.ticket import TicketPlacement, TicketStatus
from whaticket_core.domain.visibility import Viewer

STAFF_ROOM = "staff"
NO_QUEUE_ROOM = "tickets:no-queue"


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def queue_room(queue_id: int) -> str:
    return f"queue:{queue_id}"


def ticket_room(ticket_id: int) -> str:
    return f"ticket:{ticket_id}"


def ticket_rooms(ticket_id: int, placement: TicketPlacement) -> list[str]:
    """Every room whose members may see a ticket placed there (plus its ticket room), in a stable order."""
    rooms = [STAFF_ROOM, ticket_room(ticket_id)]
    if placement.user_id is not None:
        rooms.append(user_room(placement.user_id))
    if placement.queue_id is not None:
        rooms.append(queue_room(placement.queue_id))
    elif placement.status is TicketStatus.PENDING:
        rooms.append(NO_QUEUE_ROOM)
    return rooms


def merge_rooms(*groups: list[str]) -> list[str]:
    """The union of room lists, first occurrence order kept."""
    return list(dict.fromkeys(room for group in groups for room in group))


def base_rooms(viewer: Viewer) -> list[str]:
    """The rooms a socket enters on connect: personal; staff, or no-queue and the user's queues."""
    rooms = [user_room(viewer.user_id)]
    if viewer.is_staff:
        rooms.append(STAFF_ROOM)
    else:
        rooms.append(NO_QUEUE_ROOM)
        rooms.extend(queue_room(q) for q in sorted(viewer.queue_ids))
    return rooms


def parse_id(value: object) -> int | None:
    """A positive id from a client's join/leave payload (``5``, ``"5"`` or ``{"id": 5}``), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if number > 0 else None
    if isinstance(value, dict):  # {"id": 5} is accepted too
        return parse_id(value.get("id"))
    return None
