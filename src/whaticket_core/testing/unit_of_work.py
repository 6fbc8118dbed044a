"""The in-memory unit of work: serialised transactions over an :class:`InMemoryStore`."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from types import TracebackType
from typing import Self

from ..domain.events import DomainEvent
from ..ports.outbox import EventOutbox
from ..ports.repositories import (
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
from .automation_repositories import InMemoryBusinessHoursRepository
from .conversation_repositories import InMemoryContactRepository, InMemoryMessageRepository, InMemoryTicketRepository
from .directory_repositories import (
    InMemoryQueueRepository,
    InMemoryQuickAnswerRepository,
    InMemoryRefreshTokenRepository,
    InMemorySettingRepository,
    InMemoryUserRepository,
    InMemoryWhatsAppRepository,
)
from .inbox import InMemoryInboxRepository
from .report_repositories import InMemoryReportEventRepository
from .store import InMemoryStore, StoreState
from .tag_repositories import InMemoryTagAssignments, InMemoryTagRepository


class InMemoryEventOutbox:
    """Implements :class:`~whaticket_core.ports.outbox.EventOutbox`: the events join the transaction's working state
    (kept on commit, gone on rollback)."""

    def __init__(self, uow: InMemoryUnitOfWork) -> None:
        self._uow: InMemoryUnitOfWork = weakref.proxy(uow)

    async def record(self, events: Sequence[DomainEvent]) -> None:
        self._uow.working.outbox.extend(events)


class InMemoryUnitOfWork:
    """A serialisable transaction over an :class:`InMemoryStore`.

    Transactions run one at a time (a lock held from enter to exit) on a private copy of the state, swapped in on
    commit, so concurrent use cases behave like serialised database transactions and a failure leaves nothing behind.
    """

    def __init__(self, store: InMemoryStore) -> None:
        self._store = store
        self.working = StoreState()
        self.commits = 0
        # Typed as the ports (not the fakes) so a test may swap in its own repository, as it could with any adapter.
        self.tickets: TicketRepository = InMemoryTicketRepository(self)
        self.messages: MessageRepository = InMemoryMessageRepository(self)
        self.contacts: ContactRepository = InMemoryContactRepository(self)
        self.queues: QueueRepository = InMemoryQueueRepository(self)
        self.users: UserRepository = InMemoryUserRepository(self)
        self.whatsapps: WhatsAppRepository = InMemoryWhatsAppRepository(self)
        self.quick_answers: QuickAnswerRepository = InMemoryQuickAnswerRepository(self)
        self.settings: SettingRepository = InMemorySettingRepository(self)
        self.refresh_tokens: RefreshTokenRepository = InMemoryRefreshTokenRepository(self)
        self.tags: TagRepository = InMemoryTagRepository(self)
        self.tag_assignments: TagAssignments = InMemoryTagAssignments(self)
        self.report_events: ReportEventRepository = InMemoryReportEventRepository(self)
        self.inbox: InboxRepository = InMemoryInboxRepository(self)
        self.business_hours: BusinessHoursRepository = InMemoryBusinessHoursRepository(self)
        self.outbox: EventOutbox = InMemoryEventOutbox(self)

    async def __aenter__(self) -> Self:
        await self._store.lock.acquire()
        self.working = self._store.state.clone()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.working = StoreState()
        self._store.lock.release()

    async def commit(self) -> None:
        self._store.state = self.working.clone()
        self.commits += 1

    async def rollback(self) -> None:
        self.working = self._store.state.clone()
