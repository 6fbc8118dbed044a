"""Log redaction, request ids, the rate limiter's Redis fallback and the outage classification (no I/O)."""

from __future__ import annotations

import logging

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from whaticket_adapters.sql.errors import SqlStoreError, SqlUnavailable, translate
from whaticket_api.observability.logs import RedactFilter
from whaticket_api.observability.metrics import token_matches
from whaticket_api.observability.request_log import request_id_from
from whaticket_api.outages import outage_of
from whaticket_api.protection import FallbackRateLimiter, MemoryRateLimiter
from whaticket_api.startup import OutageLogFilter


def redacted(message: str, *args: object, secrets: tuple[str, ...] = ()) -> str:
    record = logging.LogRecord("t", logging.INFO, __file__, 1, message, args, None)
    RedactFilter(secrets).filter(record)
    return record.getMessage()


def test_no_credential_survives_a_log_line() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    line = redacted(
        "auth %s url %s body %s key %s",
        f"Bearer {jwt}",
        "postgresql://app:hunter2-pass@db:5432/app",
        '{"password": "s3cret-pw", "refreshToken": "abc.def"}',
        "configured-secret-value",
        secrets=("configured-secret-value",),
    )
    for leaked in (jwt, "hunter2-pass", "s3cret-pw", "abc.def", "configured-secret-value"):
        assert leaked not in line
    assert "postgresql://app:[redacted]@db:5432/app" in line


def test_request_ids_are_kept_when_safe_and_made_otherwise() -> None:
    assert request_id_from([(b"x-request-id", b"abc-123_X.y:z")]) == "abc-123_X.y:z"
    for unsafe in (b"with space", b"a" * 129, b"", b"semi;colon"):
        made = request_id_from([(b"x-request-id", unsafe)])
        assert made != unsafe.decode()
        assert len(made) == 32
    assert request_id_from([]) != request_id_from([])


def test_metrics_token() -> None:
    assert token_matches(None, "")
    assert token_matches("t0ken", "Bearer t0ken")
    assert not token_matches("t0ken", "Bearer other")
    assert not token_matches("t0ken", "")


class DownRedis:
    def __init__(self) -> None:
        self.calls = 0
        self.down = True

    async def hit(self, key: str, limit: int, window_seconds: int) -> int | None:
        self.calls += 1
        if self.down:
            raise RedisConnectionError("Error 111 connecting to redis:6379. Connection refused.")
        return None


async def test_the_rate_limit_falls_back_to_this_process_and_logs_each_change_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = [0.0]
    shared = DownRedis()
    limiter = FallbackRateLimiter(shared, MemoryRateLimiter(now=lambda: clock[0]), now=lambda: clock[0])
    with caplog.at_level(logging.INFO, logger="whaticket.protection"):
        results = [await limiter.hit("login:1.2.3.4", 3, 60) for _ in range(4)]
        assert results[:3] == [None, None, None]
        assert results[3] is not None  # still limited, locally
        assert shared.calls == 1  # Redis is not retried on every request
        clock[0] += FallbackRateLimiter.RETRY_SECONDS + 1
        shared.down = False
        assert await limiter.hit("login:5.6.7.8", 3, 60) is None
        assert not limiter.degraded
    messages = [r.getMessage() for r in caplog.records]
    assert sum("Redis unavailable" in m for m in messages) == 1
    assert sum("Redis available again" in m for m in messages) == 1


def test_outages_are_told_apart_from_bugs() -> None:
    refused = OperationalError("SELECT 1", {}, ConnectionRefusedError(111, "refused"))
    assert isinstance(translate(refused), SqlUnavailable)
    assert isinstance(translate(PoolTimeout("QueuePool limit reached")), SqlUnavailable)
    assert outage_of(translate(refused)) == "database"
    assert outage_of(RedisConnectionError("down")) == "redis"
    assert outage_of(SqlStoreError("syntax error at or near")) is None
    assert outage_of(ValueError("bug")) is None


def test_outage_records_are_dropped_and_others_kept() -> None:
    gate = OutageLogFilter()
    error = RedisConnectionError("down")
    as_arg = logging.LogRecord("lease", logging.WARNING, __file__, 1, "cannot renew: %s", (error,), None)
    as_exc = logging.LogRecord(
        "saq", logging.ERROR, __file__, 1, "Upkeep task failed", None, (type(error), error, None)
    )
    plain = logging.LogRecord("x", logging.ERROR, __file__, 1, "real bug %s", (ValueError("x"),), None)
    assert not gate.filter(as_arg)
    assert not gate.filter(as_exc)
    assert gate.filter(plain)


def test_an_api_token_never_reaches_a_log_line() -> None:
    token = "wt_" + "Zx9-_aB" * 6
    line = redacted("integration %s said %s", token, {"token": token})
    assert token not in line
    assert token[3:] not in line
    assert "[redacted-api-token]" in line
