"""The served application (``whaticket_api.server.build_server``: HTTP API + Socket.IO on one port, SQLite embedded
mode) driven by real HTTP calls, with python-socketio and node socket.io-client sockets watching."""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from realtime_support import about_ticket, serve

from whaticket_api.serve import prepare
from whaticket_api.server import build_server
from whaticket_api.settings import Settings

PASSWORD = "correct-horse-battery"
ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).parent / "js" / "contract_client.js"


@dataclass
class Served:
    url: str
    http: httpx.AsyncClient
    admin_token: str

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, token: str, body: Any = None, status: int = 200) -> Any:
        response = await self.http.request(method, f"/api/v1{path}", json=body, headers=self.auth(token))
        assert response.status_code == status, response.text
        return response.json() if response.content else None


@pytest.fixture(scope="module")
async def served() -> AsyncIterator[Served]:
    data_dir = Path(tempfile.mkdtemp(prefix="whaticket-realtime-"))
    settings = Settings(
        jwt_secret=secrets.token_urlsafe(32),
        jwt_refresh_secret=secrets.token_urlsafe(32),
        data_dir=data_dir,
        auth_rate_limit_per_minute=10_000,
    )
    await asyncio.to_thread(prepare, settings)
    server, task, url = await serve(build_server(settings))
    try:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            response = await http.post(
                "/api/v1/auth/register", json={"name": "Admin", "email": "admin@example.com", "password": PASSWORD}
            )
            assert response.status_code == 201, response.text
            yield Served(url, http, response.json()["accessToken"])
    finally:
        server.should_exit = True
        await task
        shutil.rmtree(data_dir, ignore_errors=True)


@dataclass
class Team:
    """Per test: two queues, an agent in each, the default connection and a ticket in each queue."""

    queue_a: int
    queue_b: int
    agent_a: str
    agent_b: str
    agent_a_id: int
    ticket_a: int
    ticket_b: int


async def _team(s: Served) -> Team:
    tag = secrets.token_hex(4)
    admin = s.admin_token
    wa = await s.call("GET", "/whatsapps", admin)
    if not wa["items"]:
        await s.call("POST", "/whatsapps", admin, {"name": "main", "isDefault": True}, status=201)
    queues = []
    for name in ("a", "b"):
        color = "#" + secrets.token_hex(3).upper()
        queues.append((await s.call("POST", "/queues", admin, {"name": f"{name}-{tag}", "color": color}, 201))["id"])
    tokens, ids = [], []
    for name, queue in zip(("a", "b"), queues, strict=True):
        email = f"agent-{name}-{tag}@example.com"
        user = {"name": f"agent {name}", "email": email, "password": PASSWORD, "role": "user", "queueIds": [queue]}
        ids.append((await s.call("POST", "/users", admin, user, 201))["id"])
        login = await s.http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        tokens.append(login.json()["accessToken"])
    tickets = []
    for queue in queues:
        number = "55119" + str(secrets.randbelow(10**8)).zfill(8)
        contact = await s.call("POST", "/contacts", admin, {"name": f"customer {tag}", "number": number}, 201)
        ticket = await s.call("POST", "/tickets", admin, {"contactId": contact["id"], "queueId": queue}, 201)
        # to the queue without a user: pending, unassigned, visible to the queue's agents
        await s.call("POST", f"/tickets/{ticket['id']}/transfer", admin, {"queueId": queue})
        tickets.append(ticket["id"])
    return Team(queues[0], queues[1], tokens[0], tokens[1], ids[0], tickets[0], tickets[1])


