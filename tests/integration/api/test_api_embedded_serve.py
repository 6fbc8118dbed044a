"""The embedded default: ``whaticket serve`` with nothing configured starts on SQLite in an empty DATA_DIR (migrated
on start, secrets generated and kept 0600) and serves registration and login."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from served_process import free_port, serving


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path / "data"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "JWT_", "APP_ENV"))}
    env.update({"DATA_DIR": str(data_dir), "PORT": str(port), "WHATSAPP_TRANSPORT": "neonize", "LOG_LEVEL": "warning"})
    env.update({"AUTH_RATE_LIMIT_PER_MINUTE": "5"})
    env.pop("FORWARDED_ALLOW_IPS", None)
    with serving(tmp_path, env, tmp_path / "server.log") as base:
        yield base, data_dir


def test_serve_starts_on_sqlite_from_an_empty_data_dir_and_serves_login(server: tuple[str, Path]) -> None:
    base, data_dir = server
    api = f"{base}/api/v1"
    account = {"name": "Owner", "email": "owner@example.com", "password": "correct-horse-battery"}
    registered = httpx.post(f"{api}/auth/register", json=account)
    assert registered.status_code == 201, registered.text
    assert registered.json()["user"]["role"] == "admin"
    login = httpx.post(f"{api}/auth/login", json={"email": account["email"], "password": account["password"]})
    assert login.status_code == 200, login.text
    me = httpx.get(f"{api}/auth/me", headers={"Authorization": f"Bearer {login.json()['accessToken']}"})
    assert me.json()["email"] == "owner@example.com"
    # The served app sets the security headers once per answer, around Litestar and Socket.IO alike.
    assert me.headers.get_list("x-content-type-options") == ["nosniff"]
    assert len(me.headers.get_list("content-security-policy")) == 1
    assert httpx.get(f"{api}/health/ready").json()["checks"] == {"database": "ok", "schema": "ok"}
    assert (data_dir / "whaticket.db").exists()
    secrets = data_dir / "secrets.env"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert httpx.get(f"{base}/docs/openapi.json").status_code == 200
    # Socket.IO answers on the same port.
    handshake = httpx.get(f"{base}/socket.io/", params={"EIO": "4", "transport": "polling"})
    assert handshake.status_code == 200
    assert handshake.text.startswith("0")
    assert handshake.headers["x-content-type-options"] == "nosniff"


def test_the_database_files_are_private(server: tuple[str, Path]) -> None:
    """Finding 13: the embedded database was world-readable (password hashes, messages)."""
    base, data_dir = server
    assert httpx.post(f"{base}/api/v1/auth/login", json={"email": "a@example.com", "password": "x"}).status_code == 401
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    files = [p for p in data_dir.iterdir() if p.name.startswith("whaticket.db")]
    assert files
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {p.name: 0o600 for p in files}


def test_a_new_x_forwarded_for_per_request_does_not_escape_the_login_limit(server: tuple[str, Path]) -> None:
    """Finding 9: X-Forwarded-For was trusted from 127.0.0.1 by default, so each request picked its own key."""
    base, _ = server
    answers = [
        httpx.post(
            f"{base}/api/v1/auth/login",
            json={"email": f"victim{n}@example.com", "password": "guess"},
            headers={"X-Forwarded-For": f"203.0.113.{n}"},
        ).status_code
        for n in range(1, 8)
    ]
    assert answers[:5] == [401] * 5
    assert answers[5:] == [429, 429]
