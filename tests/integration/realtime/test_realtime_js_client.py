"""The JavaScript socket.io-client 4.x (npm) runs the snippet of ``docs/realtime.md`` against the server."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from realtime_support import LiveServer

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).parent / "js" / "contract_client.js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")


def _require_client() -> None:
    if not (ROOT / "node_modules" / "socket.io-client").is_dir():
        pytest.fail("socket.io-client is not installed: run `npm install` at the repository root")


async def _lines(proc: asyncio.subprocess.Process) -> Any:
    assert proc.stdout is not None
    async with asyncio.timeout(30):
        while line := await proc.stdout.readline():
            yield json.loads(line)


async def test_the_contract_snippet_connects_joins_and_receives_message_created(live: LiveServer) -> None:
    _require_client()
    w = live.world
    ticket_id = w.ids["ticket_a"]
    assert NODE is not None
    proc = await asyncio.create_subprocess_exec(
        NODE, str(SCRIPT), live.url, w.token("agent_a"), str(ticket_id), stdout=asyncio.subprocess.PIPE
    )
    steps = []
    async for step in _lines(proc):
        steps.append(step)
        if step["step"] == "joined":
            await w.send(ticket_id, "agent_a", "hello from python")
    assert await proc.wait() == 0, steps
    assert steps == [
        {"step": "connected", "userId": w.ids["agent_a"]},
        {"step": "joined", "answer": {"ok": True, "event": "join:ticket", "id": ticket_id}},
        {"step": "message:created", "body": "hello from python", "messageTicketId": ticket_id},
    ]


async def test_the_js_client_sees_unauthorized_as_connect_error(live: LiveServer) -> None:
    _require_client()
    assert NODE is not None
    proc = await asyncio.create_subprocess_exec(
        NODE, str(SCRIPT), live.url, "bad-token", "1", stdout=asyncio.subprocess.PIPE
    )
    steps = [step async for step in _lines(proc)]
    assert await proc.wait() == 1
    assert steps == [{"step": "connect_error", "message": "unauthorized"}]
