"""The shipped fakes are the ports' types: mypy --strict checks each assignment below, so a fake that drifts from
its Protocol fails the lint session, and the test fails if a fake can no longer be built without arguments."""

from __future__ import annotations

from whaticket_core.ports import (
    AuthUserQueries,
    Clock,
    EventPublisher,
    JobQueue,
    JobScheduler,
    MediaFetcher,
    MediaLinkSigner,
    MediaStore,
    MessageQueries,
    MessageSender,
    PasswordHasher,
    ReportQueries,
    SessionController,
    TagCounter,
    TicketCounter,
    TicketQueries,
    TokenCodec,
    UnitOfWork,
)
from whaticket_core.ports.transport import CallRejecter
from whaticket_core.testing import (
    FakeCallRejecter,
    FakeMediaFetcher,
    FakeMediaLinkSigner,
    FakeMessageSender,
    FakePasswordHasher,
    FakeSessionController,
    FakeTokenCodec,
    InMemoryAuthUserQueries,
    InMemoryJobQueue,
    InMemoryMediaStore,
    InMemoryMessageQueries,
    InMemoryReportQueries,
    InMemoryStore,
    InMemoryTicketQueries,
    InMemoryUnitOfWork,
    ManualClock,
    RecordingPublisher,
)


def test_every_fake_is_its_port() -> None:
    store = InMemoryStore()
    clock: Clock = ManualClock()
    uow: UnitOfWork = InMemoryUnitOfWork(store)
    tickets: TicketQueries = InMemoryTicketQueries(store)
    counter: TicketCounter = InMemoryTicketQueries(store)
    messages: MessageQueries = InMemoryMessageQueries(store)
    auth_users: AuthUserQueries = InMemoryAuthUserQueries(store)
    publisher: EventPublisher = RecordingPublisher()
    jobs: JobQueue = InMemoryJobQueue()
    media: MediaStore = InMemoryMediaStore()
    fetcher: MediaFetcher = FakeMediaFetcher()
    sender: MessageSender = FakeMessageSender()
    sessions: SessionController = FakeSessionController()
    hasher: PasswordHasher = FakePasswordHasher()
    codec: TokenCodec = FakeTokenCodec(ManualClock())
    links: MediaLinkSigner = FakeMediaLinkSigner()
    rejecter: CallRejecter = FakeCallRejecter()
    tag_counter: TagCounter = InMemoryTicketQueries(store)
    reports: ReportQueries = InMemoryReportQueries(store)
    scheduler: JobScheduler = InMemoryJobQueue()
    fakes = [clock, uow, tickets, counter, messages, auth_users, publisher, jobs, media, fetcher, sender, sessions]
    extra = [hasher, codec, links, rejecter, tag_counter, reports, scheduler]
    assert len({id(fake) for fake in [*fakes, *extra]}) == 19
