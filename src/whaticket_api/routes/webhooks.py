"""/webhooks: subscriptions to the realtime events, signed POSTs to an integration's URL, and their delivery log."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import delete, get, post, put
from litestar.params import JSONBody

from whaticket_core.domain.api_tokens import ApiScope
from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.visibility import Viewer
from whaticket_core.domain.webhooks import (
    ALL_EVENTS,
    EVENTS,
    MAX_DESCRIPTION_LENGTH,
    MAX_URL_LENGTH,
    DeliveryStatus,
    Webhook,
    WebhookDelivery,
)
from whaticket_core.use_cases.integrations.webhooks import (
    CreateWebhook,
    CreateWebhookCommand,
    DeleteWebhook,
    DeleteWebhookCommand,
    ListWebhookDeliveries,
    ListWebhookDeliveriesCommand,
    ListWebhooks,
    ListWebhooksCommand,
    RedeliverWebhook,
    RedeliverWebhookCommand,
    UpdateWebhook,
    UpdateWebhookCommand,
)

from .common import AUTHED, Cursor, Limit, PathId, errors

MANAGE = ApiScope.WEBHOOKS_MANAGE
Url = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_URL_LENGTH, examples=["https://crm.example.com/hook"])]
EventName = Annotated[str, msgspec.Meta(description=f"One of {', '.join(EVENTS)}, or {ALL_EVENTS} for all")]
Events = Annotated[list[EventName], msgspec.Meta(min_length=1, max_length=len(EVENTS) + 1)]
Description = Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION_LENGTH)]


class WebhookIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    url: Url
    events: Events
    description: Description | None = None


class WebhookUpdateIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    url: Url | None = None
    events: Events | None = None
    description: Description | None = None
    active: bool | None = None


class WebhookOut(msgspec.Struct, rename="camel"):
    id: int
    url: str
    events: list[str]
    description: str | None
    active: bool
    created_at: datetime


class WebhookCreatedOut(msgspec.Struct, rename="camel"):
    """``secret`` signs every delivery (``Whaticket-Signature``); it is shown this once."""

    id: int
    url: str
    events: list[str]
    description: str | None
    secret: str
    active: bool
    created_at: datetime


class DeliveryOut(msgspec.Struct, rename="camel"):
    """One event for this webhook: its last attempt's outcome (``attempt`` counts them; ``at`` is the last one, or
    when the event happened while none was made yet)."""

    id: int
    event_id: str
    event: str
    attempt: int
    status: DeliveryStatus
    response_status: int | None
    duration_ms: int | None
    at: datetime


class DeliveryPage(msgspec.Struct, rename="camel"):
    items: list[DeliveryOut]
    next_cursor: str | None


def webhook_out(w: Webhook) -> WebhookOut:
    return WebhookOut(w.id, w.url, sorted(w.events), w.description, w.active, w.created_at)


def delivery_out(d: WebhookDelivery) -> DeliveryOut:
    at = d.last_attempt_at or d.created_at
    return DeliveryOut(d.id, d.event_id, d.event, d.attempt, d.status, d.response_status, d.duration_ms, at)


def _cursor(before_id: int | None) -> str | None:
    return None if before_id is None else base64.urlsafe_b64encode(f"d{before_id}".encode()).decode().rstrip("=")


def _before_id(cursor: str | None) -> int | None:
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith("d") and text[1:].isdigit() and 0 < int(text[1:]) < 2**63:
            return int(text[1:])
    except (ValueError, UnicodeDecodeError):
        pass
    raise InvalidInput("cursor is not one this server gave", "cursor")


@post("/", status_code=201, responses=errors(*AUTHED, 403), token_scope=MANAGE)
async def create_webhook(
    data: JSONBody[WebhookIn], viewer: FromDishka[Viewer], use_case: FromDishka[CreateWebhook]
) -> WebhookCreatedOut:
    """Subscribe a URL to events. Its host must resolve to public addresses (400 `webhook_url_forbidden`, unless
    `WEBHOOK_ALLOW_PRIVATE_URLS=true`). The signing `secret` is in this answer only."""
    w = await use_case.execute(CreateWebhookCommand(viewer, data.url, tuple(data.events), data.description))
    return WebhookCreatedOut(w.id, w.url, sorted(w.events), w.description, w.secret, w.active, w.created_at)


@get("/", responses=errors(*AUTHED, 403), token_scope=MANAGE)
async def list_webhooks(viewer: FromDishka[Viewer], use_case: FromDishka[ListWebhooks]) -> list[WebhookOut]:
    """Every webhook, newest first (`active: false` once switched off after 50 failed attempts in a row)."""
    return [webhook_out(w) for w in await use_case.execute(ListWebhooksCommand(viewer))]


@put("/{webhook_id:int}", responses=errors(*AUTHED, 403, 404), token_scope=MANAGE)
async def update_webhook(
    webhook_id: PathId,
    data: JSONBody[WebhookUpdateIn],
    viewer: FromDishka[Viewer],
    use_case: FromDishka[UpdateWebhook],
) -> WebhookOut:
    """Partial update; `active: true` turns a switched-off webhook back on with a fresh failure count."""
    events = tuple(data.events) if data.events is not None else None
    command = UpdateWebhookCommand(viewer, webhook_id, data.url, events, data.description, data.active)
    return webhook_out(await use_case.execute(command))


@delete("/{webhook_id:int}", status_code=204, responses=errors(*AUTHED, 403, 404), token_scope=MANAGE)
async def delete_webhook(webhook_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[DeleteWebhook]) -> None:
    """Delete the webhook and its delivery log."""
    await use_case.execute(DeleteWebhookCommand(viewer, webhook_id))


@get("/{webhook_id:int}/deliveries", responses=errors(*AUTHED, 403, 404), token_scope=MANAGE)
async def list_webhook_deliveries(
    webhook_id: PathId,
    viewer: FromDishka[Viewer],
    use_case: FromDishka[ListWebhookDeliveries],
    limit: Limit = 20,
    cursor: Cursor = None,
) -> DeliveryPage:
    """The webhook's deliveries, newest first; pass `nextCursor` back as `cursor` for older ones."""
    page = await use_case.execute(ListWebhookDeliveriesCommand(viewer, webhook_id, limit, _before_id(cursor)))
    return DeliveryPage([delivery_out(d) for d in page.items], _cursor(page.next_before_id))


@post(
    "/{webhook_id:int}/deliveries/{delivery_id:int}/redeliver",
    status_code=202,
    responses=errors(*AUTHED, 403, 404),
    token_scope=MANAGE,
)
async def redeliver_webhook(
    webhook_id: PathId, delivery_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[RedeliverWebhook]
) -> None:
    """Send a delivery again (same id and body), whatever its status; it goes out after its stream's earlier ones."""
    await use_case.execute(RedeliverWebhookCommand(viewer, webhook_id, delivery_id))


router = DishkaRouter(
    "/webhooks",
    tags=["webhooks"],
    route_handlers=[
        create_webhook,
        list_webhooks,
        update_webhook,
        delete_webhook,
        list_webhook_deliveries,
        redeliver_webhook,
    ],
)
