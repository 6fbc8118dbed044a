"""Configuration from the environment, and the Redis-backed rate limiter and idempotency store."""

from __future__ import annotations

import stat
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis
from redis_databases import SHARED, redis_url

from whaticket_api.idempotency import IdempotencyKeyInUse, IdempotencyKeyReused, RedisIdempotencyStore, Stored, begin
from whaticket_api.protection import RedisRateLimiter
from whaticket_api.settings import ConfigError, Settings


def test_production_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="JWT_SECRET and JWT_REFRESH_SECRET must be set"):
        Settings.from_env({"APP_ENV": "production", "DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError, match="JWT_REFRESH_SECRET must be set"):
        Settings.from_env({"APP_ENV": "production", "JWT_SECRET": "x" * 40, "DATA_DIR": str(tmp_path)})
    assert not (tmp_path / "secrets.env").exists()


def test_development_generates_secrets_once_and_keeps_them_private(tmp_path: Path) -> None:
    first = Settings.from_env({"DATA_DIR": str(tmp_path)})
    second = Settings.from_env({"DATA_DIR": str(tmp_path)})
    assert first.jwt_secret == second.jwt_secret
    assert len(first.jwt_secret) >= 40
    assert first.jwt_secret != first.jwt_refresh_secret
    assert stat.S_IMODE((tmp_path / "secrets.env").stat().st_mode) == 0o600
    explicit = Settings.from_env({"DATA_DIR": str(tmp_path), "JWT_SECRET": "s" * 40, "JWT_REFRESH_SECRET": "r" * 40})
    assert (explicit.jwt_secret, explicit.jwt_refresh_secret) == ("s" * 40, "r" * 40)


def test_defaults_and_overrides(tmp_path: Path) -> None:
    defaults = Settings.from_env({"DATA_DIR": str(tmp_path)})
    assert (defaults.port, defaults.auth_rate_limit_per_minute, defaults.app_env) == (3001, 10, "development")
    assert defaults.embedded
    assert defaults.redis_url is None
    assert defaults.whatsapp_transport == "neonize"
    seed = Settings.from_env({"DATA_DIR": str(tmp_path), "REDIS_HOST": "cache", "REDIS_PORT": "6380", "PORT": "8080"})
    assert (seed.redis_url, seed.port) == ("redis://cache:6380/0", 8080)
    with pytest.raises(ConfigError, match="PORT"):
        Settings.from_env({"DATA_DIR": str(tmp_path), "PORT": "eighty"})
    with pytest.raises(ConfigError, match="WHATSAPP_TRANSPORT"):
        Settings.from_env({"DATA_DIR": str(tmp_path), "WHATSAPP_TRANSPORT": "carrier-pigeon"})


@pytest.fixture
async def redis() -> AsyncIterator[tuple[Any, str]]:
    client = Redis.from_url(redis_url(SHARED))
    prefix = f"whaticket-test-{uuid.uuid4().hex[:10]}:"
    yield client, prefix
    keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


async def test_redis_rate_limiter_counts_a_window(redis: tuple[Any, str]) -> None:
    client, prefix = redis
    limiter = RedisRateLimiter(client, prefix=prefix)
    results = [await limiter.hit("login:10.0.0.1", 3, 60) for _ in range(4)]
    assert results[:3] == [None, None, None]
    assert results[3] is not None
    assert 1 <= results[3] <= 60
    assert await limiter.hit("login:10.0.0.2", 3, 60) is None  # another client has its own window
    # Another process sharing Redis sees the same count.
    assert await RedisRateLimiter(client, prefix=prefix).hit("login:10.0.0.1", 3, 60) is not None


async def test_redis_idempotency_store(redis: tuple[Any, str]) -> None:
    client, prefix = redis
    store = RedisIdempotencyStore(client, prefix=prefix)
    assert await begin(store, "u1:k", "fp") is None
    with pytest.raises(IdempotencyKeyInUse):
        await begin(store, "u1:k", "fp")
    await store.put("u1:k", Stored("fp", 201, b'{"id":1}'), 60)
    replay = await begin(store, "u1:k", "fp")
    assert replay is not None
    assert (replay.status, replay.body) == (201, b'{"id":1}')
    with pytest.raises(IdempotencyKeyReused):
        await begin(store, "u1:k", "other")
    await store.release("u1:k")
    assert await begin(store, "u1:k", "other") is None
