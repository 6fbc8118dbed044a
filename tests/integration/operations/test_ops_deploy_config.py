"""The deployment files: ``docker compose config`` validates the compose file with an operator's ``.env``, and two
``serve`` processes configured the way ``.env.example`` says share their secrets (a token from one works on the
other)."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from ops_harness import PASSWORD, Processes, answers, base_env, free_port, until

from whaticket_adapters.sql.migrate import upgrade

ROOT = Path(__file__).parents[3]


def compose_command() -> list[str] | None:
    """``docker compose`` (v2 plugin) or ``docker-compose`` (v1): both validate without a Docker daemon."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0:
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


def example_values() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def operator_env_file(**overrides: str) -> str:
    """``.env.example`` filled in as the README says: each secret generated with secrets.token_urlsafe(48)."""
    values = example_values()
    for name in ("JWT_SECRET", "JWT_REFRESH_SECRET", "POSTGRES_PASSWORD", "METRICS_TOKEN"):
        values[name] = secrets.token_urlsafe(48)
    values.update(overrides)
    return "".join(f"{k}={v}\n" for k, v in values.items())


@pytest.mark.skipif(
    compose_command() is None and os.environ.get("CI") != "true",
    reason="no docker compose here (.ci/run installs it, where this test must run)",
)
def test_docker_compose_config_validates(tmp_path: Path) -> None:
    command = compose_command()
    assert command is not None, "docker compose is missing: .ci/run installs it"
    shutil.copy(ROOT / "docker-compose.yaml", tmp_path / "docker-compose.yaml")
    (tmp_path / ".env").write_text(operator_env_file())

    def config(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *extra, "config"], cwd=tmp_path, capture_output=True, text=True, timeout=120, env=base_env()
        )

    full = config("--profile", "dev")
    assert full.returncode == 0, full.stderr
    for service in ("postgres:", "redis:", "migrate:", "api:", "worker:", "adminer:"):
        assert service in full.stdout
    assert "APP_ENV: production" in full.stdout
    # Without the secrets compose refuses, naming the one to set.
    (tmp_path / ".env").write_text(operator_env_file(JWT_SECRET=""))
    missing = config()
    assert missing.returncode != 0
    assert "set JWT_SECRET in .env" in missing.stderr


async def test_two_servers_configured_from_the_example_share_tokens(
    empty_pg_url: str, procs: Processes, tmp_path: Path
) -> None:
    await upgrade(empty_pg_url)
    values = example_values()
    env_text = operator_env_file(DATABASE_URL=empty_pg_url, WHATSAPP_TRANSPORT="simulator", STARTUP_WAIT_SECONDS="5")
    bases = []
    for name in ("a", "b"):
        folder = tmp_path / name
        folder.mkdir()
        port = free_port()
        # Each host has its own copy of the same .env (read from the working directory), only its port differs.
        (folder / ".env").write_text(env_text.replace(f"PORT={values['PORT']}\n", f"PORT={port}\n"))
        env = base_env(HOST="127.0.0.1", DATA_DIR=str(folder / "data"))
        procs.tmp = folder
        procs.start(f"serve-{name}", ["serve"], env)
        bases.append(f"http://127.0.0.1:{port}")
    procs.tmp = tmp_path

    for name, base in zip(("a", "b"), bases, strict=True):

        async def up(name: str = name, base: str = base) -> bool:
            assert procs.alive(f"serve-{name}"), (tmp_path / name / f"serve-{name}.log").read_text()
            return await answers(base, "/health/ready") == 200

        await until(up, f"server {name}")
    async with httpx.AsyncClient(timeout=10) as client:
        account = {"name": "Ops", "email": "ops@example.com", "password": PASSWORD}
        registered = await client.post(f"{bases[0]}/api/v1/auth/register", json=account)
        assert registered.status_code == 201, registered.text
        token = registered.json()["accessToken"]
        me = await client.get(f"{bases[1]}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        assert me.json()["email"] == "ops@example.com"
        refreshed = await client.post(
            f"{bases[1]}/api/v1/auth/refresh", json={"refreshToken": registered.json()["refreshToken"]}
        )
        assert refreshed.status_code == 200, refreshed.text
