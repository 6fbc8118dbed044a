"""Webhooks against a real HTTP receiver on 127.0.0.1 (WEBHOOK_ALLOW_PRIVATE_URLS=true): signatures, retries, a
worker killed between commit and delivery, order per ticket, switch-off, and the refusal of private addresses."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import random
import signal
import sys
from collections import defaultdict
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from api_harness import Live, build_app, client_for, empty_tables, running
from api_world import World, ok
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncEngine
from webhook_receiver import receiving

from whaticket_adapters.clock import SystemClock
from whaticket_adapters.jobs import DEFAULT_POLICIES, RetryPolicy
from whaticket_adapters.jobs import functions as job_functions
from whaticket_adapters.jobs.context import JobContext
from whaticket_adapters.sql.database import SqlWebhookStore
from whaticket_adapters.webhooks import HttpxWebhookSender
from whaticket_api.runtime import ContainerUseCases
from whaticket_core.use_cases.integrations.dispatch_webhooks import DispatchWebhooks, DispatchWebhooksCommand

QUICK = dataclasses.replace(DEFAULT_POLICIES, webhooks=RetryPolicy(1, delay=0.02, max_delay=1.0, timeout=120.0))


@pytest.fixture
async def hooks(pg_engine: AsyncEngine, live: Live, tmp_path: Path) -> AsyncIterator[World]:
    await empty_tables(pg_engine)
    app = build_app(pg_engine, live, tmp_path, webhook_allow_private_urls=True)
    async with running(app), client_for(app) as client:
        yield await World(client, app).seed()


async def dispatch(app: Litestar) -> int:
    """What the dispatch job does (quick retries): every due delivery, until none is pending or due soon."""
    context = JobContext(ContainerUseCases(app.state.dishka_container), QUICK)
    return await job_functions.dispatch_webhooks(context)


async def subscribe(world: World, url: str, events: list[str]) -> dict[str, Any]:
    body = {"url": url, "events": events, "description": "test receiver"}
    return await ok(await world.client.post("/webhooks", json=body, headers=world.admin.headers), 201)


def verify(secret: str, header: str, body: bytes) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


async def deliveries(world: World, webhook_id: int) -> list[dict[str, Any]]:
    page = await ok(await world.client.get(f"/webhooks/{webhook_id}/deliveries", headers=world.admin.headers))
    return list(page["items"])


async def test_a_delivery_is_signed_with_the_webhooks_secret(hooks: World) -> None:
    async with receiving() as receiver:
        webhook = await subscribe(hooks, receiver.url, ["message.created"])
        await hooks.inbound("5511977770001", "Hello from a customer")
        assert await dispatch(hooks.app) == 1
        (got,) = receiver.got
    assert verify(webhook["secret"], got.headers["Whaticket-Signature"], got.body)
    assert not verify("whsec_another-secret", got.headers["Whaticket-Signature"], got.body)
    assert not verify(webhook["secret"], got.headers["Whaticket-Signature"], got.body + b" ")
    assert got.headers["Whaticket-Event"] == "message.created"
    assert got.json["id"] == int(got.headers["Whaticket-Delivery"])
    assert got.json["event"] == "message.created"
    assert got.json["data"]["message"]["body"] == "Hello from a customer"
    assert got.json["data"]["ticket"]["contact"]["number"] == "5511977770001"
    (logged,) = await deliveries(hooks, webhook["id"])
    assert (logged["status"], logged["attempt"], logged["responseStatus"]) == ("delivered", 1, 200)


async def test_a_receiver_failing_three_times_gets_it_on_the_fourth(hooks: World) -> None:
    async with receiving(answers=[500, 500, 500]) as receiver:
        webhook = await subscribe(hooks, receiver.url, ["ticket.created"])
        await hooks.inbound("5511977770002", "hi")
        await dispatch(hooks.app)
        got = list(receiver.got)
    assert len(got) == 4
    assert len({g.headers["Whaticket-Delivery"] for g in got}) == 1  # the same delivery each time
    assert len({g.body for g in got}) == 1
    (logged,) = await deliveries(hooks, webhook["id"])
    assert (logged["status"], logged["attempt"], logged["responseStatus"]) == ("delivered", 4, 200)


KILLED_WORKER = """
import asyncio, os, signal, sys

