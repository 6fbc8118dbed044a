from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime, timedelta

from ..domain.errors import WebhookUrlForbidden
from ..domain.webhooks import ClaimedDelivery, DeliveryStatus, Webhook, WebhookDelivery
from ..ports.webhooks import AttemptResult, HttpAttempt


class InMemoryWebhookStore:
    """Implements :class:`~whaticket_core.ports.webhooks.WebhookRepository` and
    :class:`~whaticket_core.ports.webhooks.WebhookDeliveryQueue` over dicts. ``add_delivery`` stands in for the
    outbox of a real store (which writes deliveries with the change that caused them)."""

    def __init__(self) -> None:
        self.webhooks: dict[int, Webhook] = {}
        self.deliveries: dict[int, WebhookDelivery] = {}
        self.claims: dict[int, datetime] = {}
        self._ids = {"webhook": 0, "delivery": 0}

    def _next(self, kind: str) -> int:
        self._ids[kind] += 1
        return self._ids[kind]

    async def add(self, webhook: Webhook) -> Webhook:
        stored = replace(webhook, id=self._next("webhook"))
        self.webhooks[stored.id] = stored
        return replace(stored)

    async def get(self, webhook_id: int) -> Webhook | None:
        found = self.webhooks.get(webhook_id)
        return replace(found) if found else None

    async def list_all(self) -> list[Webhook]:
        return [replace(w) for w in sorted(self.webhooks.values(), key=lambda w: -w.id)]

    async def save(self, webhook: Webhook) -> None:
        if webhook.id in self.webhooks:
            self.webhooks[webhook.id] = replace(webhook)

    async def delete(self, webhook_id: int) -> bool:
        if self.webhooks.pop(webhook_id, None) is None:
            return False
        for delivery_id in [d.id for d in self.deliveries.values() if d.webhook_id == webhook_id]:
            del self.deliveries[delivery_id]
        return True

    async def list_deliveries(self, webhook_id: int, limit: int, before_id: int | None) -> list[WebhookDelivery]:
        mine = [
            d
            for d in self.deliveries.values()
            if d.webhook_id == webhook_id and (before_id is None or d.id < before_id)
        ]
        return [copy.copy(d) for d in sorted(mine, key=lambda d: -d.id)[:limit]]

    async def redeliver(self, webhook_id: int, delivery_id: int, at: datetime) -> bool:
        found = self.deliveries.get(delivery_id)
        if found is None or found.webhook_id != webhook_id:
            return False
        found.status, found.next_attempt_at = DeliveryStatus.PENDING, at
        self.claims.pop(delivery_id, None)
        return True

    def add_delivery(self, delivery: WebhookDelivery) -> WebhookDelivery:
        stored = replace(delivery, id=self._next("delivery"))
        self.deliveries[stored.id] = stored
        return replace(stored)

    def _heads(self) -> list[WebhookDelivery]:
        heads: dict[tuple[int, str], WebhookDelivery] = {}
        for d in sorted(self.deliveries.values(), key=lambda d: d.id):
            if d.status is DeliveryStatus.PENDING:
                heads.setdefault((d.webhook_id, d.stream), d)
        return [d for d in heads.values() if self.webhooks[d.webhook_id].active]

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[ClaimedDelivery]:
        claimed: list[ClaimedDelivery] = []
        for d in sorted(self._heads(), key=lambda d: d.id):
            if len(claimed) == limit:
                break
            if d.next_attempt_at > now or self.claims.get(d.id, now) > now:
                continue
            self.claims[d.id] = now + lease
            hook = self.webhooks[d.webhook_id]
            claimed.append(ClaimedDelivery(copy.copy(d), hook.url, hook.secret))
        return claimed

    async def record_attempt(self, result: AttemptResult, max_failures: int) -> None:
        delivery = result.delivery
        self.deliveries[delivery.id] = copy.copy(delivery)
        self.claims.pop(delivery.id, None)
        hook = self.webhooks.get(delivery.webhook_id)
        if hook is None:
            return
        if result.succeeded:
            hook.consecutive_failures = 0
        else:
            hook.consecutive_failures += 1
            if hook.consecutive_failures >= max_failures:
                hook.active = False

    async def purge_finished(self, before: datetime, limit: int) -> int:
        old = [
            d.id
            for d in sorted(self.deliveries.values(), key=lambda d: d.id)
            if d.status is not DeliveryStatus.PENDING and d.created_at < before
        ][:limit]
        for delivery_id in old:
            del self.deliveries[delivery_id]
        return len(old)

    async def next_due(self) -> datetime | None:
        return min((d.next_attempt_at for d in self._heads()), default=None)


class RecordingWebhookSender:
    """Implements :class:`~whaticket_core.ports.webhooks.WebhookSender`: keeps every POST and answers with the
    statuses in ``answers`` in turn (200 once they run out; None stands for no answer at all)."""

    def __init__(self, answers: list[int | None] | None = None) -> None:
        self.answers = list(answers or [])
        self.sent: list[tuple[str, bytes, dict[str, str]]] = []

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpAttempt:
        self.sent.append((url, body, dict(headers)))
        status = self.answers.pop(0) if self.answers else 200
        return HttpAttempt(status, 1, None if status is None else f"answer {status}")


class FakeUrlGuard:
    """Implements :class:`~whaticket_core.ports.webhooks.UrlGuard`: refuses URLs whose host is in ``forbidden``."""

    def __init__(self, forbidden: set[str] | None = None) -> None:
        self.forbidden = forbidden if forbidden is not None else {"127.0.0.1", "localhost", "10.0.0.1"}

    async def check(self, url: str) -> None:
        from urllib.parse import urlsplit

        if urlsplit(url).hostname in self.forbidden:
            raise WebhookUrlForbidden("url resolves to a private address")
