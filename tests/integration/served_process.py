"""A real ``whaticket serve`` process for tests that talk to it over the network, as a client would."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

STARTUP_LIMIT = 60.0  # seconds before the start counts as failed (bounds a hang; not a timing assertion)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def whaticket_command() -> list[str]:
    script = Path(sys.executable).with_name("whaticket")
    return [str(script)] if script.exists() else [sys.executable, "-m", "whaticket_api.cli"]


@contextmanager
def serving(home: Path, env: dict[str, str], log_path: Path) -> Iterator[str]:
    """Runs ``whaticket serve`` in ``home`` with ``env`` (which names the ``PORT``), its output in ``log_path``;
    yields its base URL once ``/health`` answers, and stops it with SIGINT on exit."""
    log = log_path.open("w")
    process = subprocess.Popen(
        [*whaticket_command(), "serve", "--host", "127.0.0.1"], cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{env['PORT']}"
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
        yield url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
