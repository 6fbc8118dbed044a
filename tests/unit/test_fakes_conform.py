"""The shipped fakes are the ports' types: mypy --strict checks each assignment below, so a fake that drifts from
its Protocol fails the lint session, and the test fails if a fake can no longer be built without arguments."""

from __future__ import annotations

from whaticket_core.ports import (
    AuthUserQueries,
    Clock,
    ContactQueries,
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
from whaticket_core.ports.api_tokens import ApiTokenStore
from whaticket_core.ports.outbox import EventOutbox
from whaticket_core.ports.transport import CallRejecter
from whaticket_core.ports.webhooks import UrlGuard, WebhookDeliveryQueue, WebhookRepository, WebhookSender
from whaticket_core.testing import (
    FakeCallRejecter,
    FakeMediaFetcher,
    FakeMediaLinkSigner,
    FakeMessageSender,
    FakePasswordHasher,
    FakeSessionController,
    FakeTokenCodec,
    InMemoryApiTokenStore,
    InMemoryAuthUserQueries,
    InMemoryContactQueries,
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
from whaticket_core.testing.unit_of_work import InMemoryEventOutbox
from whaticket_core.testing.webhooks import FakeUrlGuard, InMemoryWebhookStore, RecordingWebhookSender


def test_every_fake_is_its_port() -> None:
    store = InMemoryStore()
    clock: Clock = ManualClock()
    uow: UnitOfWork = InMemoryUnitOfWork(store)
    tickets: TicketQueries = InMemoryTicketQueries(store)
    counter: TicketCounter = InMemoryTicketQueries(store)
    messages: MessageQueries = InMemoryMessageQueries(store)
    auth_users: AuthUserQueries = InMemoryAuthUserQueries(store)
    contacts: ContactQueries = InMemoryContactQueries(store)
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
    api_tokens: ApiTokenStore = InMemoryApiTokenStore()
    webhooks: WebhookRepository = InMemoryWebhookStore()
    deliveries: WebhookDeliveryQueue = InMemoryWebhookStore()
    sender_http: WebhookSender = RecordingWebhookSender()
    guard: UrlGuard = FakeUrlGuard()
    outbox: EventOutbox = InMemoryEventOutbox(InMemoryUnitOfWork(store))
    fakes = [clock, uow, tickets, counter, messages, auth_users, publisher, jobs, media, fetcher, sender, sessions]
    others = {id(fake) for fake in [*fakes, hasher, codec, links, rejecter, api_tokens, webhooks, deliveries]}
    others |= {id(fake) for fake in (sender_http, guard, outbox, contacts, tag_counter, reports, scheduler)}
    assert len(others) == 26
