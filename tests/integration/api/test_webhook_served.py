"""The whole path in a real ``whaticket serve`` (embedded: SQLite, in-process jobs): a change over HTTP reaches a
webhook receiver with no other help (the commit starts a dispatch job); an API token used there stays out of the
server's log."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import httpx
from served_process import free_port, serving
from webhook_receiver import receiving

from whaticket_core.domain.webhooks import signature

PASSWORD = "correct-horse-battery"


async def test_an_agent_started_ticket_reaches_the_receiver(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "JWT_", "APP_ENV"))}
    env.update(
        {
            "DATA_DIR": str(tmp_path / "data"),
            "PORT": str(port),
            "WHATSAPP_TRANSPORT": "simulator",
            "LOG_LEVEL": "info",
            "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        }
    )
    async with receiving() as receiver:
        with serving(tmp_path, env, tmp_path / "server.log") as base:
            async with httpx.AsyncClient(base_url=f"{base}/api/v1") as api:
                account = {"name": "Owner", "email": "owner@example.com", "password": PASSWORD}
                registered = (await api.post("/auth/register", json=account)).json()
                headers = {"Authorization": f"Bearer {registered['accessToken']}"}
                hook = await api.post("/webhooks", json={"url": receiver.url, "events": ["*"]}, headers=headers)
                assert hook.status_code == 201, hook.text
                await api.post("/whatsapps", json={"name": "Main"}, headers=headers)
                contact = (
                    await api.post("/contacts", json={"name": "Ana", "number": "5511988887777"}, headers=headers)
                ).json()
                ticket = (await api.post("/tickets", json={"contactId": contact["id"]}, headers=headers)).json()
                async with asyncio.timeout(30):
                    (got, *_) = await receiver.until(1)
                # An API token at work, in a header and (wrongly) in a query string: neither reaches the log.
                issued = await api.post(
                    "/api-tokens", json={"name": "CRM", "scopes": ["tickets:read"]}, headers=headers
                )
                token = issued.json()["token"]
                listed = await api.get("/tickets", headers={"Authorization": f"Bearer {token}"})
                assert listed.status_code == 200
                await api.get(f"/tickets?token={token}", headers={"Authorization": f"Bearer {token}"})
    log = (tmp_path / "server.log").read_text()
    assert f"api_token_id={issued.json()['id']}" in log  # the token's requests are attributed to it...
    assert token not in log  # ...but the token itself is never written
    assert token[3:20] not in log
    assert got.json["event"] == "ticket.created"
    assert got.json["data"]["ticket"]["id"] == ticket["id"]
    assert got.json["actor"] == {"type": "user", "id": registered["user"]["id"]}
    t = got.headers["Whaticket-Signature"].split(",")[0].removeprefix("t=")
    assert got.headers["Whaticket-Signature"] == signature(hook.json()["secret"], int(t), got.body)
