"""Fixtures of the client-facing suite: a real ``whaticket serve`` process (embedded SQLite, simulator mode) that
browsers and generated clients talk to over the network, and the folder where artifacts (screenshots, generated
clients) are kept for a person to look at after the run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from served_app import ServedApp

STARTUP_LIMIT = 60.0  # seconds before the start counts as failed (bounds a hang; not a timing assertion)
ARTIFACTS = Path(__file__).parents[3] / "test-artifacts"  # ignored by git


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _whaticket() -> list[str]:
    script = Path(sys.executable).with_name("whaticket")
    return [str(script)] if script.exists() else [sys.executable, "-m", "whaticket_api.cli"]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    home = tmp_path_factory.mktemp("served")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "JWT_", "APP_ENV"))}
    env.update(
        {
            "DATA_DIR": str(home / "data"),
            "PORT": str(port),
            "WHATSAPP_TRANSPORT": "simulator",
            "AUTH_RATE_LIMIT_PER_MINUTE": "1000",
            "LOG_LEVEL": "info",  # the CORS state at start is an info line the tests read
        }
    )
    log_path = home / "server.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [*_whaticket(), "serve", "--host", "127.0.0.1"], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        while True:
            if process.poll() is not None:
                raise AssertionError(f"server exited: {log_path.read_text()}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"server did not answer: {log_path.read_text()}")
            time.sleep(0.2)
        yield ServedApp(url, log_path)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