from whaticket_adapters.clock import SystemClock
from whaticket_adapters.sql.database import SqlUnitOfWork, create_engine, create_session_factory
from whaticket_api.realtime.webhook_events import WebhookEventEncoder
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.tickets.create_ticket import CreateTicket, CreateTicketCommand


class DieAfterCommit:
    # Publishing happens after the commit: the process dies there, before any delivery was attempted.
    async def publish(self, events):
        os.kill(os.getpid(), signal.SIGKILL)


async def main(url, contact_id, admin_id):
    uow = SqlUnitOfWork(create_session_factory(create_engine(url)), WebhookEventEncoder())
    actor = Viewer(admin_id, Role.ADMIN, frozenset())
    await CreateTicket(uow, SystemClock(), DieAfterCommit()).execute(CreateTicketCommand(contact_id, actor))


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


async def test_a_worker_killed_between_commit_and_delivery_loses_nothing(hooks: World, pg_engine: AsyncEngine) -> None:
    async with receiving() as receiver:
        await subscribe(hooks, receiver.url, ["ticket.created"])
        url = pg_engine.url.render_as_string(hide_password=False)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", KILLED_WORKER, url, str(hooks.free_contact), str(hooks.admin.id)
        )
        assert await process.wait() == -signal.SIGKILL
        assert receiver.got == []
        assert await dispatch(hooks.app) == 1  # the next worker
        (got,) = receiver.got
    ticket = got.json["data"]["ticket"]
    assert ticket["contact"]["id"] == hooks.free_contact
    found = await ok(await hooks.client.get(f"/tickets/{ticket['id']}", headers=hooks.admin.headers))
    assert found["status"] == "open"


async def test_a_thousand_events_of_ten_tickets_arrive_in_order_per_ticket(hooks: World) -> None:
    chance = random.Random(13)
    async with receiving() as receiver:
        webhook = await subscribe(hooks, receiver.url, ["message.created"])
        # Some answers fail: a retried delivery must still hold back the later ones of its ticket.
        receiver.answers = [500 if chance.random() < 0.05 else 200 for _ in range(1200)]
        numbers = [f"55119666{n:05d}" for n in range(10)]
        for i in range(100):
            for number in numbers:
                await hooks.inbound(number, f"{number} #{i}")
        await dispatch(hooks.app)
        delivered = [g for g in receiver.got if g.headers.get("Whaticket-Delivery")]
    by_ticket: dict[int, list[int]] = defaultdict(list)
    seen: set[str] = set()
    for got in delivered:
        if got.headers["Whaticket-Delivery"] in seen:
            continue  # a failed attempt's retry: only first arrivals count for the order
        seen.add(got.headers["Whaticket-Delivery"])
        by_ticket[got.json["data"]["ticket"]["id"]].append(got.json["data"]["message"]["id"])
    assert len(by_ticket) == 10
    assert sum(len(ids) for ids in by_ticket.values()) == 1000
    for ids in by_ticket.values():
        assert ids == sorted(ids)
    logged = await ok(
        await hooks.client.get(
            f"/webhooks/{webhook['id']}/deliveries", params={"limit": 100}, headers=hooks.admin.headers
        )
    )
    assert {item["status"] for item in logged["items"]} == {"delivered"}
    assert logged["nextCursor"] is not None


