"""/business-hours over HTTP, and the away message through the simulator's real inbound pipeline."""

from __future__ import annotations

from pathlib import Path

import httpx
from api_harness import Live, RecordingProvider, client_for, make_settings, running
from api_world import PASSWORD, World, bearer, ok
from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.presence import InMemoryPresence
from whaticket_api.app import create_app
from whaticket_api.realtime.gateway_ports import PresenceTracker

CLOSED_WEEK = {day: [] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


async def test_default_then_company_then_queue_override(world: World) -> None:
    c, admin = world.client, world.people["admin"].headers
    default = await ok(await c.get("/business-hours", headers=admin))
    assert default == {
        "timezone": "UTC",
        "week": {day: [["00:00", "24:00"]] for day in CLOSED_WEEK},
        "exceptions": [],
        "awayMessage": "",
        "scope": "company",
    }
    body = {
        "timezone": "America/Sao_Paulo",
        "week": {"sat": [], "sun": [], "mon": [["08:00", "12:00"], ["13:00", "18:00"]]},
        "exceptions": [{"date": "2026-12-25", "ranges": []}],
        "awayMessage": "Closed",
    }
    company = await ok(await c.put("/business-hours", json=body, headers=admin))
    assert company["week"]["mon"] == [["08:00", "12:00"], ["13:00", "18:00"]]
    assert company["week"]["tue"] == [["00:00", "24:00"]]  # absent days keep their ranges
    assert company["exceptions"] == [{"date": "2026-12-25", "ranges": []}]

    sales = world.ids["sales"]
    inherited = await ok(await c.get("/business-hours", params={"queueId": sales}, headers=admin))
    assert {k: v for k, v in inherited.items() if k != "scope"} == {k: v for k, v in company.items() if k != "scope"}
    assert inherited["scope"] == "company"
    own = await ok(
        await c.put("/business-hours", params={"queueId": sales}, json={"awayMessage": "Sales closed"}, headers=admin)
    )
    assert (own["scope"], own["awayMessage"], own["timezone"]) == ("queue", "Sales closed", "America/Sao_Paulo")
    assert (await ok(await c.get("/business-hours", headers=admin)))["awayMessage"] == "Closed"

    assert (await c.delete("/business-hours", params={"queueId": sales}, headers=admin)).status_code == 204
    again = await ok(await c.get("/business-hours", params={"queueId": sales}, headers=admin))
    assert (again["scope"], again["awayMessage"]) == ("company", "Closed")
    assert (await c.delete("/business-hours", headers=admin)).status_code == 204
    assert (await ok(await c.get("/business-hours", headers=admin)))["awayMessage"] == ""


async def test_errors_are_clear(world: World) -> None:
    c, admin = world.client, world.people["admin"].headers
    cases = [
        ({"timezone": "Mars/Base"}, {}, 400, "validation_error", ["timezone"]),
        ({"week": {"mon": [["18:00", "08:00"]]}}, {}, 400, "validation_error", ["week.mon"]),
        ({"week": {"funday": []}}, {}, 400, "validation_error", None),
        ({"exceptions": [{"date": "2026-02-30", "ranges": []}]}, {}, 400, "validation_error", ["exceptions"]),
        ({}, {"queueId": "999999"}, 404, "queue_not_found", None),
        ({}, {"whatsappId": "999999"}, 404, "whatsapp_not_found", None),
        ({}, {"whatsappId": str(world.ids["main"]), "queueId": str(world.ids["sales"])}, 400, "validation_error", None),
    ]
    for body, params, status, code, fields in cases:
        response = await c.put("/business-hours", json=body, params=params, headers=admin)
        assert (response.status_code, response.json()["code"]) == (status, code), (body, params)
        if fields is not None:
            assert response.json()["details"]["fields"] == fields


async def test_away_message_once_through_the_simulator(clean_db: AsyncEngine, live: Live, tmp_path: Path) -> None:
    app = create_app(
        make_settings(tmp_path, whatsapp_transport="simulator"), overrides=[RecordingProvider(clean_db, live)]
    )
    async with running(app), client_for(app) as c:
        admin = await ok(
            await c.post("/auth/register", json={"name": "A", "email": "a@example.com", "password": PASSWORD}), 201
        )
        h = bearer(admin["accessToken"])
        wid = (await ok(await c.post("/whatsapps", json={"name": "Main"}, headers=h), 201))["id"]
        await ok(await c.post(f"/whatsapps/{wid}/session", headers=h))
        await ok(await c.post(f"/dev/simulator/whatsapps/{wid}/scan", headers=h), 202)
        await ok(
            await c.put(
                "/business-hours",
                params={"whatsappId": wid},
                json={"week": CLOSED_WEEK, "awayMessage": "We are closed"},
                headers=h,
            )
        )
        for n in range(3):
            inbound = {"whatsappId": wid, "from": "5511977771111", "body": f"hello {n}", "waMessageId": f"W{n}"}
            await ok(await c.post("/dev/simulator/inbound", json=inbound, headers=h), 202)
        [ticket] = (await ok(await c.get("/tickets", headers=h)))["items"]
        messages = (await ok(await c.get("/messages", params={"ticketId": ticket["id"]}, headers=h)))["items"]
        assert [m["body"] for m in reversed(messages)] == ["hello 0", "We are closed", "hello 1", "hello 2"]


async def test_agents_may_not_read_business_hours(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get("/business-hours", headers=world.people["agent"].headers)
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


class OnlinePresence(Provider):
    """Presence as the gateway would count it, with sockets the test opens by hand."""

    scope = Scope.APP

    def __init__(self, presence: InMemoryPresence) -> None:
        super().__init__()
        self._presence = presence

    @provide
    def tracker(self) -> PresenceTracker:
        return self._presence


async def test_an_online_agent_is_assigned_before_the_away_message_is_considered(
    clean_db: AsyncEngine, live: Live, tmp_path: Path
) -> None:
    presence = InMemoryPresence()
    app = create_app(
        make_settings(tmp_path, whatsapp_transport="simulator"),
        overrides=[RecordingProvider(clean_db, live), OnlinePresence(presence)],
    )
    async with running(app), client_for(app) as c:
        admin = await ok(
            await c.post("/auth/register", json={"name": "A", "email": "a@example.com", "password": PASSWORD}), 201
        )
        h = bearer(admin["accessToken"])
        queue = (await ok(await c.post("/queues", json={"name": "Sales", "color": "#00AA00"}, headers=h), 201))["id"]
        agent = {"name": "Ana", "email": "ana@example.com", "password": PASSWORD, "role": "user", "queueIds": [queue]}
        agent_id = (await ok(await c.post("/users", json={**agent, "maxOpenTickets": 1}, headers=h), 201))["id"]
        wid = (await ok(await c.post("/whatsapps", json={"name": "Main", "queueIds": [queue]}, headers=h), 201))["id"]
        await ok(await c.post(f"/whatsapps/{wid}/session", headers=h))
        await ok(await c.post(f"/dev/simulator/whatsapps/{wid}/scan", headers=h), 202)
        await ok(await c.put("/settings/autoAssign", json={"value": "round_robin"}, headers=h))
        await ok(await c.put("/business-hours", json={"week": CLOSED_WEEK, "awayMessage": "Closed"}, headers=h))
        await presence.connected(agent_id)

        for n, number in enumerate(("5511977770001", "5511977770002")):
            inbound = {"whatsappId": wid, "from": number, "body": "hi", "waMessageId": f"A{n}"}
            await ok(await c.post("/dev/simulator/inbound", json=inbound, headers=h), 202)
        tickets = sorted((await ok(await c.get("/tickets", headers=h)))["items"], key=lambda t: t["id"])
        assert [(t["status"], t["userId"]) for t in tickets] == [("open", agent_id), ("pending", None)]
        bodies = []
        for t in tickets:
            page = await ok(await c.get("/messages", params={"ticketId": t["id"]}, headers=h))
            bodies.append([m["body"] for m in reversed(page["items"])])
        assert bodies == [["hi"], ["hi", "Closed"]]  # the agent (at capacity) took the first; the second waits
