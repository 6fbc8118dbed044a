"""How many processes `whaticket serve` runs: --workers, else WEB_CONCURRENCY, else one (polling Socket.IO clients
need their session's process); more than one only where every process can share the work (PostgreSQL, and Redis for
the sockets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from whaticket_api import serve
from whaticket_api.settings import ConfigError, Settings

PG = "postgresql://whaticket@db:5432/whaticket"
REDIS = "redis://cache:6379/0"


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"DATA_DIR": str(tmp_path), **env})


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"DATABASE_URL": PG},
        {"REDIS_URL": REDIS},
        {"DATABASE_URL": "sqlite:///x.db"},
        {"DATABASE_URL": PG, "REDIS_URL": REDIS},
    ],
)
def test_one_process_unless_asked(tmp_path: Path, env: dict[str, str]) -> None:
    assert serve.worker_count(settings(tmp_path, **env)) == 1


def test_the_flag_beats_the_variable(tmp_path: Path) -> None:
    configured = settings(tmp_path, DATABASE_URL=PG, REDIS_URL=REDIS, WEB_CONCURRENCY="4")
    assert serve.worker_count(configured) == 4
    assert serve.worker_count(configured, 2) == 2


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({}, "needs DATABASE_URL on PostgreSQL and REDIS_URL"),
        ({"REDIS_URL": REDIS}, "needs DATABASE_URL on PostgreSQL and REDIS_URL"),
        ({"DATABASE_URL": PG}, "needs REDIS_URL: Socket.IO events reach the sockets of the other processes"),
    ],
)
def test_more_than_one_is_refused_where_processes_cannot_share(
    tmp_path: Path, env: dict[str, str], reason: str
) -> None:
    with pytest.raises(ConfigError, match=reason):
        serve.worker_count(settings(tmp_path, WEB_CONCURRENCY="2", **env))


@pytest.mark.parametrize("value", ["0", "65", "many"])
def test_web_concurrency_is_checked_when_read(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="WEB_CONCURRENCY must be"):
        settings(tmp_path, WEB_CONCURRENCY=value)