async def test_http_actions_reach_the_right_sockets(served: Served, clients) -> None:
    s = served
    team = await _team(s)
    admin = await clients(s.url, s.admin_token)
    agent_a = await clients(s.url, team.agent_a)
    agent_b = await clients(s.url, team.agent_b)

    await s.call("POST", f"/tickets/{team.ticket_a}/accept", team.agent_a)
    await s.call("POST", "/messages", team.agent_a, {"ticketId": team.ticket_a, "body": "hello"}, 201)
    await s.call("POST", f"/tickets/{team.ticket_a}/close", team.agent_a)
    await s.call("POST", f"/tickets/{team.ticket_b}/accept", team.agent_b)  # a barrier for agent_b

    for rec in (admin, agent_a):
        closed = await rec.wait_for("ticket:closed", about_ticket(team.ticket_a))
        assert closed["ticket"]["status"] == "closed"
        created = rec.received("message:created", about_ticket(team.ticket_a))
        assert [c["message"]["body"] for c in created] == ["hello"]
        statuses = [u["ticket"]["status"] for u in rec.received("ticket:updated", about_ticket(team.ticket_a))]
        assert statuses[0] == "open"
        assert statuses[-1] == "closed"
    await agent_b.wait_for("ticket:updated", about_ticket(team.ticket_b))
    assert [e for e, d in agent_b.events if about_ticket(team.ticket_a)(d)] == []

    answer = await agent_a.call("join:queue", team.queue_b)
    assert answer == {"code": "forbidden", "event": "join:queue", "id": team.queue_b}
    assert (await agent_a.call("join:ticket", team.ticket_b))["code"] == "forbidden"


async def test_a_transfer_reaches_the_old_queue_once_then_only_the_new_one(served: Served, clients) -> None:
    s = served
    team = await _team(s)
    agent_a = await clients(s.url, team.agent_a)
    agent_b = await clients(s.url, team.agent_b)
    await s.call("POST", f"/tickets/{team.ticket_a}/transfer", s.admin_token, {"queueId": team.queue_b})
    await s.call("POST", "/messages", s.admin_token, {"ticketId": team.ticket_a, "body": "for queue b"}, 201)
    await s.call("POST", f"/tickets/{team.ticket_b}/accept", team.agent_b)  # barrier for agent_b...
    await s.call("PUT", f"/tickets/{team.ticket_b}", s.admin_token, {"queueId": team.queue_a})  # ...and agent_a

    moved = await agent_a.wait_for("ticket:updated", about_ticket(team.ticket_a))
    assert moved["ticket"]["queueId"] == team.queue_b
    await agent_a.wait_for("ticket:updated", about_ticket(team.ticket_b))
    assert len(agent_a.received("ticket:updated", about_ticket(team.ticket_a))) == 1
    assert agent_a.received("message:created", about_ticket(team.ticket_a)) == []
    created = await agent_b.wait_for("message:created", about_ticket(team.ticket_a))
    assert created["message"]["body"] == "for queue b"


async def test_logout_all_disconnects_live_sockets(served: Served, clients) -> None:
    s = served
    team = await _team(s)
    agent_a = await clients(s.url, team.agent_a)
    agent_b = await clients(s.url, team.agent_b)
    await s.call("POST", "/auth/logout-all", team.agent_a, status=204)
    async with asyncio.timeout(10):
        await agent_a.disconnected.wait()
    assert agent_b.client.connected
    refused = await clients(s.url, team.agent_a, expect_refusal=True)
    assert refused.connect_errors == [{"message": "unauthorized"}]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
async def test_the_js_contract_snippet_receives_message_created_after_post_messages(served: Served) -> None:
    if not (ROOT / "node_modules" / "socket.io-client").is_dir():
        pytest.fail("socket.io-client is not installed: run `npm install` at the repository root")
    s = served
    team = await _team(s)
    node = shutil.which("node")
    assert node is not None
    proc = await asyncio.create_subprocess_exec(
        node, str(SCRIPT), s.url, team.agent_a, str(team.ticket_a), stdout=asyncio.subprocess.PIPE
    )
    assert proc.stdout is not None
    steps = []
    async with asyncio.timeout(30):
        while line := await proc.stdout.readline():
            step = json.loads(line)
            steps.append(step)
            if step["step"] == "joined":
                await s.call("POST", "/messages", team.agent_a, {"ticketId": team.ticket_a, "body": "from http"}, 201)
    assert await proc.wait() == 0, steps
    assert steps == [
        {"step": "connected", "userId": team.agent_a_id},
        {"step": "joined", "answer": {"ok": True, "event": "join:ticket", "id": team.ticket_a}},
        {"step": "message:created", "body": "from http", "messageTicketId": team.ticket_a},
    ]


