"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from dishka import AsyncContainer, Provider, make_async_container
from dishka.integrations.litestar import DishkaRouter, LitestarProvider, setup_dishka
from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag

from . import openapi_fixes
from .allow_header import with_correct_allow
from .errors import EXCEPTION_HANDLERS
from .protection import MemoryRateLimiter, RedisRateLimiter, with_security_headers
from .providers import InfrastructureProvider, RedisHandle, RequestProvider
from .routes import auth, directory, health, messages, tickets, users
from .runtime import RuntimeProvider
from .settings import Settings
from .strict_body import strict_json_body
from .wire import API_PREFIX

BEARER = "BearerToken"


def _version() -> str:
    try:
        return version("whaticket")
    except PackageNotFoundError:  # running from a source tree
        return "0.1.0"


def _private_routers(settings: Settings) -> list[DishkaRouter]:
    routers = [auth.auth_routers()[1], users.router, tickets.router, messages.router, *directory.routers()]
    if settings.simulator:  # unknown (404) in every other mode
        from .routes import simulator, simulator_network

        routers.append(simulator.router())
        routers.append(simulator_network.router())
    return routers


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Whaticket API",
        version=_version(),
        description="Helpdesk for WhatsApp: tickets, queues, agents. Errors share one shape: "
        "`{statusCode, error, code, message, details?}`.",
        path="/docs",
        render_plugins=[SwaggerRenderPlugin(path="/")],
        components=Components(
            security_schemes={BEARER: SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
        ),
        tags=[Tag(name=n) for n in ("auth", "users", "tickets", "messages", "health")],
        use_handler_docstrings=True,
    )


def create_app(
    settings: Settings, *, overrides: Sequence[Provider] = (), container: AsyncContainer | None = None
) -> Litestar:
    """The HTTP API. ``overrides`` replace any provider (tests swap in fakes or a test database)."""
    container = container or make_async_container(
        InfrastructureProvider(settings), RuntimeProvider(), RequestProvider(), LitestarProvider(), *overrides
    )
    public_auth, _ = auth.auth_routers()
    api_private = DishkaRouter(API_PREFIX, route_handlers=_private_routers(settings), security=[{BEARER: []}])
    api_public = DishkaRouter(API_PREFIX, route_handlers=[public_auth, health.health_router()], security=[])

    async def on_startup(app: Litestar) -> None:
        redis = await container.get(RedisHandle)
        if redis.client is not None:
            app.state.rate_limiter = RedisRateLimiter(redis.client)

    app = Litestar(
        route_handlers=[api_private, api_public, health.health_router(include_in_schema=False)],
        openapi_config=openapi_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        cors_config=_cors(settings),
        request_max_body_size=settings.max_body_bytes,
        on_startup=[on_startup],
        on_shutdown=[container.close],
        state=State(
            {
                "settings": settings,
                "auth_rate_limit": settings.auth_rate_limit_per_minute,
                "rate_limiter": MemoryRateLimiter(),  # replaced by the Redis one at startup when REDIS_URL is set
            }
        ),
        debug=False,
        before_request=strict_json_body,
    )
    openapi_fixes.install(app)
    setup_dishka(container, app)
    app.asgi_handler = with_security_headers(
        with_correct_allow(app.asgi_handler, app), hsts=not settings.is_development
    )
    return app


def _cors(settings: Settings) -> CORSConfig | None:
    if not settings.frontend_url:
        return None
    origins = [o.strip().rstrip("/") for o in settings.frontend_url.split(",") if o.strip()]
    return CORSConfig(
        allow_origins=origins,
        allow_credentials=True,
        allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
        allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
        expose_headers=["Retry-After", "Idempotent-Replayed"],
        max_age=600,
    )


__all__: list[Any] = ["create_app"]