async def test_fifty_failures_in_a_row_switch_the_webhook_off(hooks: World) -> None:
    async with receiving(always=500) as receiver:
        webhook = await subscribe(hooks, receiver.url, ["ticket.created"])
        for n in range(55):
            await hooks.inbound(f"55119555{n:05d}", "hi")  # 55 tickets: 55 streams failing at once
        await dispatch(hooks.app)
        attempts = len(receiver.got)
    assert attempts >= 50
    (listed,) = await ok(await hooks.client.get("/webhooks", headers=hooks.admin.headers))
    assert listed["active"] is False
    # Switched back on, it gets a fresh count and goes on delivering.
    async with receiving() as healthy:
        await ok(
            await hooks.client.put(
                f"/webhooks/{webhook['id']}", json={"url": healthy.url, "active": True}, headers=hooks.admin.headers
            )
        )
        await dispatch(hooks.app)
        assert len(healthy.got) == 55


async def test_private_addresses_are_refused_unless_allowed(pg_engine: AsyncEngine, live: Live, tmp_path: Path) -> None:
    await empty_tables(pg_engine)
    app = build_app(pg_engine, live, tmp_path)  # WEBHOOK_ALLOW_PRIVATE_URLS unset
    async with running(app), client_for(app) as client, receiving() as receiver:
        world = await World(client, app).seed()
        for url in (receiver.url, "http://localhost:9/hook", "http://169.254.169.254/latest", "http://[::1]/x"):
            refused = await client.post("/webhooks", json={"url": url, "events": ["*"]}, headers=world.admin.headers)
            assert (refused.status_code, refused.json()["code"]) == (400, "webhook_url_forbidden"), url
    async with receiving() as receiver:
        allowed = build_app(pg_engine, live, tmp_path, webhook_allow_private_urls=True)
        async with running(allowed), client_for(allowed) as client:
            login = await ok(
                await client.post(
                    "/auth/login", json={"email": "admin@example.com", "password": "correct-horse-battery"}
                )
            )
            headers = {"Authorization": f"Bearer {login['accessToken']}"}
            await ok(await client.post("/webhooks", json={"url": receiver.url, "events": ["*"]}, headers=headers), 201)


async def test_the_address_is_checked_again_at_delivery_time(hooks: World, pg_engine: AsyncEngine) -> None:
    """Saved while allowed (or while the name resolved elsewhere), refused when sent: no request leaves."""
    async with receiving() as receiver:
        webhook = await subscribe(hooks, receiver.url, ["ticket.created"])
        await hooks.inbound("5511977770003", "hi")
        strict = HttpxWebhookSender(allow_private=False)
        try:
            dispatcher = DispatchWebhooks(SqlWebhookStore(pg_engine), strict, SystemClock())
            assert (await dispatcher.execute(DispatchWebhooksCommand())).attempts == 1
        finally:
            await strict.aclose()
        assert receiver.got == []
    (logged,) = await deliveries(hooks, webhook["id"])
    assert (logged["status"], logged["attempt"], logged["responseStatus"]) == ("pending", 1, None)


async def test_events_name_who_caused_them(hooks: World) -> None:
    """What an API token does is attributed to it (and its issuer); a person's action to them; WhatsApp's to no one."""
    async with receiving() as receiver:
        await subscribe(hooks, receiver.url, ["message.created"])
        token = await hooks.add_api_token("messages:write")
        body = {"number": "5511977770004", "body": "From the CRM"}
        await ok(
            await hooks.client.post("/messages/send", json=body, headers={"Authorization": f"Bearer {token}"}), 201
        )
        sent = await ok(
            await hooks.client.post(
                "/messages", json={"ticketId": hooks.t_pending, "body": "From a person"}, headers=hooks.agent.headers
            ),
            201,
        )
        await hooks.inbound("5511977770004", "From the customer")
        await dispatch(hooks.app)
        actors = {g.json["data"]["message"]["body"]: g.json["actor"] for g in receiver.got}
    assert actors["From the CRM"] == {"type": "apiToken", "id": hooks.api_token, "userId": hooks.admin.id}
    assert actors["From a person"] == {"type": "user", "id": hooks.agent.id}
    assert actors["From the customer"] is None
    assert sent["body"] == "From a person"
