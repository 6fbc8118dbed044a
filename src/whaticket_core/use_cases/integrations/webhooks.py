"""Managing webhook subscriptions and their delivery log (admins, or API tokens with ``webhooks:manage``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from whaticket_core.domain.api_tokens import ApiScope
from whaticket_core.domain.errors import ActionForbidden, WebhookDeliveryNotFound, WebhookNotFound
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.domain.webhooks import (
    Webhook,
    WebhookDelivery,
    new_secret,
    parse_events,
    validate_description,
    validate_url,
)
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import DispatchWebhooksJob, JobQueue
from whaticket_core.ports.webhooks import UrlGuard, WebhookRepository


def require_webhook_manager(actor: Viewer) -> None:
    """Admins signed in as people, and API tokens carrying ``webhooks:manage``."""
    if actor.api_token_id is not None:
        if actor.has_scope(ApiScope.WEBHOOKS_MANAGE):
            return
    elif actor.role is Role.ADMIN:
        return
    raise ActionForbidden("Only an admin may manage webhooks")


async def _load(repository: WebhookRepository, webhook_id: int) -> Webhook:
    webhook = await repository.get(webhook_id)
    if webhook is None:
        raise WebhookNotFound(f"Webhook {webhook_id} not found", webhook_id=webhook_id)
    return webhook


@dataclass(frozen=True, slots=True)
class CreateWebhookCommand:
    actor: Viewer
    url: str
    events: tuple[str, ...]
    description: str | None = None


class CreateWebhook:
    """Subscribe a URL to events (``*`` for all). Rules: an absolute http(s) URL without credentials whose host does
    not resolve to an internal address (``webhook_url_forbidden``, unless the deployment allows private addresses);
    known event names. The signing secret is generated here and shown in this answer only."""

    def __init__(self, webhooks: WebhookRepository, guard: UrlGuard, clock: Clock) -> None:
        self._webhooks = webhooks
        self._guard = guard
        self._clock = clock

    async def execute(self, command: CreateWebhookCommand) -> Webhook:
        require_webhook_manager(command.actor)
        url = validate_url(command.url)
        events = parse_events(command.events)
        description = validate_description(command.description)
        await self._guard.check(url)
        webhook = Webhook(url, events, new_secret(), self._clock.now(), description)
        return await self._webhooks.add(webhook)


@dataclass(frozen=True, slots=True)
class ListWebhooksCommand:
    actor: Viewer


class ListWebhooks:
    """Every webhook, newest first (secrets are the API's to hide)."""

    def __init__(self, webhooks: WebhookRepository) -> None:
        self._webhooks = webhooks

    async def execute(self, command: ListWebhooksCommand) -> list[Webhook]:
        require_webhook_manager(command.actor)
        return await self._webhooks.list_all()


@dataclass(frozen=True, slots=True)
class UpdateWebhookCommand:
    actor: Viewer
    webhook_id: int
    url: str | None = None
    events: tuple[str, ...] | None = None
    description: str | None = None
    active: bool | None = None


class UpdateWebhook:
    """Partial update, with the rules of creation. Turning a webhook back on (``active: true``) clears its failure
    count, so its pending deliveries get a fresh run of attempts."""

    def __init__(self, webhooks: WebhookRepository, guard: UrlGuard, jobs: JobQueue) -> None:
        self._webhooks = webhooks
        self._guard = guard
        self._jobs = jobs

    async def execute(self, command: UpdateWebhookCommand) -> Webhook:
        require_webhook_manager(command.actor)
        webhook = await _load(self._webhooks, command.webhook_id)
        if command.url is not None:
            webhook.url = validate_url(command.url)
            await self._guard.check(webhook.url)
        if command.events is not None:
            webhook.events = parse_events(command.events)
        if command.description is not None:
            webhook.description = validate_description(command.description)
        if command.active is not None:
            if command.active and not webhook.active:
                webhook.consecutive_failures = 0
            webhook.active = command.active
        await self._webhooks.save(webhook)
        if webhook.active:
            await self._jobs.enqueue(DispatchWebhooksJob())
        return webhook


@dataclass(frozen=True, slots=True)
class DeleteWebhookCommand:
    actor: Viewer
    webhook_id: int


class DeleteWebhook:
    """Deletes the subscription and its delivery log; ``webhook_not_found``."""

    def __init__(self, webhooks: WebhookRepository) -> None:
        self._webhooks = webhooks

    async def execute(self, command: DeleteWebhookCommand) -> None:
        require_webhook_manager(command.actor)
        if not await self._webhooks.delete(command.webhook_id):
            raise WebhookNotFound(f"Webhook {command.webhook_id} not found", webhook_id=command.webhook_id)


@dataclass(frozen=True, slots=True)
class ListWebhookDeliveriesCommand:
    actor: Viewer
    webhook_id: int
    limit: int = 20
    before_id: int | None = None


@dataclass(frozen=True, slots=True)
class WebhookDeliveryPage:
    items: list[WebhookDelivery]
    next_before_id: int | None


class ListWebhookDeliveries:
    """A webhook's deliveries, newest first, by keyset (``before_id`` of the last one seen)."""

    def __init__(self, webhooks: WebhookRepository) -> None:
        self._webhooks = webhooks

    async def execute(self, command: ListWebhookDeliveriesCommand) -> WebhookDeliveryPage:
        require_webhook_manager(command.actor)
        await _load(self._webhooks, command.webhook_id)
        items = await self._webhooks.list_deliveries(command.webhook_id, command.limit + 1, command.before_id)
        more = len(items) > command.limit
        items = items[: command.limit]
        return WebhookDeliveryPage(items, items[-1].id if more and items else None)


@dataclass(frozen=True, slots=True)
class RedeliverWebhookCommand:
    actor: Viewer
    webhook_id: int
    delivery_id: int


class RedeliverWebhook:
    """Sends a delivery again (whatever its status), with the same id and body, as soon as its stream allows."""

    def __init__(self, webhooks: WebhookRepository, jobs: JobQueue, clock: Clock) -> None:
        self._webhooks = webhooks
        self._jobs = jobs
        self._clock = clock

    async def execute(self, command: RedeliverWebhookCommand) -> None:
        require_webhook_manager(command.actor)
        await _load(self._webhooks, command.webhook_id)
        at: datetime = self._clock.now()
        if not await self._webhooks.redeliver(command.webhook_id, command.delivery_id, at):
            raise WebhookDeliveryNotFound(
                f"Delivery {command.delivery_id} of webhook {command.webhook_id} not found",
                delivery_id=command.delivery_id,
            )
        await self._jobs.enqueue(DispatchWebhooksJob())
