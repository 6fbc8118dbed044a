r"""Tickets and their state machine.

    pending --accept/transfer to user--> open --close--> closed
       ^  \--------------close----------------------------^  |
       |                                                     |
       +--- customer writes within the reopen window --------+   (reopen_by_customer: pending, unassigned)
    open <----------------- agent reopens ------------------+   (reopen: open, assigned to the agent)

Invariants (see :func:`check_invariants`): ``open`` means assigned; ``closed`` has ``closed_at`` and only ``closed``
has it; unread is never negative. "One active ticket per contact and connection" spans tickets, so the use cases
check it and the database enforces it with a partial unique index.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import InvalidInput, InvalidTicketTransition, TicketIsClosed

# How long after the satisfaction question a customer's 1-5 reply still counts as the answer.
RATING_WINDOW = timedelta(hours=24)


class TicketStatus(enum.StrEnum):
    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"


ACTIVE_STATUSES = frozenset({TicketStatus.PENDING, TicketStatus.OPEN})


@dataclass(frozen=True, slots=True)
class TicketPlacement:
    """Where a ticket sits for visibility and realtime routing: status, queue and assignee."""

    status: TicketStatus
    queue_id: int | None
    user_id: int | None


@dataclass(slots=True)
class Ticket:
    contact_id: int
    whatsapp_id: int
    status: TicketStatus
    created_at: datetime
    updated_at: datetime
    queue_id: int | None = None
    user_id: int | None = None
    unread_messages: int = 0
    last_message: str = ""
    last_message_at: datetime | None = None
    is_group: bool = False
    closed_at: datetime | None = None
    # Queue routing bot: when the menu was last sent and how many wrong answers it got.
    bot_menu_sent_at: datetime | None = None
    bot_attempts: int = 0
    # Satisfaction: the customer's 1-5 answer, and when the question was sent while no answer came yet.
    rating: int | None = None
    rating_requested_at: datetime | None = None
    # Automation: since when the customer has been silent (their last message, or the ticket's (re)opening; the
    # auto-close clock), when the auto-close warning went out, and when the away message last did.
    idle_since: datetime | None = None
    close_warned_at: datetime | None = None
    away_sent_at: datetime | None = None
    id: int = 0

    def __post_init__(self) -> None:
        if self.idle_since is None:
            self.idle_since = self.created_at

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def placement(self) -> TicketPlacement:
        return TicketPlacement(self.status, self.queue_id, self.user_id)

    def _touch(self, now: datetime) -> None:
        self.updated_at = now

    def accept(self, user_id: int, now: datetime) -> None:
        """pending → open, assigned to ``user_id``."""
        if self.status is not TicketStatus.PENDING:
            raise InvalidTicketTransition(
                f"Ticket {self.id} is {self.status}, only pending tickets can be accepted", ticket_id=self.id
            )
        self.status = TicketStatus.OPEN
        self.user_id = user_id
        self._touch(now)

    def transfer(self, user_id: int | None, queue_id: int | None, now: datetime) -> None:
        """To a user: open and assigned (queue changed if given). To a queue only: pending and unassigned."""
        if self.status is TicketStatus.CLOSED:
            raise TicketIsClosed(f"Ticket {self.id} is closed", ticket_id=self.id)
        if user_id is None and queue_id is None:
            raise InvalidTicketTransition("A transfer needs a user or a queue")
        if queue_id is not None:
            self.queue_id = queue_id
        if user_id is not None:
            self.status = TicketStatus.OPEN
            self.user_id = user_id
        else:
            self.status = TicketStatus.PENDING
            self.user_id = None
        self._reset_bot()
        self._touch(now)

    def close(self, now: datetime) -> None:
        """pending or open → closed."""
        if self.status is TicketStatus.CLOSED:
            raise InvalidTicketTransition(f"Ticket {self.id} is already closed", ticket_id=self.id)
        self.status = TicketStatus.CLOSED
        self.closed_at = now
        self._touch(now)

    def request_rating(self, now: datetime) -> None:
        """The satisfaction question was sent on closing: the customer's next message may answer it."""
        self._require_closed()
        self.rating_requested_at = now

    def awaits_rating(self, now: datetime) -> bool:
        """Closed, asked the question less than :data:`RATING_WINDOW` ago, and no message came since."""
        return (
            self.status is TicketStatus.CLOSED
            and self.rating_requested_at is not None
            and now - self.rating_requested_at < RATING_WINDOW
        )

    def rate(self, score: int, now: datetime) -> None:
        """The customer answered the question with ``score`` (1 to 5); the ticket stays closed."""
        if not self.awaits_rating(now):
            raise InvalidTicketTransition(f"Ticket {self.id} awaits no rating", ticket_id=self.id)
        if not 1 <= score <= 5:
            raise InvalidInput("a rating is 1 to 5", "rating")
        self.rating = score
        self.rating_requested_at = None
        self._touch(now)

    def end_survey(self) -> None:
        """The customer's next message was not an answer: the question is no longer pending (never a trap)."""
        self.rating_requested_at = None

    def reopen(self, user_id: int, now: datetime) -> None:
        """An agent reopens: closed → open, assigned to that agent."""
        self._require_closed()
        self.rating_requested_at = None
        self.status = TicketStatus.OPEN
        self.user_id = user_id
        self.closed_at = None
        self.idle_since = now
        self._touch(now)

    def reopen_by_customer(self, now: datetime) -> None:
        """The customer wrote again within the reopen window: closed → pending, unassigned, queue kept."""
        self._require_closed()
        self.rating_requested_at = None
        self.status = TicketStatus.PENDING
        self.user_id = None
        self.closed_at = None
        self.idle_since = now
        self._reset_bot()
        self._touch(now)

    def release(self, now: datetime) -> None:
        """The assignee is gone (user deleted): an open ticket goes back to pending, unassigned."""
        if self.status is TicketStatus.OPEN:
            self.status = TicketStatus.PENDING
        self.user_id = None
        self._touch(now)

    def record_message(self, preview: str, at: datetime, *, unread: bool) -> None:
        """A message was stored on this ticket: it becomes the last message; inbound ones count as unread."""
        self.last_message = preview
        self.last_message_at = at
        if unread:
            self.unread_messages += 1
            self.idle_since = at
        self._touch(at)

    def mark_read(self, now: datetime) -> None:
        self.unread_messages = 0
        self._touch(now)

    def assign_queue(self, queue_id: int, now: datetime) -> None:
        """The routing bot (or an agent) put a queueless ticket in a queue."""
        self.queue_id = queue_id
        self._reset_bot()
        self._touch(now)

    def _reset_bot(self) -> None:
        self.bot_menu_sent_at = None
        self.bot_attempts = 0

    def _require_closed(self) -> None:
        if self.status is not TicketStatus.CLOSED:
            raise InvalidTicketTransition(
                f"Ticket {self.id} is {self.status}, only closed tickets can be reopened", ticket_id=self.id
            )


def check_invariants(ticket: Ticket) -> list[str]:
    """The ticket-local invariants this ticket breaks (empty when it is sound)."""
    broken: list[str] = []
    if ticket.status is TicketStatus.OPEN and ticket.user_id is None:
        broken.append("open ticket without assignee")
    if (ticket.status is TicketStatus.CLOSED) != (ticket.closed_at is not None):
        broken.append("closed_at set iff closed")
    if ticket.unread_messages < 0:
        broken.append("negative unread count")
    return broken
