"""A small app for the realtime tests: the core's use cases on the in-memory fakes, publishing through the gateway.

Used in-process by the tests (uvicorn in the test's event loop) and as a separate server process for the multi-process
tests (``uvicorn realtime_harness:app_from_env --factory``). The seed is deterministic, so every process holds the
same users, queues and tickets, and a token issued by one is valid on all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from litestar import Litestar, get, post
from litestar.params import FromPath
from socketio import ASGIApp

from whaticket_adapters.clock import SystemClock
from whaticket_adapters.security import JwtTokenCodec
from whaticket_api.realtime import RealtimeGateway
from whaticket_core.domain.auth import AccessClaims
from whaticket_core.domain.contact import Contact
from whaticket_core.domain.errors import InvalidToken
from whaticket_core.domain.events import UserSessionsRevoked
from whaticket_core.domain.queue import Queue
from whaticket_core.domain.ticket import Ticket, TicketPlacement, TicketStatus
from whaticket_core.domain.user import Role, User
from whaticket_core.domain.visibility import Viewer
from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.testing import (
    FakeMessageSender,
    InMemoryJobQueue,
    InMemoryMediaStore,
    InMemoryStore,
    InMemoryUnitOfWork,
)
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage, DeliverMessageCommand
from whaticket_core.use_cases.messages.send_message import SendMessage, SendMessageCommand
from whaticket_core.use_cases.tickets.accept_ticket import AcceptTicket, AcceptTicketCommand
from whaticket_core.use_cases.tickets.close_ticket import CloseTicket, CloseTicketCommand
from whaticket_core.use_cases.tickets.create_ticket import CreateTicket, CreateTicketCommand
from whaticket_core.use_cases.tickets.delete_ticket import DeleteTicket, DeleteTicketCommand
from whaticket_core.use_cases.tickets.transfer_ticket import TransferTicket, TransferTicketCommand

SECRET = "realtime-tests-access-secret-0123456789"
REFRESH_SECRET = "realtime-tests-refresh-secret-0123456789"


@dataclass
class World:
    """Seeded state and the fakes around it. Ids are fixed by the seed order (see :meth:`seed`)."""

    store: InMemoryStore = field(default_factory=InMemoryStore)
    clock: SystemClock = field(default_factory=SystemClock)
    jobs: InMemoryJobQueue = field(default_factory=InMemoryJobQueue)
    media: InMemoryMediaStore = field(default_factory=InMemoryMediaStore)
    sender: FakeMessageSender = field(default_factory=FakeMessageSender)
    publisher: EventPublisher | None = None
    ids: dict[str, int] = field(default_factory=dict)

    @property
    def codec(self) -> JwtTokenCodec:
        return JwtTokenCodec(SECRET, REFRESH_SECRET, self.clock)

    def uow(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store)

    async def seed(self) -> World:
        now = self.clock.now()
        async with self.uow() as uow:
            for key, color in (("queue_a", "#AA0000"), ("queue_b", "#00BB00")):
                self.ids[key] = (await uow.queues.add(Queue(key, color))).id
            users = (
                ("admin", Role.ADMIN, []),
                ("supervisor", Role.SUPERVISOR, []),
                ("agent_a", Role.USER, [self.ids["queue_a"]]),
                ("agent_b", Role.USER, [self.ids["queue_b"]]),
                ("agent_none", Role.USER, []),
            )
            for name, role, queues in users:
                # Version 0, not a random one: every harness process seeds the same world and accepts the same tokens.
                user = User(name, f"{name}@example.com", "x", role, now, queue_ids=list(queues), token_version=0)
                self.ids[name] = (await uow.users.add(user)).id
            wa = WhatsApp("main", ConnectionStatus.CONNECTED, True, now, number="5511900000000")
            self.ids["whatsapp"] = (await uow.whatsapps.add(wa)).id
            tickets = (
                ("ticket_a", "5511911110001", self.ids["queue_a"]),
                ("ticket_b", "5511911110002", self.ids["queue_b"]),
                ("ticket_none", "5511911110003", None),
                ("ticket_a2", "5511911110004", self.ids["queue_a"]),
            )
            for key, number, queue_id in tickets:
                contact = await uow.contacts.add(Contact(key, number, now))
                ticket = Ticket(contact.id, self.ids["whatsapp"], TicketStatus.PENDING, now, now, queue_id=queue_id)
                self.ids[key] = (await uow.tickets.add(ticket)).id
            await uow.commit()
        return self

    def token(self, user_key: str, *, version: int = 0, ttl: timedelta = timedelta(minutes=15)) -> str:
        claims = AccessClaims(self.ids[user_key], version, self.clock.now() + ttl)
        return self.codec.encode_access(claims)

    async def authenticate(self, token: str) -> Viewer:
        claims = self.codec.decode_access(token)
        async with self.uow() as uow:
            user = await uow.users.get(claims.user_id)
        if user is None or user.token_version != claims.token_version:
            raise InvalidToken("Token is no longer valid")
        return Viewer.of(user)

    async def ticket_placement(self, ticket_id: int) -> TicketPlacement | None:
        async with self.uow() as uow:
            ticket = await uow.tickets.get(ticket_id)
        return ticket.placement if ticket else None

    async def viewer(self, user_key: str) -> Viewer:
        async with self.uow() as uow:
            user = await uow.users.get(self.ids[user_key])
        assert user is not None
        return Viewer.of(user)

    def _publisher(self) -> EventPublisher:
        assert self.publisher is not None, "bind a publisher first"
        return self.publisher

    async def accept(self, ticket_key: str, user_key: str) -> Any:
        use_case = AcceptTicket(self.uow(), self.clock, self._publisher())
        return await use_case.execute(AcceptTicketCommand(self.ids[ticket_key], await self.viewer(user_key)))

    async def send(self, ticket_id: int, user_key: str, body: str) -> Any:
        use_case = SendMessage(self.uow(), self.clock, self._publisher(), self.jobs, self.media)
        return await use_case.execute(SendMessageCommand(ticket_id, await self.viewer(user_key), body))

    async def deliver(self, message_id: int) -> Any:
        use_case = DeliverMessage(self.uow(), self.sender, self.media, self._publisher(), self.clock)
        return await use_case.execute(DeliverMessageCommand(message_id))

    async def close(self, ticket_id: int, user_key: str) -> Any:
        use_case = CloseTicket(self.uow(), self.clock, self._publisher(), self.jobs)
        return await use_case.execute(CloseTicketCommand(ticket_id, await self.viewer(user_key)))

    async def transfer(
        self, ticket_id: int, user_key: str, *, to_user: str | None = None, to_queue: str | None = None
    ) -> Any:
        use_case = TransferTicket(self.uow(), self.clock, self._publisher())
        command = TransferTicketCommand(
            ticket_id,
            await self.viewer(user_key),
            user_id=self.ids[to_user] if to_user else None,
            queue_id=self.ids[to_queue] if to_queue else None,
        )
        return await use_case.execute(command)

    async def delete(self, ticket_id: int, user_key: str) -> None:
        await DeleteTicket(self.uow(), self._publisher()).execute(
            DeleteTicketCommand(ticket_id, await self.viewer(user_key))
        )

    async def create_ticket(self, number: str, user_key: str) -> Any:
        async with self.uow() as uow:
            contact = await uow.contacts.add(Contact(number, number, self.clock.now()))
            await uow.commit()
        use_case = CreateTicket(self.uow(), self.clock, self._publisher())
        return await use_case.execute(CreateTicketCommand(contact.id, await self.viewer(user_key)))

    async def revoke(self, user_key: str) -> None:
        """What logout-all does: bump the token version, then publish after commit."""
        async with self.uow() as uow:
            user = await uow.users.get(self.ids[user_key])
            assert user is not None
            user.token_version += 1
            await uow.users.save(user)
            await uow.commit()
        await self._publisher().publish([UserSessionsRevoked(self.ids[user_key])])


def build_app(
    world: World,
    *,
    redis_url: str | None = None,
    channel: str = "whaticket-tests",
    seed_on_startup: bool = False,
    max_sockets_per_user: int = 20,
    presence: Any = None,
    on_agent_online: Any = None,
) -> tuple[ASGIApp, RealtimeGateway]:
    """The harness's ASGI app (Socket.IO wrapped around a minimal Litestar app) and its gateway; ``presence`` (a
    tracker of ``whaticket_adapters.presence``) and ``on_agent_online`` are handed to the gateway."""

    async def tracker() -> Any:
        return presence

    gateway = RealtimeGateway(
        presence=tracker if presence is not None else None,
        on_agent_online=on_agent_online,
        authenticate=world.authenticate,
        ticket_placement=world.ticket_placement,
        redis_url=redis_url,
        channel=channel,
        cors_allowed_origins="*",
        max_sockets_per_user=max_sockets_per_user,
    )
    world.publisher = gateway.publisher()

    @get("/harness/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "sockets": gateway.local_socket_count, "ids": world.ids}

    @get("/harness/token/{user_key:str}")
    async def token(user_key: FromPath[str]) -> dict[str, str]:
        return {"token": world.token(user_key)}

    @post("/harness/tickets/{ticket_key:str}/accept/{user_key:str}")
    async def accept(ticket_key: FromPath[str], user_key: FromPath[str]) -> dict[str, Any]:
        view = await world.accept(ticket_key, user_key)
        return {"ticketId": view.id}

    @post("/harness/tickets/{ticket_id:int}/messages/{user_key:str}")
    async def send(ticket_id: FromPath[int], user_key: FromPath[str]) -> dict[str, Any]:
        view = await world.send(ticket_id, user_key, "hello from another process")
        return {"messageId": view.id}

    @post("/harness/tickets/{ticket_key:str}/transfer/{queue_key:str}")
    async def transfer(ticket_key: FromPath[str], queue_key: FromPath[str]) -> dict[str, Any]:
        view = await world.transfer(world.ids[ticket_key], "admin", to_queue=queue_key)
        return {"ticketId": view.id}

    @post("/harness/reset")
    async def reset() -> None:
        world.store = InMemoryStore()
        world.ids = {}
        await world.seed()

    @post("/harness/users/{user_key:str}/revoke")
    async def revoke(user_key: FromPath[str]) -> None:
        await world.revoke(user_key)

    app = Litestar(
        [health, token, accept, send, transfer, reset, revoke], on_startup=[world.seed] if seed_on_startup else []
    )
    return gateway.asgi_app(app), gateway


def app_from_env() -> ASGIApp:
    """uvicorn factory for the multi-process tests: HARNESS_REDIS_URL and HARNESS_CHANNEL pick the shared channel."""
    world = World()
    asgi, _ = build_app(
        world,
        redis_url=os.environ.get("HARNESS_REDIS_URL") or None,
        channel=os.environ["HARNESS_CHANNEL"],
        seed_on_startup=True,
    )
    return asgi
