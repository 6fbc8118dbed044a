from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta

from whaticket_core.domain.webhooks import (
    DEFAULT_RETRY_BASE,
    DELIVERY_RETENTION,
    MAX_CONSECUTIVE_FAILURES,
    RETRY_WINDOW,
    ClaimedDelivery,
    DeliveryStatus,
    retry_delay,
    signature,
)
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.webhooks import AttemptResult, WebhookDeliveryQueue, WebhookSender

# Longer than one attempt can take (10 s), so a live dispatcher never loses its claim mid-attempt.
CLAIM_LEASE = timedelta(seconds=60)
BATCH = 20
# Finished deliveries deleted per run: the log stays bounded without one run doing a long delete.
PURGE_BATCH = 1000


@dataclass(frozen=True, slots=True)
class DispatchWebhooksCommand:
    retry_base: timedelta = DEFAULT_RETRY_BASE


@dataclass(frozen=True, slots=True)
class DispatchResult:
    attempts: int
    next_due: datetime | None  # when the next pending delivery is due (None: nothing pending)


class DispatchWebhooks:
    """Sends every webhook delivery that is due, until none is.

    Rules: each attempt POSTs the delivery's fixed body with ``Whaticket-Event``, ``Whaticket-Delivery`` (its id,
    the same on every attempt) and ``Whaticket-Signature`` (``t=<now>,v1=<HMAC-SHA256 of "<t>.<body>">`` with the
    webhook's secret). A 2xx answer is ``delivered``. Anything else (another status, no answer, an address that now
    resolves internally) is retried after ``retry_base * 2 ** (attempt - 1)``, at most an hour, until the delivery
    has been failing for 24 hours: then ``failed``. Each failure counts towards the webhook's switch-off after 50 in a
    row; a success resets the count. Deliveries of different streams go out concurrently; one stream's strictly in order
    (the queue only hands out the head of each stream). No transaction is open while a receiver is waited for. Each
    run also deletes (a batch of) finished deliveries older than 30 days, so the delivery log stays bounded.
    """

    def __init__(self, queue: WebhookDeliveryQueue, sender: WebhookSender, clock: Clock) -> None:
        self._queue = queue
        self._sender = sender
        self._clock = clock

    async def execute(self, command: DispatchWebhooksCommand) -> DispatchResult:
        attempts = 0
        while claimed := await self._queue.claim_due(self._clock.now(), BATCH, CLAIM_LEASE):
            await asyncio.gather(*(self._attempt(claim, command.retry_base) for claim in claimed))
            attempts += len(claimed)
        await self._queue.purge_finished(self._clock.now() - DELIVERY_RETENTION, PURGE_BATCH)
        return DispatchResult(attempts, await self._queue.next_due())

    async def _attempt(self, claim: ClaimedDelivery, retry_base: timedelta) -> None:
        delivery = claim.delivery
        body = delivery.body()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "whaticket-webhooks",
            "Whaticket-Event": delivery.event,
            "Whaticket-Delivery": str(delivery.id),
            "Whaticket-Signature": signature(claim.secret, int(self._clock.now().timestamp()), body),
        }
        outcome = await self._sender.post(claim.url, body, headers)
        now = self._clock.now()
        delivery.attempt += 1
        delivery.last_attempt_at = now
        delivery.response_status = outcome.status
        delivery.duration_ms = outcome.duration_ms
        delivery.response_excerpt = outcome.excerpt
        succeeded = outcome.status is not None and 200 <= outcome.status < 300
        if succeeded:
            delivery.status = DeliveryStatus.DELIVERED
        elif now - delivery.created_at >= RETRY_WINDOW:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempt, retry_base)
        await self._queue.record_attempt(AttemptResult(delivery, succeeded), MAX_CONSECUTIVE_FAILURES)
