from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from .repositories import (
    ContactRepository,
    MessageRepository,
    QueueRepository,
    QuickAnswerRepository,
    RefreshTokenRepository,
    SettingRepository,
    TicketRepository,
    UserRepository,
    WhatsAppRepository,
)


class StoreConflict(Exception):
    """A uniqueness rule of the store was broken (two writers raced, or a duplicate). ``constraint`` names the rule:
    one of ``active_ticket``, ``message_wa_id``, ``contact_number``, ``contact_lid``, ``user_email``, ``queue_name``,
    ``queue_color``, ``whatsapp_name``, ``quick_answer_shortcut``, ``default_whatsapp`` or ``other``."""

    def __init__(self, constraint: str, detail: str = "") -> None:
        super().__init__(f"{constraint}: {detail}" if detail else constraint)
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

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
