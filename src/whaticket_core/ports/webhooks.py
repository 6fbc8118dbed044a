from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from ..domain.webhooks import ClaimedDelivery, Webhook, WebhookDelivery


class WebhookRepository(Protocol):
    """Webhook subscriptions and their delivery log, as admins manage them. Each call is its own short transaction.

    Deleting a webhook deletes its deliveries. ``list_deliveries`` pages newest first by id (keyset: ``before_id``).
    ``redeliver`` puts a delivery of that webhook back to ``pending``, due at ``at`` (False when there is none).
    """

    async def add(self, webhook: Webhook) -> Webhook: ...

    async def get(self, webhook_id: int) -> Webhook | None: ...

    async def list_all(self) -> list[Webhook]:
        """Every webhook, newest first."""
        ...

    async def save(self, webhook: Webhook) -> None: ...

    async def delete(self, webhook_id: int) -> bool: ...

    async def list_deliveries(self, webhook_id: int, limit: int, before_id: int | None) -> list[WebhookDelivery]: ...

    async def redeliver(self, webhook_id: int, delivery_id: int, at: datetime) -> bool: ...


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """What one attempt did to a delivery (already applied to ``delivery``: attempt, status, next attempt, answer)."""

    delivery: WebhookDelivery
    succeeded: bool


class WebhookDeliveryQueue(Protocol):
    """The dispatcher's side of the delivery outbox, safe with several dispatchers at once.

    ``claim_due`` takes, for ``lease``, up to ``limit`` deliveries that are due, of active webhooks, and each the
    oldest pending one of its webhook and stream (so one stream never has two attempts in flight and goes out in
    order). A claim not recorded before its lease ends (its dispatcher died) is due again.
    ``record_attempt`` stores the outcome and ends the claim; a success sets the webhook's consecutive failures to 0,
    a failure adds one and switches the webhook off at ``max_failures``.
    ``next_due`` is when the earliest pending delivery of an active webhook is due (None: nothing pending).
    ``purge_finished`` keeps the log bounded: pending deliveries are never purged.
    """

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[ClaimedDelivery]: ...

    async def record_attempt(self, result: AttemptResult, max_failures: int) -> None: ...

    async def next_due(self) -> datetime | None: ...

    async def purge_finished(self, before: datetime, limit: int) -> int:
        """Deletes up to ``limit`` delivered or failed deliveries created before ``before``; returns how many."""
        ...


@dataclass(frozen=True, slots=True)
class HttpAttempt:
    """One POST's outcome: the status (None when no answer came: refused address, timeout, connection error), how
    long it took, and a short excerpt of the answer (or of the error)."""

    status: int | None
    duration_ms: int
    excerpt: str | None = None


class WebhookSender(Protocol):
    """POSTs a delivery. Never raises for the receiver's or the network's problems (they are an attempt's outcome).
    Bounded: a time limit per attempt, and only the start of the answer is read. The address is checked again at
    send time (the name may resolve elsewhere since the webhook was saved)."""

    async def post(self, url: str, body: bytes, headers: dict[str, str]) -> HttpAttempt: ...


class UrlGuard(Protocol):
    """Refuses (``WebhookUrlForbidden``) a URL whose host resolves to a loopback, private, link-local, multicast or
    reserved address, unless the deployment allows private addresses."""

    async def check(self, url: str) -> None: ...
