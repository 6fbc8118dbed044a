"""A seeded helpdesk for API tests, built through the API itself (and the inbound use case for customer messages).

People: ``admin`` (the first account), ``supervisor``, ``agent`` (member of queue ``sales``) and ``other_agent`` (no
queue). Tickets on the default connection ``main``:

- ``t_pending``: pending, no queue (every role sees it);
- ``t_sales``: pending in ``sales`` (the agent sees it through the queue);
- ``t_hidden``: open, assigned to ``other_agent``, no queue (the agent must NOT see it);
- ``t_closed``: closed, in ``sales``.

Each has one inbound customer message (``m_pending``...). ``free_contact`` has no ticket.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from litestar import Litestar

from whaticket_core.domain.inbox import InboxEntry
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.connections.whatsapp_sessions import UpdateQrCode, UpdateQrCodeCommand
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage
from whaticket_core.use_cases.inbound.inbox_codec import encode, identity_of
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage

PASSWORD = "correct-horse-battery"
_numbers = itertools.count(5511900000001)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json() if response.content else None


@dataclass
class Person:
    id: int
    email: str
    access: str
    refresh: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.access)


@dataclass
class World:
    client: httpx.AsyncClient
    app: Litestar
    people: dict[str, Person] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        ids = self.__dict__.get("ids", {})
        if name in ids:
            return ids[name]
        raise AttributeError(name)

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        return await ok(await self.client.post("/auth/login", json={"email": email, "password": password}))

    async def add_person(self, key: str, role: str, queue_ids: list[int] | None = None) -> Person:
        email = f"{key}@example.com"
        body = {"name": key.title(), "email": email, "password": PASSWORD, "role": role, "queueIds": queue_ids or []}
        user = await ok(await self.client.post("/users", json=body, headers=self.admin.headers), 201)
        tokens = await self.login(email)
        person = Person(user["id"], email, tokens["accessToken"], tokens["refreshToken"])
        self.people[key] = person
        return person

    async def inbound(self, number: str, body: str, *, name: str = "Customer", wa_id: str | None = None) -> Any:
        async with self.app.state.dishka_container() as request:
            use_case = await request.get(ReceiveMessage)
            return await use_case.execute(
                InboundMessage(
                    whatsapp_id=self.ids["main"],
                    wa_message_id=wa_id or f"wa-{next(_numbers)}",
                    chat=number,
                    body=body,
                    push_name=name,
                )
            )

    async def inbound_ticket(self, key: str, body: str = "hello") -> int:
        number = str(next(_numbers))
        await self.inbound(number, body, name=key.title())
        page = await ok(await self.client.get("/tickets", params={"search": number}, headers=self.admin.headers))
        ticket = page["items"][0]
        self.ids[key] = ticket["id"]
        self.ids["c" + key[1:]] = ticket["contact"]["id"]
        messages = await ok(
            await self.client.get("/messages", params={"ticketId": ticket["id"]}, headers=self.admin.headers)
        )
        self.ids["m" + key[1:]] = messages["items"][0]["id"]
        return int(ticket["id"])

    async def add_api_token(self, *scopes: str, key: str = "api_token") -> str:
        """Issues a token (as the admin) with ``scopes`` (tickets:read by default); its id goes to ``ids[key]``."""
        body = {"name": f"Integration {key}", "scopes": list(scopes or ["tickets:read"])}
        created = await ok(await self.client.post("/api-tokens", json=body, headers=self.admin.headers), 201)
        self.ids[key] = created["id"]
        return str(created["token"])

    async def add_webhook(self, *, with_delivery: bool = False) -> None:
        """A webhook to a public address (``ids["webhook"]``); with a delivery of it (``ids["delivery"]``), made by
        a customer message. Nothing is sent: no dispatch runs in these tests."""
        body = {"url": "https://93.184.215.14/hook", "events": ["*"]}
        created = await ok(await self.client.post("/webhooks", json=body, headers=self.admin.headers), 201)
        self.ids["webhook"] = created["id"]
        if with_delivery:
            await self.inbound(str(next(_numbers)), "for the webhook")
            page = await ok(await self.client.get(f"/webhooks/{created['id']}/deliveries", headers=self.admin.headers))
            self.ids["delivery"] = page["items"][0]["id"]

    async def set_qr(self, code: str = "2@abc,def,ghi") -> None:
        async with self.app.state.dishka_container() as request:
            use_case = await request.get(UpdateQrCode)
            await use_case.execute(UpdateQrCodeCommand(self.ids["main"], code))

    async def add_inbox_failure(self) -> None:
        """A stored inbound event whose processing failed (ids["inbox_failure"]), for the inbox-failure routes."""
        async with self.app.state.dishka_container() as request:
            uow = await request.get(UnitOfWork)
            async with uow:
                command = InboundMessage(self.ids["main"], f"RBAC-{len(self.ids)}", "5511933330000", "stuck")
                kind, key = identity_of(command)
                entry = InboxEntry(self.ids["main"], kind, key, encode(command), datetime.now(UTC))
                entry.failed("RuntimeError: boom", datetime.now(UTC))
                stored, _created = await uow.inbox.add(entry)
                await uow.commit()
        self.ids["inbox_failure"] = stored.id

    async def seed(self) -> World:
        c = self.client
        reg = await ok(
            await c.post("/auth/register", json={"name": "Admin", "email": "admin@example.com", "password": PASSWORD}),
            201,
        )
        self.people["admin"] = Person(reg["user"]["id"], "admin@example.com", reg["accessToken"], reg["refreshToken"])
        admin = self.admin.headers
        self.ids["sales"] = (
            await ok(await c.post("/queues", json={"name": "Sales", "color": "#FF0000"}, headers=admin), 201)
        )["id"]
        self.ids["support"] = (
            await ok(await c.post("/queues", json={"name": "Support", "color": "#00FF00"}, headers=admin), 201)
        )["id"]
        self.ids["main"] = (await ok(await c.post("/whatsapps", json={"name": "Main"}, headers=admin), 201))["id"]
        self.ids["spare"] = (await ok(await c.post("/whatsapps", json={"name": "Spare"}, headers=admin), 201))["id"]
        await self.add_person("supervisor", "supervisor")
        await self.add_person("agent", "user", [self.ids["sales"]])
        await self.add_person("other_agent", "user")
        await self.inbound_ticket("t_pending")
        await self.inbound_ticket("t_sales")
        await ok(await c.post(f"/tickets/{self.t_sales}/transfer", json={"queueId": self.sales}, headers=admin))
        await self.inbound_ticket("t_hidden")
        await ok(
            await c.post(f"/tickets/{self.t_hidden}/transfer", json={"userId": self.other_agent.id}, headers=admin)
        )
        await self.inbound_ticket("t_closed")
        await ok(await c.post(f"/tickets/{self.t_closed}/transfer", json={"queueId": self.sales}, headers=admin))
        await ok(await c.post(f"/tickets/{self.t_closed}/close", headers=admin))
        free = await ok(
            await c.post("/contacts", json={"name": "Free", "number": str(next(_numbers))}, headers=admin), 201
        )
        self.ids["free_contact"] = free["id"]
        self.ids["quick"] = (
            await ok(await c.post("/quick-answers", json={"shortcut": "hi", "message": "Hello!"}, headers=admin), 201)
        )["id"]
        self.ids["tag"] = (
            await ok(await c.post("/tags", json={"name": "Urgent", "color": "#FF8800"}, headers=admin), 201)
        )["id"]
        return self
