"""The dishka container: APP scope for settings, engines, clients and adapters; REQUEST scope for the unit of work,
the use cases and the caller's identity."""

from __future__ import annotations

import inspect
import pkgutil
from collections.abc import AsyncIterator
from importlib import import_module
from typing import Any

from dishka import Provider, Scope, provide
from litestar import Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from whaticket_adapters.clock import SystemClock
from whaticket_adapters.media.local import LocalMediaStore
from whaticket_adapters.security import Argon2PasswordHasher, JwtTokenCodec
from whaticket_adapters.sql.database import (
    SqlAuthUserQueries,
    SqlMessageQueries,
    SqlTicketQueries,
    SqlUnitOfWork,
    create_engine,
    create_session_factory,
    database_url_from_env,
)
from whaticket_core import use_cases
from whaticket_core.domain.auth import AuthPolicy
from whaticket_core.domain.errors import Unauthorized
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports import (
    AuthUserQueries,
    Clock,
    MediaStore,
    MessageQueries,
    PasswordHasher,
    TicketCounter,
    TicketQueries,
    TokenCodec,
    UnitOfWork,
)
from whaticket_core.use_cases.auth.authenticate import Authenticate, AuthenticateCommand, Authenticated

from .idempotency import IdempotencyStore, MemoryIdempotencyStore, RedisIdempotencyStore
from .observability.logs import note_user
from .settings import Settings


class MissingToken(Unauthorized):
    code = "unauthorized"


class RedisHandle:
    """The shared Redis client, or None in the embedded default (no REDIS_URL)."""

    def __init__(self, client: Any | None) -> None:
        self.client = client


def use_case_classes() -> list[type]:
    """Every use case of the core: a class defined in ``whaticket_core.use_cases`` with an ``execute`` method."""
    found: dict[str, type] = {}
    for module_info in pkgutil.walk_packages(use_cases.__path__, prefix=f"{use_cases.__name__}."):
        module = import_module(module_info.name)
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and obj.__module__ == module.__name__
                and not name.startswith("_")
                and inspect.iscoroutinefunction(getattr(obj, "execute", None))
            ):
                found[f"{obj.__module__}.{name}"] = obj
    return sorted(found.values(), key=lambda c: c.__qualname__)


def pool_options(settings: Settings) -> dict[str, Any]:
    """DB_POOL_SIZE, DB_MAX_OVERFLOW and DB_POOL_TIMEOUT for PostgreSQL (SQLite keeps its own pool)."""
    if settings.embedded or (settings.database_url or "").startswith("sqlite"):
        return {}
    return {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout,
    }


class InfrastructureProvider(Provider):
    """Process-wide adapters, built once and closed with the container."""

    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def settings(self) -> Settings:
        return self._settings

    @provide
    def clock(self) -> Clock:
        return SystemClock()

    @provide
    def hasher(self) -> PasswordHasher:
        return Argon2PasswordHasher()

    @provide
    def codec(self, settings: Settings, clock: Clock) -> TokenCodec:
        return JwtTokenCodec(settings.jwt_secret, settings.jwt_refresh_secret, clock)

    @provide
    def policy(self, settings: Settings) -> AuthPolicy:
        return AuthPolicy(access_ttl=settings.access_ttl, refresh_ttl=settings.refresh_ttl)

    @provide(provides=AuthPolicy | None)
    def optional_policy(self, policy: AuthPolicy) -> AuthPolicy | None:
        return policy

    @provide
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        url = settings.database_url or database_url_from_env({"DATA_DIR": str(settings.data_dir)})
        engine = create_engine(url, **pool_options(settings))
        yield engine
        await engine.dispose()

    @provide
    def session_factory(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return create_session_factory(engine)

    @provide
    def ticket_queries(self, engine: AsyncEngine) -> SqlTicketQueries:
        return SqlTicketQueries(engine)

    @provide
    def ticket_queries_port(self, queries: SqlTicketQueries) -> TicketQueries:
        return queries

    @provide
    def ticket_counter_port(self, queries: SqlTicketQueries) -> TicketCounter:
        return queries

    @provide
    def message_queries(self, engine: AsyncEngine) -> MessageQueries:
        return SqlMessageQueries(engine)

    @provide
    def auth_user_queries(self, engine: AsyncEngine) -> AuthUserQueries:
        return SqlAuthUserQueries(engine)

    @provide
    async def redis(self, settings: Settings) -> AsyncIterator[RedisHandle]:
        if not settings.redis_url:
            yield RedisHandle(None)
            return
        from redis.asyncio import Redis

        client = Redis.from_url(settings.redis_url)
        yield RedisHandle(client)
        await client.aclose()

    @provide
    def idempotency_store(self, redis: RedisHandle) -> IdempotencyStore:
        return RedisIdempotencyStore(redis.client) if redis.client is not None else MemoryIdempotencyStore()

    @provide
    def media_store(self, settings: Settings) -> MediaStore:
        return LocalMediaStore.in_data_dir(settings.data_dir)


class RequestProvider(Provider):
    """Per request: a fresh unit of work, every use case, and who is calling."""

    scope = Scope.REQUEST

    def __init__(self) -> None:
        super().__init__()
        for cls in use_case_classes():
            self.provide(cls)

    @provide
    def unit_of_work(self, sessions: async_sessionmaker[AsyncSession]) -> UnitOfWork:
        return SqlUnitOfWork(sessions)

    @provide
    async def authenticated(self, request: Request, authenticate: Authenticate) -> Authenticated:  # type: ignore[type-arg]
        """The caller of a bearer-protected route; a missing or bad token is a 401 before the handler runs."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise MissingToken("A bearer access token is required")
        authenticated = await authenticate.execute(AuthenticateCommand(token))
        note_user(authenticated.viewer.user_id)  # the request's log line names its caller
        return authenticated

    @provide
    def viewer(self, authenticated: Authenticated) -> Viewer:
        return authenticated.viewer
