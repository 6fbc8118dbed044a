"""WebSocket per-message deflate on the Socket.IO endpoint: not offered by default (small JSON events, CPU and memory
per socket), offered with WS_PER_MESSAGE_DEFLATE=true. Checked on a real ``whaticket serve`` with a client that asks
for it, as browsers do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from served_process import free_port, serving
from websockets.asyncio.client import connect
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory


@pytest.mark.parametrize(("setting", "negotiated"), [(None, False), ("true", True), ("false", False)])
async def test_deflate_is_negotiated_only_when_configured(
    tmp_path: Path, setting: str | None, negotiated: bool
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "JWT_", "APP_ENV", "WS_"))}
    env.update({"DATA_DIR": str(tmp_path / "data"), "PORT": str(free_port()), "LOG_LEVEL": "warning"})
    if setting is not None:
        env["WS_PER_MESSAGE_DEFLATE"] = setting
    with serving(tmp_path, env, tmp_path / "server.log") as base:
        url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
        async with connect(url, extensions=[ClientPerMessageDeflateFactory()]) as ws:
            offered = ws.response.headers.get("Sec-WebSocket-Extensions", "")
            assert ("permessage-deflate" in offered) is negotiated, offered
            assert (await ws.recv()).startswith("0{")  # the Engine.IO open packet: the endpoint answered
