"""The Litestar application factory."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from dishka import AsyncContainer, Provider
from dishka.integrations.litestar import DishkaRouter
from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme, Tag

from . import openapi_fixes
from .allow_header import with_correct_allow
from .container import make_container
from .cors import cors_config, describe_cors
from .docs_ui import docs_routes, render_plugins
from .errors import EXCEPTION_HANDLERS
from .observability.endpoint import metrics as metrics_route
from .observability.metrics import Metrics
from .observability.request_log import with_request_log
from .observability.sources import container_sources
from .protection import with_security_headers
from .request_container import setup_request_container
from .routes import (
    api_tokens,
    auth,
    business_hours,
    contacts,
    health,
    inbox_failures,
    messages,
    queues,
    quick_answers,
    reports,
    tags,
    tickets,
    users,
    webhooks,
    whatsapps,
)
from .routes import settings as settings_routes
from .settings import Settings
from .strict_body import strict_json_body
from .wire import API_PREFIX

BEARER = "BearerToken"
log = logging.getLogger("whaticket.api")


def _version() -> str:
    try:
        return version("whaticket")
    except PackageNotFoundError:  # running from a source tree
        return "0.1.0"


def _private_routers(settings: Settings) -> list[DishkaRouter]:
    routers = [
        auth.router,
        users.router,
        tickets.router,
        messages.router,
        contacts.router,
        queues.router,
        quick_answers.router,
        settings_routes.router,
        whatsapps.router,
        tags.router,
        reports.router,
        inbox_failures.router,
        business_hours.router,
        api_tokens.router,
        webhooks.router,
    ]
    if settings.simulator:  # unknown (404) in every other mode
        from .routes import simulator, simulator_network

        routers.append(simulator.router)
        routers.append(simulator_network.router)
    return routers


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Whaticket API",
        version=_version(),
        description=openapi_fixes.API_DESCRIPTION,
        path="/docs",
        render_plugins=render_plugins(),
        components=Components(
            security_schemes={BEARER: SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
        ),
        tags=[Tag(name=name, description=text) for name, text in openapi_fixes.TAGS.items()],
        use_handler_docstrings=True,
        operation_id_creator=openapi_fixes.operation_id,
    )


def create_app(
    settings: Settings,
    *,
    overrides: Sequence[Provider] = (),
    container: AsyncContainer | None = None,
    security_headers: bool = True,
) -> Litestar:
    """The HTTP API over ``container`` (by default :func:`make_container`'s with ``overrides``, which replace any
    provider: tests swap in fakes or a test database). ``security_headers=False`` when the caller sets them around
    a larger ASGI app (``build_server`` does, for the Socket.IO answers too): once per answer is enough."""
    container = container or make_container(settings, *overrides, http=True)
    api_private = DishkaRouter(API_PREFIX, route_handlers=_private_routers(settings), security=[{BEARER: []}])
    api_public = DishkaRouter(API_PREFIX, route_handlers=[auth.public_router, health.health_router()], security=[])

    def log_cors() -> None:
        log.info("CORS: %s", describe_cors(settings))

    async def close_container() -> None:
        await _close_container(container)

    def sockets() -> int:
        count = app.state.get("socket_count")
        return int(count()) if count is not None else 0

    app = Litestar(
        route_handlers=[
            api_private,
            api_public,
            health.health_router(include_in_schema=False),
            metrics_route,
            *docs_routes(),
        ],
        openapi_config=openapi_config(),
        exception_handlers=EXCEPTION_HANDLERS,
        cors_config=cors_config(settings),
        request_max_body_size=settings.max_body_bytes,
        on_startup=[log_cors],
        on_shutdown=[close_container],
        state=State({"settings": settings, "metrics": Metrics(container_sources(container, settings, sockets))}),
        debug=False,
        # Logging is configured once for the process (observability.logs), Litestar's records included.
        logging_config=None,
        before_request=strict_json_body,
    )
    openapi_fixes.install(app)
    setup_request_container(container, app)
    handler = with_correct_allow(app.asgi_handler, app)
    if security_headers:
        handler = with_security_headers(handler, hsts=not settings.is_development)
    app.asgi_handler = with_request_log(handler)
    return app


async def _close_container(container: AsyncContainer) -> None:
    try:
        await container.close()
    except Exception as error:  # e.g. Redis down while stopping: one line, the process ends anyway
        log.warning("unclean shutdown: %s", " ".join(str(error).split())[:300])


__all__ = ["create_app"]
