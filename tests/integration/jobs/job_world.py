"""The jobs' use cases over the core's in-memory fakes, and a UseCaseFactory that builds them."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from redis_databases import SHARED, redis_url

from whaticket_core.domain.contact import Contact
from whaticket_core.domain.message import MediaType, Message, MessageAck
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp
from whaticket_core.testing import (
    FakeMediaFetcher,
    FakeMessageSender,
    FakePresence,
    InMemoryMediaStore,
    InMemoryStore,
    InMemoryUnitOfWork,
    InMemoryWebhookStore,
    ManualClock,
    RecordingPublisher,
    RecordingWebhookSender,
)
from whaticket_core.use_cases.automation.assign_tickets import AssignPendingTickets
from whaticket_core.use_cases.automation.auto_close import AutoCloseIdleTickets
from whaticket_core.use_cases.inbound.download_inbound_media import DownloadInboundMedia
from whaticket_core.use_cases.inbound.inbox import SweepInbox
from whaticket_core.use_cases.integrations.dispatch_webhooks import DispatchWebhooks
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage
from whaticket_core.use_cases.messages.release_scheduled_message import ReleaseScheduledMessage
from whaticket_core.use_cases.messages.send_read_receipts import SendReadReceipts
from whaticket_core.use_cases.messages.sweep_pending_messages import SweepPendingMessages

REDIS_URL = redis_url(SHARED)
CUSTOMER = "5511999990001"


class JobWorld:
    """Committed state in memory plus every port the job use cases need. ``opened`` counts use-case scopes by class:
    one per job run."""

    def __init__(self) -> None:
        self.store = InMemoryStore()
        self.clock = ManualClock()
        self.publisher = RecordingPublisher()
        self.sender = FakeMessageSender()
        self.media = InMemoryMediaStore()
        self.fetcher = FakeMediaFetcher()
        self.presence = FakePresence()
        self.webhooks = InMemoryWebhookStore()
        self.webhook_sender = RecordingWebhookSender()
        self.jobs: Any = None  # the queue under test, for the sweeper
        self.opened: Counter[str] = Counter()
        self.ticket: Ticket | None = None

    def uow(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store)

    @asynccontextmanager
    async def open(self, kind: type[Any]) -> AsyncIterator[Any]:
        self.opened[kind.__name__] += 1
        if kind is DeliverMessage:
            yield DeliverMessage(self.uow(), self.sender, self.media, self.publisher, self.clock)
        elif kind is DownloadInboundMedia:
            yield DownloadInboundMedia(self.uow(), self.fetcher, self.media, self.publisher)
        elif kind is SendReadReceipts:
            yield SendReadReceipts(self.uow(), self.sender)
        elif kind is ReleaseScheduledMessage:
            yield ReleaseScheduledMessage(self.uow(), self.clock, self.publisher, self.jobs, self.jobs)
        elif kind is SweepPendingMessages:
            yield SweepPendingMessages(self.uow(), self.clock, self.jobs)
        elif kind is SweepInbox:
            yield SweepInbox(self.uow(), self.clock, self.jobs)
        elif kind is AutoCloseIdleTickets:
            yield AutoCloseIdleTickets(self.uow(), self.clock, self.publisher, self.jobs)
        elif kind is AssignPendingTickets:
            yield AssignPendingTickets(self.uow(), self.clock, self.publisher, self.presence)
        elif kind is DispatchWebhooks:
            yield DispatchWebhooks(self.webhooks, self.webhook_sender, self.clock)
        else:
            raise LookupError(kind)

    async def seed_ticket(self) -> Ticket:
        now = self.clock.now()
        async with self.uow() as uow:
            whatsapp = await uow.whatsapps.add(WhatsApp("Main", ConnectionStatus.CONNECTED, True, now, "5511000000001"))
            contact = await uow.contacts.add(Contact("Maria", CUSTOMER, now))
            ticket = await uow.tickets.add(Ticket(contact.id, whatsapp.id, TicketStatus.PENDING, now, now))
            await uow.commit()
        self.ticket = ticket
        return ticket

    async def add_message(self, *, from_me: bool = True, age: timedelta = timedelta(0), **fields: Any) -> Message:
        ticket = self.ticket or await self.seed_ticket()
        message = Message(
            ticket_id=ticket.id,
            contact_id=ticket.contact_id,
            whatsapp_id=ticket.whatsapp_id,
            from_me=from_me,
            body=fields.pop("body", "Hello from the agent"),
            ack=fields.pop("ack", MessageAck.PENDING if from_me else MessageAck.SENT),
            created_at=self.clock.now() - age,
            **fields,
        )
        async with self.uow() as uow:
            await uow.messages.add(message)
            await uow.commit()
        return message

    async def add_inbound_media(self, media_ref: str, data: bytes) -> Message:
        self.fetcher.media[media_ref] = data
        return await self.add_message(
            from_me=False, body="", media_type=MediaType.IMAGE, media_mime="image/png", media_ref=media_ref
        )

    def message(self, message_id: int) -> Message:
        return self.store.state.messages[message_id]
