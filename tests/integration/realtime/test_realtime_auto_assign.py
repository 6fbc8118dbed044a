"""The served application hands an agent the backlog of their queue when their first socket connects (round-robin
auto-assignment on, embedded mode: presence counted by the process's gateway)."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from realtime_support import about_ticket, serve

from whaticket_api.serve import prepare
from whaticket_api.server import build_server
from whaticket_api.settings import Settings

PASSWORD = "correct-horse-battery"


@pytest.fixture
async def served() -> AsyncIterator[tuple[str, httpx.AsyncClient, dict[str, str]]]:
    data_dir = Path(tempfile.mkdtemp(prefix="whaticket-assign-"))
    settings = Settings(
        jwt_secret=secrets.token_urlsafe(32),
        jwt_refresh_secret=secrets.token_urlsafe(32),
        data_dir=data_dir,
        auth_rate_limit_per_minute=10_000,
    )
    await asyncio.to_thread(prepare, settings)
    server, task, url = await serve(build_server(settings))
    try:
        async with httpx.AsyncClient(base_url=f"{url}/api/v1", timeout=30) as http:
            body = {"name": "Admin", "email": "admin@example.com", "password": PASSWORD}
            response = await http.post("/auth/register", json=body)
            assert response.status_code == 201, response.text
            yield url, http, {"Authorization": f"Bearer {response.json()['accessToken']}"}
    finally:
        server.should_exit = True
        await task
        shutil.rmtree(data_dir, ignore_errors=True)


async def _ok(response: httpx.Response, status: int = 200) -> dict:
    assert response.status_code == status, response.text
    return response.json()


async def test_an_agent_coming_online_gets_the_oldest_pending_ticket_within_capacity(served, clients) -> None:
    url, http, admin = served
    await _ok(await http.put("/settings/autoAssign", json={"value": "round_robin"}, headers=admin))
    await _ok(await http.post("/whatsapps", json={"name": "main", "isDefault": True}, headers=admin), 201)
    queue = (await _ok(await http.post("/queues", json={"name": "Sales", "color": "#123456"}, headers=admin), 201))[
        "id"
    ]
    agent = {"name": "Ana", "email": "ana@example.com", "password": PASSWORD, "role": "user", "queueIds": [queue]}
    agent["maxOpenTickets"] = 1
    agent_id = (await _ok(await http.post("/users", json=agent, headers=admin), 201))["id"]
    tickets = []
    for n in range(2):
        contact = {"name": f"customer {n}", "number": f"551190000000{n}"}
        contact_id = (await _ok(await http.post("/contacts", json=contact, headers=admin), 201))["id"]
        ticket = await _ok(await http.post("/tickets", json={"contactId": contact_id}, headers=admin), 201)
        await _ok(await http.post(f"/tickets/{ticket['id']}/transfer", json={"queueId": queue}, headers=admin))
        tickets.append(ticket["id"])
    login = await _ok(await http.post("/auth/login", json={"email": "ana@example.com", "password": PASSWORD}))

    socket = await clients(url, login["accessToken"])
    update = await socket.wait_for("ticket:updated", about_ticket(tickets[0]))
    assert (update["ticket"]["status"], update["ticket"]["userId"]) == ("open", agent_id)

    first = await _ok(await http.get(f"/tickets/{tickets[0]}", headers=admin))
    second = await _ok(await http.get(f"/tickets/{tickets[1]}", headers=admin))
    assert (first["status"], first["userId"]) == ("open", agent_id)
    assert (second["status"], second["userId"]) == ("pending", None)  # capacity 1


async def test_a_ticket_transferred_to_a_queue_goes_to_its_online_agent_at_once(served, clients) -> None:
    url, http, admin = served
    await _ok(await http.put("/settings/autoAssign", json={"value": "round_robin"}, headers=admin))
    await _ok(await http.post("/whatsapps", json={"name": "main", "isDefault": True}, headers=admin), 201)
    queue = (await _ok(await http.post("/queues", json={"name": "Sales", "color": "#123456"}, headers=admin), 201))[
        "id"
    ]
    agent = {"name": "Ana", "email": "ana@example.com", "password": PASSWORD, "role": "user", "queueIds": [queue]}
    agent_id = (await _ok(await http.post("/users", json=agent, headers=admin), 201))["id"]
    login = await _ok(await http.post("/auth/login", json={"email": "ana@example.com", "password": PASSWORD}))
    socket = await clients(url, login["accessToken"])
    contact = {"name": "customer", "number": "5511900000009"}
    contact_id = (await _ok(await http.post("/contacts", json=contact, headers=admin), 201))["id"]
    ticket = await _ok(await http.post("/tickets", json={"contactId": contact_id}, headers=admin), 201)

    moved = await _ok(await http.post(f"/tickets/{ticket['id']}/transfer", json={"queueId": queue}, headers=admin))
    assert (moved["status"], moved["queueId"]) == ("pending", queue)  # the answer: the transfer itself
    update = await socket.wait_for("ticket:updated", lambda d: (d or {}).get("ticket", {}).get("status") == "open")
    assert (update["ticket"]["id"], update["ticket"]["userId"]) == (ticket["id"], agent_id)
