"""The README's "Try it in five minutes" walkthrough, run as written, so it cannot rot.

Its first block starts the server; it runs here as written minus the install in front of it (this environment is
installed already), with ``.venv/bin/whaticket`` being this environment's, in an empty folder on a free port. The other
blocks run as one bash script (``set -euo pipefail``, so a failing step fails the test) with ``localhost:3001``
pointed at that port. Each step's visible result is then checked in the script's output.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from realtime_support import free_port

ROOT = Path(__file__).resolve().parents[3]
SECTION = "## Try it in five minutes"
README_URL = "localhost:3001"
WHATICKET = Path(sys.executable).parent / "whaticket"
ISOLATING = ("DATABASE_URL", "REDIS_URL", "REDIS_HOST", "REDIS_PORT", "DATA_DIR", "APP_ENV", "PORT", "HOST")


def walkthrough_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    assert SECTION in text, "the README lost its walkthrough"
    section = text[text.index(SECTION) :]
    following = section.find("\n## ", len(SECTION))
    section = section if following == -1 else section[:following]
    return re.findall(r"```bash\n(.*?)```", section, re.S)


def start_command(block: str) -> str:
    """The start block without its install steps, run with this environment's ``whaticket``."""
    command = block.strip().split(" && ")[-1]
    assert "WHATSAPP_TRANSPORT=simulator" in command, command
    assert ".venv/bin/whaticket serve" in command, command
    return command.replace(".venv/bin/whaticket", str(WHATICKET))


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[int, dict[str, str]]]:
    blocks = walkthrough_blocks()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ISOLATING} | {"PORT": str(port), "HOST": "127.0.0.1"}
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        server = await asyncio.create_subprocess_exec(
            "bash",
            "-c",
            start_command(blocks[0]),
            cwd=tmp_path,
            env=env,
            stdout=sink,
            stderr=sink,
            start_new_session=True,  # its own process group, stopped as one at the end
        )
    try:
        async with httpx.AsyncClient() as http, asyncio.timeout(60):
            while True:
                assert server.returncode is None, log.read_text()
                try:
                    if (await http.get(f"http://127.0.0.1:{port}/api/v1/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        yield port, env
    finally:
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(server.pid, signal.SIGTERM)
        try:
            async with asyncio.timeout(15):
                await server.wait()
        except TimeoutError:
            os.killpg(server.pid, signal.SIGKILL)
            await server.wait()


async def test_the_readme_walkthrough_works_as_written(served: tuple[int, dict[str, str]], tmp_path: Path) -> None:
    port, env = served
    steps = "".join(walkthrough_blocks()[1:]).replace(README_URL, f"127.0.0.1:{port}")
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-euo",
        "pipefail",
        "-c",
        steps,
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    output = out.decode()
    assert process.returncode == 0, f"the walkthrough stopped:\n{output}\n{err.decode()}"

    assert "OPENING\nQRCODE\n" in output  # step 5: the session starts, then shows a QR
    assert (tmp_path / "qrcode.png").read_bytes().startswith(b"\x89PNG")
    assert '"status": "CONNECTED"' in output  # the scan linked a number
    assert '"number": "5511' in output
    assert '"status": "pending"' in output  # step 6: the customer's ticket
    assert "Hello! Which department would you like?\\n\\n*1* - Sales\\n*2* - Support" in output  # the menu
    assert "Support here, Maria. What went wrong?" in output  # step 7: the choice and its greeting
    assert '"ack": "pending"' in output  # step 8: the agent's reply, stored then delivered
    assert output.count("Sorry about that, Maria! It ships today.") == 2
    assert "open\n" in output
    assert "closed\n" in output  # step 9
    assert '"body": "Thanks for writing, Maria. Bye!"' in output
