"""Webhook subscriptions and the delivery queue: the same tests on the fakes, SQLite and PostgreSQL (deliveries are
written through each backend's outbox)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from whaticket_core.domain.webhooks import DeliveryStatus, Webhook
from whaticket_core.ports.webhooks import AttemptResult

LEASE = timedelta(seconds=60)


def later(seconds: float = 1) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def _webhook(backend, events: frozenset[str] = frozenset({"*"}), active: bool = True) -> Webhook:
    hook = Webhook("https://crm.example.com/h", events, "whsec_x", datetime(2026, 1, 1, tzinfo=UTC), "CRM", active)
    return await backend.webhooks.add(hook)


async def test_subscriptions_round_trip(backend) -> None:
    first = await _webhook(backend)
    second = await _webhook(backend, frozenset({"ticket.created"}))
    assert await backend.webhooks.get(first.id) == first
    assert [w.id for w in await backend.webhooks.list_all()] == [second.id, first.id]
    changed = replace(first, url="https://other.example.com/", active=False, consecutive_failures=3)
    await backend.webhooks.save(changed)
    assert await backend.webhooks.get(first.id) == changed
    assert await backend.webhooks.delete(first.id) is True
    assert await backend.webhooks.delete(first.id) is False
    assert await backend.webhooks.get(first.id) is None


async def test_events_become_deliveries_for_the_active_webhooks_that_want_them(backend) -> None:
    everything = await _webhook(backend)
    connections = await _webhook(backend, frozenset({"whatsapp.connection"}))
    tickets_only = await _webhook(backend, frozenset({"ticket.created"}))
    inactive = await _webhook(backend, active=False)
    await backend.emit(1)
    for hook, count in ((everything, 1), (connections, 1), (tickets_only, 0), (inactive, 0)):
        assert len(await backend.webhooks.list_deliveries(hook.id, 10, None)) == count
    (delivery,) = await backend.webhooks.list_deliveries(everything.id, 10, None)
    assert (delivery.event, delivery.stream, delivery.status, delivery.attempt) == (
        "whatsapp.connection",
        "s:1",
        DeliveryStatus.PENDING,
        0,
    )


async def test_claims_take_each_streams_head_once(backend) -> None:
    hook = await _webhook(backend)
    for stream in (1, 1, 2, 1):
        await backend.emit(stream)
    claimed = await backend.webhooks.claim_due(later(), 10, LEASE)
    assert [c.delivery.stream for c in claimed] == ["s:1", "s:2"]
    assert {(c.url, c.secret) for c in claimed} == {(hook.url, hook.secret)}
    assert await backend.webhooks.claim_due(later(), 10, LEASE) == []  # held until recorded or the lease ends
    again = await backend.webhooks.claim_due(later(61), 10, LEASE)
    assert [c.delivery.id for c in again] == [c.delivery.id for c in claimed]


async def test_recording_moves_the_stream_on_and_counts_failures(backend) -> None:
    hook = await _webhook(backend)
    await backend.emit(1)
    await backend.emit(1)
    (head,) = await backend.webhooks.claim_due(later(), 10, LEASE)
    failed = replace(head.delivery, attempt=1, next_attempt_at=later(30), response_status=500, duration_ms=12)
    await backend.webhooks.record_attempt(AttemptResult(failed, succeeded=False), 50)
    assert (await backend.webhooks.get(hook.id)).consecutive_failures == 1
    assert await backend.webhooks.claim_due(later(), 10, LEASE) == []  # the head waits; the next waits behind it
    next_due = await backend.webhooks.next_due()
    assert next_due is not None
    assert abs((next_due - failed.next_attempt_at).total_seconds()) < 0.01
    (retry,) = await backend.webhooks.claim_due(later(31), 10, LEASE)
    assert retry.delivery.id == head.delivery.id
    assert retry.delivery.attempt == 1
    assert retry.delivery.response_status == 500
    done = replace(retry.delivery, attempt=2, status=DeliveryStatus.DELIVERED, response_status=200)
    await backend.webhooks.record_attempt(AttemptResult(done, succeeded=True), 50)
    assert (await backend.webhooks.get(hook.id)).consecutive_failures == 0
    (second,) = await backend.webhooks.claim_due(later(31), 10, LEASE)
    assert second.delivery.id > head.delivery.id


async def test_the_active_webhooks_read_with_the_connection_are_those_the_outbox_uses(backend) -> None:
    everything = await _webhook(backend)
    inactive = await _webhook(backend, active=False)
    await backend.emit(1, after_connection_read=True)
    await backend.emit(2)  # a unit of work that read no connection reads the webhooks itself
    assert len(await backend.webhooks.list_deliveries(everything.id, 10, None)) == 2
    assert await backend.webhooks.list_deliveries(inactive.id, 10, None) == []


async def test_the_failure_threshold_switches_the_webhook_off(backend) -> None:
    hook = await _webhook(backend)
    for stream in range(3):
        await backend.emit(stream)
    for claim in await backend.webhooks.claim_due(later(), 10, LEASE):
        failed = replace(claim.delivery, attempt=1, next_attempt_at=later())
        await backend.webhooks.record_attempt(AttemptResult(failed, succeeded=False), 3)
    stored = await backend.webhooks.get(hook.id)
    assert (stored.active, stored.consecutive_failures) == (False, 3)
    assert await backend.webhooks.claim_due(later(60), 10, LEASE) == []
    assert await backend.webhooks.next_due() is None


async def test_delivery_log_pages_and_redelivery(backend) -> None:
    hook = await _webhook(backend)
    for stream in range(5):
        await backend.emit(stream)
    page = await backend.webhooks.list_deliveries(hook.id, 3, None)
    rest = await backend.webhooks.list_deliveries(hook.id, 3, page[-1].id)
    ids = [d.id for d in page + rest]
    assert ids == sorted(ids, reverse=True)
    assert len(ids) == 5
    claim = (await backend.webhooks.claim_due(later(), 1, LEASE))[0]
    gone = replace(claim.delivery, attempt=9, status=DeliveryStatus.FAILED)
    await backend.webhooks.record_attempt(AttemptResult(gone, succeeded=False), 50)
    assert await backend.webhooks.redeliver(hook.id, gone.id, later()) is True
    assert await backend.webhooks.redeliver(hook.id + 1, gone.id, later()) is False
    (found,) = [d for d in await backend.webhooks.list_deliveries(hook.id, 10, None) if d.id == gone.id]
    assert (found.status, found.attempt) == (DeliveryStatus.PENDING, 9)
    assert await backend.webhooks.delete(hook.id)
    assert await backend.webhooks.list_deliveries(hook.id, 10, None) == []


async def test_concurrent_dispatchers_never_claim_the_same_delivery(backend) -> None:
    if backend.name == "memory":
        pytest.skip("the fake runs one claim at a time by construction")
    await _webhook(backend)
    for stream in range(40):
        await backend.emit(stream)
    claims = await asyncio.gather(*(backend.webhooks.claim_due(later(), 7, LEASE) for _ in range(8)))
    ids = [c.delivery.id for batch in claims for c in batch]
    assert len(ids) == len(set(ids)) == 40


async def test_finished_deliveries_are_purged_after_their_retention_pending_ones_never(backend) -> None:
    hook = await _webhook(backend)
    for stream in range(4):
        await backend.emit(stream)
    claims = await backend.webhooks.claim_due(later(), 10, LEASE)
    done, failed, *_ = claims
    for claim, status in ((done, DeliveryStatus.DELIVERED), (failed, DeliveryStatus.FAILED)):
        finished = replace(claim.delivery, attempt=1, status=status)
        await backend.webhooks.record_attempt(AttemptResult(finished, status is DeliveryStatus.DELIVERED), 50)
    assert await backend.webhooks.purge_finished(datetime.now(UTC) - timedelta(days=1), 10) == 0  # not old enough
    assert await backend.webhooks.purge_finished(later(), 1) == 1  # a batch at a time
    assert await backend.webhooks.purge_finished(later(), 10) == 1
    left = await backend.webhooks.list_deliveries(hook.id, 10, None)
    assert len(left) == 2
    assert {d.status for d in left} == {DeliveryStatus.PENDING}
