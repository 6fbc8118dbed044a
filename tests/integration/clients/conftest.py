"""Fixtures of the client-facing suite: a real ``whaticket serve`` process (embedded SQLite, simulator mode) that
browsers and generated clients talk to over the network, and the folder where artifacts (screenshots, generated
clients) are kept for a person to look at after the run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from served_app import ServedApp
from served_process import free_port, serving

ARTIFACTS = Path(__file__).parents[3] / "test-artifacts"  # ignored by git


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApp]:
    home = tmp_path_factory.mktemp("served")
    port = free_port()
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
    with serving(home, env, log_path) as url:
        yield ServedApp(url, log_path)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
