"""Webhooks (APP scope): the subscription store and delivery queue, the HTTP sender, the URL check, and the
publisher decoration that starts a delivery run after each commit with webhook events."""

from __future__ import annotations

from collections.abc import AsyncIterator

from dishka import Provider, Scope, decorate, provide
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import SqlWebhookStore
from whaticket_adapters.webhooks import HttpxWebhookSender, ResolvingUrlGuard
from whaticket_core.ports import EventPublisher, JobQueue
from whaticket_core.ports.webhooks import UrlGuard, WebhookDeliveryQueue, WebhookRepository, WebhookSender

from ..settings import Settings
from ..webhook_kick import ActiveWebhooks, WebhookKickingPublisher


class WebhookProvider(Provider):
    scope = Scope.APP

    @provide
    def store(self, engine: AsyncEngine) -> SqlWebhookStore:
        return SqlWebhookStore(engine)

    @provide
    def repository(self, store: SqlWebhookStore) -> WebhookRepository:
        return store

    @provide
    def delivery_queue(self, store: SqlWebhookStore) -> WebhookDeliveryQueue:
        return store

    @provide
    async def sender(self, settings: Settings) -> AsyncIterator[WebhookSender]:
        sender = HttpxWebhookSender(allow_private=settings.webhook_allow_private_urls)
        yield sender
        await sender.aclose()

    @provide
    def url_guard(self, settings: Settings) -> UrlGuard:
        return ResolvingUrlGuard(allow_private=settings.webhook_allow_private_urls)

    @provide
    def active_webhooks(self, engine: AsyncEngine) -> ActiveWebhooks:
        return ActiveWebhooks(engine)

    @decorate
    def kick_webhooks(self, publisher: EventPublisher, jobs: JobQueue, active: ActiveWebhooks) -> EventPublisher:
        return WebhookKickingPublisher(publisher, jobs, active)
