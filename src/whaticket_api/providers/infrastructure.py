"""Process-wide adapters (APP scope): settings, clock, database engine and read queries, Redis, media, the
idempotency store and the auth endpoints' rate limiter. Built once, closed with the container."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from dishka import Provider, Scope, provide
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from whaticket_adapters.clock import SystemClock
from whaticket_adapters.media.local import LocalMediaStore
from whaticket_adapters.presence import InMemoryPresence, RedisPresence
from whaticket_adapters.sql.database import (
    ReadConnection,
    SqlApiTokenStore,
    SqlAuthUserQueries,
    SqlContactQueries,
    SqlMessageQueries,
    SqlReportQueries,
    SqlTicketQueries,
    SqlUnitOfWork,
    create_engine,
    create_session_factory,
    database_url_from_env,
)
from whaticket_core.ports import (
    AgentPresence,
    AuthUserQueries,
    Clock,
    ContactQueries,
    MediaStore,
    MessageQueries,
    PlacedMessagePages,
    ReportQueries,
    TagCounter,
    TicketCounter,
    TicketPlacements,
    TicketQueries,
    UnitOfWork,
)
from whaticket_core.ports.api_tokens import ApiTokenStore

from ..idempotency import IdempotencyStore, MemoryIdempotencyStore, RedisIdempotencyStore
from ..protection import FallbackRateLimiter, MemoryRateLimiter, RateLimiter, RedisRateLimiter
from ..realtime.gateway_ports import PresenceTracker
from ..realtime.webhook_events import WebhookEventEncoder
from ..settings import Settings

if TYPE_CHECKING:
    from redis.asyncio import Redis


class RedisHandle:
    """The shared Redis client, or None in the embedded default (no REDIS_URL)."""

    def __init__(self, client: Redis | None) -> None:
        self.client = client


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
    async def engine(self, settings: Settings) -> AsyncIterator[AsyncEngine]:
        url = settings.database_url or database_url_from_env({"DATA_DIR": str(settings.data_dir)})
        engine = create_engine(url, **pool_options(settings))
        yield engine
        await engine.dispose()

    @provide
    def session_factory(self, engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
        return create_session_factory(engine)

    @provide(scope=Scope.REQUEST)
    async def read_connection(self, engine: AsyncEngine) -> AsyncIterator[ReadConnection]:
        """The request's reads (the bearer check, lists, counts) share one pooled connection, returned at the end."""
        reads = ReadConnection(engine, per_request=True)
        try:
            yield reads
        finally:
            await reads.release()

    @provide(scope=Scope.REQUEST)
    def unit_of_work(self, sessions: async_sessionmaker[AsyncSession], reads: ReadConnection) -> UnitOfWork:
        """A fresh unit of work per request (per job run, per CLI command); it takes over from the read
        connection, so a request never holds two, and its events become webhook deliveries in its transaction."""
        return SqlUnitOfWork(sessions, WebhookEventEncoder(), before_begin=reads.release)

    @provide(scope=Scope.REQUEST)
    def ticket_queries(self, reads: ReadConnection) -> SqlTicketQueries:
        return SqlTicketQueries(reads)

    @provide(scope=Scope.REQUEST)
    def ticket_queries_port(self, queries: SqlTicketQueries) -> TicketQueries:
        return queries

    @provide(scope=Scope.REQUEST)
    def ticket_placements_port(self, queries: SqlTicketQueries) -> TicketPlacements:
        return queries

    @provide(scope=Scope.REQUEST)
    def ticket_counter_port(self, queries: SqlTicketQueries) -> TicketCounter:
        return queries

    @provide(scope=Scope.REQUEST)
    def tag_counter_port(self, queries: SqlTicketQueries) -> TagCounter:
        return queries

    @provide(scope=Scope.REQUEST)
    def report_queries(self, reads: ReadConnection) -> ReportQueries:
        return SqlReportQueries(reads)

    @provide(scope=Scope.REQUEST)
    def sql_message_queries(self, reads: ReadConnection) -> SqlMessageQueries:
        return SqlMessageQueries(reads)

    @provide(scope=Scope.REQUEST)
    def message_queries(self, queries: SqlMessageQueries) -> MessageQueries:
        return queries

    @provide(scope=Scope.REQUEST)
    def placed_message_pages(self, queries: SqlMessageQueries) -> PlacedMessagePages:
        return queries

    @provide(scope=Scope.REQUEST)
    def contact_queries(self, reads: ReadConnection) -> ContactQueries:
        return SqlContactQueries(reads)

    @provide(scope=Scope.REQUEST)
    def auth_user_queries(self, reads: ReadConnection) -> AuthUserQueries:
        return SqlAuthUserQueries(reads)

    @provide
    def api_token_store(self, engine: AsyncEngine) -> ApiTokenStore:
        return SqlApiTokenStore(engine)

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
    def idempotency_store(self, redis: RedisHandle, settings: Settings) -> IdempotencyStore:
        if redis.client is not None:
            return RedisIdempotencyStore(redis.client, prefix=f"{settings.redis_namespace}:idem:")
        return MemoryIdempotencyStore()

    @provide
    def rate_limiter(self, redis: RedisHandle, settings: Settings) -> RateLimiter:
        """Shared by every API process through Redis when REDIS_URL is set, else counted in this process."""
        if redis.client is not None:
            # Through a Redis outage login keeps working, counted in this process until Redis returns.
            return FallbackRateLimiter(RedisRateLimiter(redis.client, prefix=f"{settings.redis_namespace}:rl:"))
        return MemoryRateLimiter()

    @provide
    def media_store(self, settings: Settings) -> MediaStore:
        return LocalMediaStore.in_data_dir(settings.data_dir)

    @provide
    def presence_tracker(self, redis: RedisHandle, settings: Settings) -> PresenceTracker:
        """Agents' sockets: shared by every process through Redis (with expiry) when REDIS_URL is set."""
        if redis.client is not None:
            return RedisPresence(redis.client, prefix=f"{settings.redis_namespace}:presence")
        return InMemoryPresence()

    @provide
    def agent_presence(self, tracker: PresenceTracker) -> AgentPresence:
        return tracker