async def test_a_demoted_admin_stops_receiving_other_queues_events_at_once(served: Served, clients) -> None:
    """Finding 3: a role change regrouped a socket only when the client next sent ``join:*``."""
    s = served
    team = await _team(s)
    email = f"second-admin-{secrets.token_hex(4)}@example.com"
    body = {"name": "Second", "email": email, "password": PASSWORD, "role": "admin"}
    second = await s.call("POST", "/users", s.admin_token, body, 201)
    login = await s.http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    watcher = await clients(s.url, login.json()["accessToken"])
    assert (await watcher.call("join:ticket", team.ticket_b))["ok"] is True  # staff may join any ticket room

    await s.call("PUT", f"/users/{second['id']}", s.admin_token, {"role": "user", "queueIds": [team.queue_a]})
    seen_before = len(watcher.events)
    await s.call("POST", "/messages", s.admin_token, {"ticketId": team.ticket_b, "body": "secret of b"}, 201)
    await s.call("POST", "/messages", s.admin_token, {"ticketId": team.ticket_a, "body": "for a"}, 201)

    await watcher.wait_for("message:created", about_ticket(team.ticket_a))
    later = watcher.events[seen_before:]
    assert [e for e, d in later if about_ticket(team.ticket_b)(d)] == []
    assert watcher.client.connected  # regrouped, not dropped: the token is still good


async def test_an_agent_moved_to_another_queue_is_regrouped_at_once(served: Served, clients) -> None:
    s = served
    team = await _team(s)
    agent_a = await clients(s.url, team.agent_a)
    await s.call("PUT", f"/users/{team.agent_a_id}", s.admin_token, {"queueIds": [team.queue_b]})
    seen_before = len(agent_a.events)
    await s.call("POST", "/messages", s.admin_token, {"ticketId": team.ticket_a, "body": "not yours now"}, 201)
    await s.call("POST", "/messages", s.admin_token, {"ticketId": team.ticket_b, "body": "yours now"}, 201)

    created = await agent_a.wait_for("message:created", about_ticket(team.ticket_b))
    assert created["message"]["body"] == "yours now"
    assert [e for e, d in agent_a.events[seen_before:] if about_ticket(team.ticket_a)(d)] == []


async def test_a_deleted_users_sockets_are_dropped(served: Served, clients) -> None:
    s = served
    team = await _team(s)
    agent_a = await clients(s.url, team.agent_a)
    await s.call("DELETE", f"/users/{team.agent_a_id}", s.admin_token, status=204)
    async with asyncio.timeout(10):
        await agent_a.disconnected.wait()


async def test_a_note_mention_reaches_only_the_mentioned_agent(served: Served, clients) -> None:
    s = served
    team = await _team(s)
    agent_a = await clients(s.url, team.agent_a)
    agent_b = await clients(s.url, team.agent_b)
    # agent b is named too, but may not see the ticket: no mention reaches them.
    note = await s.call("POST", f"/tickets/{team.ticket_a}/notes", s.admin_token, {"body": "@agent a @agent b"}, 201)
    await s.call("POST", f"/tickets/{team.ticket_b}/accept", team.agent_b)  # a barrier for agent_b

    mention = await agent_a.wait_for("note:mention")
    assert mention == {"ticketId": team.ticket_a, "messageId": note["id"]}
    created = await agent_a.wait_for("message:created", about_ticket(team.ticket_a))
    assert created["message"]["mediaType"] == "note"
    await agent_b.wait_for("ticket:updated", about_ticket(team.ticket_b))
    assert agent_b.received("note:mention") == []


async def test_a_scheduled_message_goes_out_on_the_embedded_timer(served: Served, clients) -> None:
    s = served
    team = await _team(s)
    agent_a = await clients(s.url, team.agent_a)
    await s.call("POST", f"/tickets/{team.ticket_a}/accept", team.agent_a)
    send_at = datetime.now(UTC) + timedelta(seconds=1)
    body = {"ticketId": team.ticket_a, "body": "later", "sendAt": send_at.isoformat()}
    scheduled = await s.call("POST", "/messages", team.agent_a, body, 201)
    assert scheduled["ack"] == "scheduled"

    def released(data: Any) -> bool:
        return data["message"]["id"] == scheduled["id"] and data["message"]["ack"] != "scheduled"

    update = await agent_a.wait_for("message:updated", released)
    assert datetime.now(UTC) >= send_at
    assert update["message"]["body"] == "later"
