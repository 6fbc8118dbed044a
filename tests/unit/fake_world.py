"""The unit tests' world: every port's fake over one in-memory store, plus helpers that seed committed state."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from whaticket_core.domain.queue import Queue
from whaticket_core.domain.user import Role, User
from whaticket_core.domain.visibility import Viewer
from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp
from whaticket_core.testing import (
    FakeMediaFetcher,
    FakeMessageSender,
    FakePresence,
    InMemoryJobQueue,
    InMemoryMediaStore,
    InMemoryStore,
    InMemoryUnitOfWork,
    ManualClock,
    RecordingPublisher,
)
from whaticket_core.testing.store import StoreState
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage, ReceiveMessageResult


@dataclass(frozen=True, slots=True)
class Received:
    """The result of a message that was stored (not ignored), so its ids are known."""

    ticket_id: int
    message_id: int
    duplicate: bool = False
    ignored: bool = False


def received(result: ReceiveMessageResult) -> Received:
    assert result.ticket_id is not None, "the message was ignored"
    assert result.message_id is not None
    return Received(result.ticket_id, result.message_id, result.duplicate)


@dataclass
class World:
    """Every port's fake over one store. Use cases built from it share the committed state."""

    store: InMemoryStore = field(default_factory=InMemoryStore)
    clock: ManualClock = field(default_factory=ManualClock)
    publisher: RecordingPublisher = field(default_factory=RecordingPublisher)
    jobs: InMemoryJobQueue = field(default_factory=InMemoryJobQueue)
    sender: FakeMessageSender = field(default_factory=FakeMessageSender)
    media: InMemoryMediaStore = field(default_factory=InMemoryMediaStore)
    fetcher: FakeMediaFetcher = field(default_factory=FakeMediaFetcher)
    presence: FakePresence = field(default_factory=FakePresence)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def state(self) -> StoreState:
        """The committed state."""
        return self.store.state

    def uow(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store)

    async def add_whatsapp(
        self,
        name: str | None = None,
        *,
        queue_ids: tuple[int, ...] = (),
        greeting: str = "",
        farewell: str = "",
        is_default: bool | None = None,
    ) -> WhatsApp:
        n = next(self._seq)
        if is_default is None:
            is_default = not any(w.is_default for w in self.state.whatsapps.values())
        whatsapp = WhatsApp(
            name=name or f"Connection {n}",
            status=ConnectionStatus.CONNECTED,
            is_default=is_default,
            updated_at=self.clock.now(),
            number=f"55110000{n:05d}",
            greeting_message=greeting,
            farewell_message=farewell,
            queue_ids=list(queue_ids),
        )
        async with self.uow() as uow:
            await uow.whatsapps.add(whatsapp)
            await uow.commit()
        return whatsapp

    async def add_queue(self, name: str | None = None, *, greeting: str = "") -> Queue:
        n = next(self._seq)
        queue = Queue(name=name or f"Queue {n}", color=f"#{n:06X}", greeting_message=greeting)
        async with self.uow() as uow:
            await uow.queues.add(queue)
            await uow.commit()
        return queue

    async def add_user(
        self, name: str | None = None, *, role: Role = Role.USER, queue_ids: tuple[int, ...] = ()
    ) -> User:
        n = next(self._seq)
        user = User(
            name=name or f"User {n}",
            email=f"user{n}@example.com",
            password_hash="fake$x",
            role=role,
            created_at=self.clock.now(),
            queue_ids=list(queue_ids),
        )
        async with self.uow() as uow:
            await uow.users.add(user)
            await uow.commit()
        return user

    async def viewer(self, *, role: Role = Role.USER, queue_ids: tuple[int, ...] = ()) -> Viewer:
        """A new user of ``role`` and their viewer."""
        return Viewer.of(await self.add_user(role=role, queue_ids=queue_ids))

    def receive_message(self) -> ReceiveMessage:
        return ReceiveMessage(self.uow(), self.clock, self.publisher, self.jobs)

    async def inbound(
        self, whatsapp_id: int, chat: str, body: str = "hello", *, wa_id: str | None = None, **fields: object
    ) -> Received:
        """Deliver one inbound message (a fresh WhatsApp id unless ``wa_id`` is given) through ReceiveMessage; it
        must be stored, not ignored."""
        command = InboundMessage(
            whatsapp_id=whatsapp_id,
            wa_message_id=wa_id or f"IN{next(self._seq)}",
            chat=chat,
            body=body,
            **fields,  # type: ignore[arg-type]
        )
        return received(await self.receive_message().execute(command))

    async def set_setting(self, key: str, value: str) -> None:
        async with self.uow() as uow:
            await uow.settings.set(key, value)
            await uow.commit()
