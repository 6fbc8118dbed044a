"""The one dishka container of every process: the API, ``whaticket serve``, the worker and the CLI.

APP scope holds settings, engines, clients and adapters; REQUEST scope a unit of work, the use cases and (over HTTP)
the caller's identity. Later providers override earlier ones, so tests pass their fakes last.
"""

from __future__ import annotations

from dishka import AsyncContainer, Provider, make_async_container
from dishka.integrations.litestar import LitestarProvider

from whaticket_core.ports import EventPublisher

from .providers import AuthProvider, CallerProvider, InfrastructureProvider, use_case_providers
from .providers.webhooks import WebhookProvider
from .runtime import RuntimeProvider
from .settings import Settings


def make_container(
    settings: Settings, *overrides: Provider, publisher: EventPublisher | None = None, http: bool = False
) -> AsyncContainer:
    """The container for ``settings``. ``http`` adds the bearer caller of a request (the API's routes);
    ``publisher`` sends events (the Socket.IO gateway's; by default Redis when configured, else nowhere)."""
    providers: list[Provider] = [
        InfrastructureProvider(settings),
        AuthProvider(),
        *use_case_providers(),
        RuntimeProvider(publisher),
        WebhookProvider(),  # after RuntimeProvider: it decorates the publisher
    ]
    if http:
        providers += [CallerProvider(), LitestarProvider()]
    return make_async_container(*providers, *overrides)
