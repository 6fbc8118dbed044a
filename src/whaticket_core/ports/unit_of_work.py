from __future__ import annotations

from enum import StrEnum
from types import TracebackType
from typing import Protocol, Self

from .outbox import EventOutbox
from .repositories import (
    BusinessHoursRepository,
    ContactRepository,
    InboxRepository,
    MessageRepository,
    QueueRepository,
    QuickAnswerRepository,
    RefreshTokenRepository,
    ReportEventRepository,
    SettingRepository,
    TagAssignments,
    TagRepository,
    TicketRepository,
    UserRepository,
    WhatsAppRepository,
)


class Constraint(StrEnum):
    """The store's uniqueness rules, by what they keep unique. Adapters map their own index names onto these."""

    ACTIVE_TICKET = "active_ticket"  # one open or pending ticket per contact and connection
    MESSAGE_WA_ID = "message_wa_id"  # one row per WhatsApp message id on a connection
    CONTACT_NUMBER = "contact_number"
    CONTACT_LID = "contact_lid"
    USER_EMAIL = "user_email"
    QUEUE_NAME = "queue_name"
    QUEUE_COLOR = "queue_color"
    WHATSAPP_NAME = "whatsapp_name"
    DEFAULT_WHATSAPP = "default_whatsapp"  # at most one default connection
    QUICK_ANSWER_SHORTCUT = "quick_answer_shortcut"
    TAG_NAME = "tag_name"
    OTHER = "other"  # a rule the core does not name


class StoreConflict(Exception):
    """A uniqueness rule of the store was broken (two writers raced, or a duplicate); ``constraint`` names the rule."""

    def __init__(self, constraint: Constraint, detail: str = "") -> None:
        super().__init__(f"{constraint.value}: {detail}" if detail else constraint.value)
        self.constraint = constraint


class UnitOfWork(Protocol):
    """One transaction over every repository.

    ``async with uow:`` begins it; leaving the block without :meth:`commit` rolls back (so an exception inside a use
    case leaves nothing half-written). A unit of work may be entered again after it ended, beginning a new
    transaction: use cases retry a whole transaction that way after a :class:`StoreConflict`.
    """

    tickets: TicketRepository
    messages: MessageRepository
    contacts: ContactRepository
    queues: QueueRepository
    users: UserRepository
    whatsapps: WhatsAppRepository
    quick_answers: QuickAnswerRepository
    settings: SettingRepository
    refresh_tokens: RefreshTokenRepository
    tags: TagRepository
    tag_assignments: TagAssignments
    report_events: ReportEventRepository
    inbox: InboxRepository
    business_hours: BusinessHoursRepository
    outbox: EventOutbox

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
