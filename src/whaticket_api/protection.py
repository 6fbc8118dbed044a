"""Protection around every request: security headers (404s included) and the auth endpoints' rate limit."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from dishka import AsyncContainer
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.handlers import BaseRouteHandler
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from .settings import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger("whaticket.protection")

# The API serves JSON and media only: nothing may be framed, scripted or fetched by its answers.
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# The documentation pages: every script, style and font is served by this process (no CDN, no inline script).
# Inline styles stay allowed: Swagger UI and ReDoc set style attributes and ReDoc injects <style> elements; ReDoc's
# search runs in a blob: worker.
DOCS_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; "
    "base-uri 'self'; form-action 'self'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-site",
}


def _encoded(csp: str, *, hsts: bool) -> list[tuple[bytes, bytes]]:
    values = {**SECURITY_HEADERS, "Content-Security-Policy": csp}
    if hsts:
        values["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in values.items()]


def with_security_headers(app: ASGIApp, *, hsts: bool = False) -> ASGIApp:
    """Wrap the whole ASGI app (not a route middleware, which would skip unmatched routes) so every HTTP answer
    carries the headers (replacing any of the same name)."""
    # Encoded once: setting them one by one through MutableScopeHeaders scanned the header list for each, ~0.2 ms
    # of every request.
    api_headers, docs_headers = _encoded(API_CSP, hsts=hsts), _encoded(DOCS_CSP, hsts=hsts)
    ours = frozenset(name for name, _ in api_headers)

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        added = docs_headers if scope["path"].startswith("/docs") else api_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers") or () if bytes(h[0]).lower() not in ours]
                message["headers"] = kept + added
            await send(message)

        await app(scope, receive, send_with_headers)

    return wrapped


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: int) -> int | None:
        """Count one request; None when allowed, else the seconds until the window resets."""
        ...


class MemoryRateLimiter:
    """Fixed windows in this process (the embedded default)."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._counts: dict[str, tuple[float, int]] = {}
        self._now = now

    async def hit(self, key: str, limit: int, window_seconds: int) -> int | None:
        now = self._now()
        start, count = self._counts.get(key, (now, 0))
        if now - start >= window_seconds:
            start, count = now, 0
        count += 1
        self._counts[key] = (start, count)
        if len(self._counts) > 100_000:  # forget finished windows so the map cannot grow without bound
            self._counts = {k: v for k, v in self._counts.items() if now - v[0] < window_seconds}
        if count > limit:
            return max(1, math.ceil(window_seconds - (now - start)))
        return None


class RedisRateLimiter:
    """Fixed windows shared by every API process (INCR + EXPIRE)."""

    def __init__(self, redis: Redis, prefix: str = "whaticket:rl:") -> None:
        self._redis = redis
        self._prefix = prefix

    async def hit(self, key: str, limit: int, window_seconds: int) -> int | None:
        name = self._prefix + key
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds, nx=True)
            pipe.ttl(name)
            count, _, ttl = await pipe.execute()
        if int(count) > limit:
            return max(1, int(ttl))
        return None


class FallbackRateLimiter:
    """The shared Redis limiter, falling back to this process's own windows while Redis is unreachable, so login
    keeps working (and keeps being limited) through a Redis outage. Each change of state is logged once."""

    # While degraded, Redis is tried again this often (not on every request: each try waits for a refused connection).
    RETRY_SECONDS = 5.0

    def __init__(
        self, shared: RateLimiter, local: RateLimiter | None = None, now: Callable[[], float] = time.monotonic
    ) -> None:
        self._shared = shared
        self._local = local or MemoryRateLimiter()
        self._degraded = False
        self._retry_at = 0.0
        self._now = now

    @property
    def degraded(self) -> bool:
        return self._degraded

    async def hit(self, key: str, limit: int, window_seconds: int) -> int | None:
        from .outages import is_redis_outage

        if self._degraded and self._now() < self._retry_at:
            return await self._local.hit(key, limit, window_seconds)
        try:
            result = await self._shared.hit(key, limit, window_seconds)
        except Exception as error:
            if not is_redis_outage(error):
                raise
            self._retry_at = self._now() + self.RETRY_SECONDS
            if not self._degraded:
                self._degraded = True
                reason = " ".join(str(error).split())[:200]
                log.warning("rate limit: Redis unavailable (%s); counting in this process until it returns", reason)
            return await self._local.hit(key, limit, window_seconds)
        if self._degraded:
            self._degraded = False
            log.info("rate limit: Redis available again; counting in Redis")
        return result


async def auth_rate_limit(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Guard for login, register and refresh: ``AUTH_RATE_LIMIT_PER_MINUTE`` per client address and route.

    The address is the socket peer. ``X-Forwarded-For`` is believed only from the proxies named in
    ``FORWARDED_ALLOW_IPS`` (none by default): trusted from anyone, it would let each request pick its own key."""
    container: AsyncContainer = connection.app.state.dishka_container
    limiter = await container.get(RateLimiter)
    limit = (await container.get(Settings)).auth_rate_limit_per_minute
    client = connection.client.host if connection.client else "unknown"
    retry_after = await limiter.hit(f"{handler.name or connection.url.path}:{client}", limit, 60)
    if retry_after is not None:
        raise TooManyRequestsException(headers={"Retry-After": str(retry_after)})


async def login_account_limit(connection: ASGIConnection[Any, Any, Any, Any], email: str) -> None:
    """``LOGIN_ACCOUNT_ATTEMPTS`` login attempts per account and ``LOGIN_ACCOUNT_WINDOW_SECONDS``, from any address:
    an attacker rotating addresses (or proxies) still gets only that many guesses at one password. The key is a
    digest of the normalised email, so the store never holds addresses of accounts."""
    container: AsyncContainer = connection.app.state.dishka_container
    limiter = await container.get(RateLimiter)
    settings = await container.get(Settings)
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    retry_after = await limiter.hit(
        f"login-account:{digest}", settings.login_account_attempts, settings.login_account_window_seconds
    )
    if retry_after is not None:
        raise TooManyRequestsException(headers={"Retry-After": str(retry_after)})
