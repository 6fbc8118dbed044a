"""Every setting is checked when read, with a one-line error naming the variable; production wants real secrets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from whaticket_api.settings import ConfigError, Settings

ROOT = Path(__file__).parents[3]
GOOD = {"APP_ENV": "production", "JWT_SECRET": "a" * 32, "JWT_REFRESH_SECRET": "b" * 32}


def read(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"DATA_DIR": str(tmp_path), **env})


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "99999", "PORT must be between 1 and 65535, not 99999"),
        ("PORT", "0", "PORT must be between 1 and 65535, not 0"),
        ("PORT", "eighty", "PORT must be a whole number, not 'eighty'"),
        ("LOG_LEVEL", "verbose", "LOG_LEVEL must be one of debug, info, warning, error, critical, not 'verbose'"),
        ("APP_ENV", "staging", "APP_ENV must be one of development, production, not 'staging'"),
        ("DB_POOL_SIZE", "0", "DB_POOL_SIZE must be between 1 and 1000, not 0"),
        ("DB_MAX_OVERFLOW", "-1", "DB_MAX_OVERFLOW must be between 0 and 1000, not -1"),
        ("STARTUP_WAIT_SECONDS", "soon", "STARTUP_WAIT_SECONDS must be a whole number, not 'soon'"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL must look like postgresql://"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must look like redis://"),
        ("REDIS_PORT", "70000", "REDIS_PORT must be between 1 and 65535, not 70000"),
    ],
)
def test_a_bad_value_is_one_line_naming_it(tmp_path: Path, name: str, value: str, message: str) -> None:
    env = {name: value, "REDIS_HOST": "cache"} if name == "REDIS_PORT" else {name: value}
    with pytest.raises(ConfigError) as raised:
        read(tmp_path, **env)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


def test_empty_values_mean_the_defaults(tmp_path: Path) -> None:
    settings = read(tmp_path, LOG_LEVEL="", PORT="", APP_ENV="", DB_POOL_SIZE="")
    assert (settings.log_level, settings.port, settings.app_env, settings.db_pool_size) == (
        "info",
        3001,
        "development",
        20,
    )


def test_new_settings_are_read(tmp_path: Path) -> None:
    settings = read(
        tmp_path,
        LOG_LEVEL="WARNING",
        FORWARDED_ALLOW_IPS="10.0.0.1,10.0.0.2",
        DB_POOL_SIZE="3",
        DB_MAX_OVERFLOW="0",
        DB_POOL_TIMEOUT="2",
        STARTUP_WAIT_SECONDS="0",
        METRICS_TOKEN="scrape-me",
    )
    assert settings.log_level == "warning"
    assert settings.forwarded_allow_ips == "10.0.0.1,10.0.0.2"
    assert (settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout) == (3, 0, 2.0)
    assert settings.startup_wait.total_seconds() == 0
    assert settings.metrics_token == "scrape-me"
    assert not settings.json_logs
    assert read(tmp_path, **GOOD).json_logs


def test_production_wants_two_different_secrets_of_32_bytes(tmp_path: Path) -> None:
    assert read(tmp_path, **GOOD).jwt_secret == "a" * 32
    with pytest.raises(ConfigError, match=r"^JWT_SECRET must be at least 32 bytes when APP_ENV=production"):
        read(tmp_path, **{**GOOD, "JWT_SECRET": "x"})
    with pytest.raises(ConfigError, match=r"^JWT_SECRET and JWT_REFRESH_SECRET must differ"):
        read(tmp_path, **{**GOOD, "JWT_REFRESH_SECRET": "a" * 32})
    with pytest.raises(ConfigError, match=r"secrets.token_urlsafe\(48\)"):
        read(tmp_path, APP_ENV="production")
    assert not (tmp_path / "secrets.env").exists()


def test_env_example_names_every_variable_the_settings_read() -> None:
    read_names = set(re.findall(r'"([A-Z][A-Z0-9_]+)"', (ROOT / "src/whaticket_api/settings.py").read_text()))
    read_names -= {"JWT_SECRET_HINT"}
    example = (ROOT / ".env.example").read_text()
    named = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", example, flags=re.MULTILINE))
    missing = sorted(n for n in read_names if n not in named and n not in ("SECRETS_FILE",))
    assert missing == []
    # Every variable has a comment line right above it (or belongs to a commented group).
    lines = example.splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z][A-Z0-9_]+=", line):
            above = lines[index - 1]
            assert above.startswith("#") or re.match(r"^[A-Z][A-Z0-9_]+=", above), line
    # No secret has a value in the example.
    for name in ("JWT_SECRET", "JWT_REFRESH_SECRET", "POSTGRES_PASSWORD", "METRICS_TOKEN", "WHATICKET_ADMIN_PASSWORD"):
        assert re.search(rf"^{name}=$", example, flags=re.MULTILINE), name
