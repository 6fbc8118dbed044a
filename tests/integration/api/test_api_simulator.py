"""Simulator mode: /dev/simulator drives a simulated WhatsApp through the real pipeline (admin only; 404 otherwise)."""

from __future__ import annotations

import base64
from pathlib import Path

import httpx
from api_harness import Live, RecordingProvider, client_for, make_settings, running
from api_world import PASSWORD, bearer, ok
from litestar import Litestar
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_api.app import create_app
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage, DeliverMessageCommand


def _simulator_app(engine: AsyncEngine, live: Live, tmp_path: Path) -> Litestar:
    """The app in simulator mode: the real transport wiring, recording fakes for events and jobs."""
    return create_app(
        make_settings(tmp_path, whatsapp_transport="simulator"), overrides=[RecordingProvider(engine, live)]
    )


async def test_a_conversation_through_the_simulator(clean_db: AsyncEngine, live: Live, tmp_path: Path) -> None:
    app = _simulator_app(clean_db, live, tmp_path)
    async with running(app), client_for(app) as c:
        admin = await ok(
            await c.post("/auth/register", json={"name": "A", "email": "a@example.com", "password": PASSWORD}), 201
        )
        h = bearer(admin["accessToken"])
        wid = (await ok(await c.post("/whatsapps", json={"name": "Main"}, headers=h), 201))["id"]
        await ok(await c.post(f"/whatsapps/{wid}/session", headers=h))
        assert (await c.get(f"/whatsapps/{wid}/qrcode", headers=h)).status_code == 200
        scanned = await ok(await c.post(f"/dev/simulator/whatsapps/{wid}/scan", headers=h), 202)
        connection = await ok(await c.get(f"/whatsapps/{wid}", headers=h))
        assert (connection["status"], connection["number"]) == ("CONNECTED", scanned["number"])

        photo = base64.b64encode(b"\xff\xd8\xff fake jpeg").decode()
        sent = await ok(
            await c.post(
                "/dev/simulator/inbound",
                json={
                    "whatsappId": wid,
                    "from": "+55 11 97777-1111",
                    "name": "Rita",
                    "body": "Hello?",
                    "waMessageId": "W1",
                    "media": {"type": "image", "mimeType": "image/jpeg", "base64": photo},
                },
                headers=h,
            ),
            202,
        )
        assert sent == {"waMessageId": "W1"}
        await ok(
            await c.post(
                "/dev/simulator/inbound",
                json={"whatsappId": wid, "from": "5511977771111", "body": "Hello?", "waMessageId": "W1"},
                headers=h,
            ),
            202,
        )  # a redelivery: still one message
        tickets = (await ok(await c.get("/tickets", headers=h)))["items"]
        assert [(t["contact"]["name"], t["contact"]["number"], t["unreadMessages"]) for t in tickets] == [
            ("Rita", "5511977771111", 1)
        ]
        ticket = tickets[0]["id"]

        reply = await ok(await c.post("/messages", json={"ticketId": ticket, "body": "Hi Rita"}, headers=h), 201)
        for job in live.jobs.take_all():
            if isinstance(job, DeliverMessageJob):
                async with app.state.dishka_container() as request:
                    await (await request.get(DeliverMessage)).execute(DeliverMessageCommand(job.message_id))
        box = await ok(await c.get("/dev/simulator/outbox", params={"whatsappId": wid}, headers=h))
        texts = [i for i in box["items"] if i["kind"] == "text"]
        assert [(i["to"], i["body"]) for i in texts] == [("5511977771111", "Hi Rita")]
        wa_id = texts[0]["waMessageId"]
        later = await ok(await c.get("/dev/simulator/outbox", params={"after": box["items"][-1]["seq"]}, headers=h))
        assert later["items"] == []

        await ok(
            await c.post(
                "/dev/simulator/receipt", json={"whatsappId": wid, "waMessageIds": [wa_id], "type": "read"}, headers=h
            ),
            202,
        )
        assert (await ok(await c.get(f"/messages/{reply['id']}", headers=h)))["ack"] == "read"

        await ok(
            await c.post("/dev/simulator/fail-next", json={"whatsappId": wid, "count": 1, "error": "boom"}, headers=h),
            202,
        )
        bad = await c.post("/dev/simulator/inbound", json={"whatsappId": wid, "from": "5511977771111"}, headers=h)
        assert (bad.status_code, bad.json()["code"]) == (400, "validation_error")


async def test_simulator_routes_are_admin_only(clean_db: AsyncEngine, live: Live, tmp_path: Path) -> None:
    app = _simulator_app(clean_db, live, tmp_path)
    async with running(app), client_for(app) as c:
        admin = await ok(
            await c.post("/auth/register", json={"name": "A", "email": "a@example.com", "password": PASSWORD}), 201
        )
        user = {"name": "U", "email": "u@example.com", "password": PASSWORD, "role": "supervisor"}
        await ok(await c.post("/users", json=user, headers=bearer(admin["accessToken"])), 201)
        token = (await ok(await c.post("/auth/login", json={"email": "u@example.com", "password": PASSWORD})))[
            "accessToken"
        ]
        refused = await c.get("/dev/simulator/outbox", headers=bearer(token))
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
        assert (await c.get("/dev/simulator/outbox")).status_code == 401


async def test_simulator_routes_do_not_exist_in_other_modes(client: httpx.AsyncClient) -> None:
    response = await client.get("/dev/simulator/outbox")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
