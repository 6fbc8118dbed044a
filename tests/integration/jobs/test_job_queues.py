"""One contract for both JobQueue adapters: SAQ on the real Redis (a unique queue name per test, keys removed after)
and the in-process runner. Real job use cases run over the core's in-memory fakes."""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, Protocol

import pytest
import redis.asyncio as aioredis
from job_world import REDIS_URL, JobWorld
from saq import Worker

from whaticket_adapters.jobs import InProcessJobQueue, RetryPolicies, RetryPolicy, SaqJobQueue
from whaticket_adapters.jobs import functions as job_functions
from whaticket_core.domain.message import MessageAck
from whaticket_core.domain.settings import AUTO_CLOSE_MINUTES
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.ports.jobs import (
    DeliverMessageJob,
    DownloadMediaJob,
    ReleaseScheduledMessageJob,
    SendReadReceiptsJob,
)
from whaticket_core.ports.transport import Recipient

pytestmark = pytest.mark.integration

# No waiting between attempts in tests; the backoff settings themselves are checked on the enqueued SAQ job.
FAST = RetryPolicies(
    deliver=RetryPolicy(3, delay=0.0, max_delay=0.0, timeout=10.0),
    download=RetryPolicy(2, delay=0.0, max_delay=0.0, timeout=10.0),
    read_receipts=RetryPolicy(2, delay=0.0, max_delay=0.0, timeout=10.0),
)


class Runner(Protocol):
    queue: Any

    async def run_until_idle(self) -> None: ...


class InProcessRunner:
    def __init__(self, world: JobWorld) -> None:
        self.queue = InProcessJobQueue(policies=FAST, concurrency=2, sweep_interval=None)
        self.world = world

    async def start(self) -> None:
        await self.queue.start(self.world)

    async def run_until_idle(self) -> None:
        await self.queue.join()

    async def close(self) -> None:
        await self.queue.stop()


class SaqRunner:
    def __init__(self, world: JobWorld) -> None:
        self.name = f"whaticket-test-{uuid.uuid4().hex[:10]}"
        self.queue = SaqJobQueue.from_url(REDIS_URL, name=self.name, policies=FAST)
        self.world = world

    async def start(self) -> None:
        await self.queue.connect()
        # A starting SAQ worker sweeps its queue at once, racing its own first dequeue: a job just moved to the
        # active list but not yet marked active is "swept" and run a second time. Harmless for our idempotent jobs,
        # but it would make attempt counts here vary, so the sweep lock is taken for the test's duration.
        await self.queue.queue.redis.set(self.queue.queue.namespace("sweep"), 1, ex=300)

    async def run_until_idle(self) -> None:
        worker: Worker = self.queue.worker(self.world, sweep_cron=None, burst=True, dequeue_timeout=0.5)
        await worker.start()

    async def close(self) -> None:
        await self.queue.disconnect()
        client = aioredis.from_url(REDIS_URL)
        try:
            keys = [key async for key in client.scan_iter(match=f"saq:*{self.name}*")]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()


@pytest.fixture(params=["in-process", "saq"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[tuple[JobWorld, Any]]:
    world = JobWorld()
    runner = InProcessRunner(world) if request.param == "in-process" else SaqRunner(world)
    world.jobs = runner.queue
    await runner.start()
    try:
        yield world, runner
    finally:
        await runner.close()


async def test_a_delivery_job_sends_the_pending_message(harness: tuple[JobWorld, Runner]) -> None:
    world, runner = harness
    message = await world.add_message(body="Hello!")
    await runner.queue.enqueue(DeliverMessageJob(message.id))
    await runner.run_until_idle()

    [item] = world.sender.outbox
    assert (item.kind, item.to, item.body) == ("text", Recipient("5511999990001"), "Hello!")
    assert world.message(message.id).ack is MessageAck.SENT


async def test_a_twin_of_a_waiting_job_is_not_queued(harness: tuple[JobWorld, Runner]) -> None:
    world, runner = harness
    message = await world.add_message()
    for _ in range(3):
        await runner.queue.enqueue(DeliverMessageJob(message.id))
    await runner.run_until_idle()
    assert world.opened["DeliverMessage"] == 1

    # Once finished, the same job may be queued again (and finds nothing left to do).
    await runner.queue.enqueue(DeliverMessageJob(message.id))
    await runner.run_until_idle()
    assert world.opened["DeliverMessage"] == 2
    assert len(world.sender.outbox) == 1


async def test_retryable_failures_are_retried_until_sent(harness: tuple[JobWorld, Runner]) -> None:
    world, runner = harness
    message = await world.add_message()
    world.sender.fail_next(2, "connection lost")
    await runner.queue.enqueue(DeliverMessageJob(message.id))
    await runner.run_until_idle()

    assert world.opened["DeliverMessage"] == 3
    stored = world.message(message.id)
    assert stored.ack is MessageAck.SENT
    assert len(world.sender.outbox) == 1


async def test_after_the_last_attempt_the_message_is_failed_with_the_reason(harness: tuple[JobWorld, Runner]) -> None:
    world, runner = harness
    message = await world.add_message()
    world.sender.fail_next(10, "number not on WhatsApp")
    await runner.queue.enqueue(DeliverMessageJob(message.id))
    await runner.run_until_idle()

    assert world.opened["DeliverMessage"] == 3
    stored = world.message(message.id)
    assert (stored.ack, stored.error) == (MessageAck.FAILED, "number not on WhatsApp")
    assert world.sender.outbox == []


async def test_a_refusal_fails_at_once(harness: tuple[JobWorld, Runner]) -> None:
    world, runner = harness
    message = await world.add_message()
    world.sender.fail_next(1, "blocked", retryable=False)
    await runner.queue.enqueue(DeliverMessageJob(message.id))
    await runner.run_until_idle()
    assert world.opened["DeliverMessage"] == 1
    assert world.message(message.id).ack is MessageAck.FAILED


async def test_media_download_job(harness: tuple[JobWorld, Runner]) -> None:
    world, runner = harness
    message = await world.add_inbound_media("ref-1", b"\x89PNG image")
    await runner.queue.enqueue(DownloadMediaJob(message.id))
    await runner.run_until_idle()
    key = world.message(message.id).media_key
    assert key is not None
    assert await world.media.load(key) == b"\x89PNG image"


async def test_read_receipts_job(harness: tuple[JobWorld, Runner]) -> None:
    world, runner = harness
    ticket = await world.seed_ticket()
    await runner.queue.enqueue(SendReadReceiptsJob(ticket.id, ("IN1", "IN2")))
    await runner.queue.enqueue(SendReadReceiptsJob(ticket.id, ("IN1", "IN2")))  # a twin
    await runner.run_until_idle()
    [item] = world.sender.outbox
    assert (item.kind, item.wa_message_ids) == ("read-receipt", ("IN1", "IN2"))


async def test_the_sweeper_requeues_messages_left_pending(harness: tuple[JobWorld, Runner]) -> None:
    world, runner = harness
    stale = await world.add_message(body="lost in a crash", age=timedelta(minutes=5))
    fresh = await world.add_message(body="just stored")
    swept = await job_functions.sweep_pending_messages(job_functions.JobContext(world, FAST))
    assert swept == 1
    await runner.run_until_idle()
    assert world.message(stale.id).ack is MessageAck.SENT
    assert world.message(fresh.id).ack is MessageAck.PENDING


async def test_saq_jobs_carry_key_retries_and_backoff_per_kind() -> None:
    name = f"whaticket-test-{uuid.uuid4().hex[:10]}"
    queue = SaqJobQueue.from_url(REDIS_URL, name=name)  # the default policies
    await queue.connect()
    try:
        await queue.enqueue(DeliverMessageJob(41))
        await queue.enqueue(DownloadMediaJob(42))
        deliver = await queue.queue.job("deliver:41")
        download = await queue.queue.job("download:42")
        assert deliver is not None
        assert download is not None
        assert (deliver.function, deliver.kwargs) == ("whaticket.deliver_message", {"message_id": 41})
        assert (deliver.retries, deliver.retry_delay, deliver.retry_backoff) == (5, 2.0, 60.0)
        assert (download.retries, download.retry_backoff, download.timeout) == (5, 300.0, 300)

        world = JobWorld()
        settings = queue.worker_settings(world)
        crons = {cron.function.__qualname__: cron.cron for cron in settings["cron_jobs"]}
        # The two outboxes' sweepers (pending WhatsApp messages, webhook deliveries left due) and the automation.
        assert crons == {
            "whaticket.sweep_pending_messages": "* * * * *",
            "whaticket.dispatch_webhooks": "* * * * *",
            "whaticket.auto_close_idle_tickets": "* * * * *",
            "whaticket.assign_pending_tickets": "* * * * *",
        }
        assert "whaticket.dispatch_webhooks" in dict(settings["functions"])
        ctx: dict[str, Any] = {"job": SimpleNamespace(attempts=1)}
        for startup in settings["startup"]:
            await startup(ctx)
        for cron in settings["cron_jobs"]:
            await cron.function(ctx)  # as SAQ's worker calls a cron job
        assert world.opened["AutoCloseIdleTickets"] == world.opened["AssignPendingTickets"] == 1
        assert world.opened["DispatchWebhooks"] == 1
    finally:
        await queue.disconnect()
        client = aioredis.from_url(REDIS_URL)
        keys = [key async for key in client.scan_iter(match=f"saq:*{name}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_the_in_process_runner_sweeps_periodically() -> None:
    world = JobWorld()
    queue = InProcessJobQueue(policies=FAST, sweep_interval=0.01)
    world.jobs = queue
    stale = await world.add_message(body="lost in a crash", age=timedelta(minutes=5))
    await queue.start(world)
    try:
        for _ in range(500):  # bounded wait for the sweeper's first rounds; no assertion on how long it took
            if world.message(stale.id).ack is MessageAck.SENT:
                break
            await asyncio.sleep(0.01)
        assert world.message(stale.id).ack is MessageAck.SENT
        assert world.opened["SweepPendingMessages"] >= 1
    finally:
        await queue.stop()


async def test_the_in_process_runner_runs_a_scheduled_job_at_its_time() -> None:
    world = JobWorld()
    queue = InProcessJobQueue(policies=FAST, sweep_interval=None)
    world.jobs = queue
    message = await world.add_message(body="Reminder", ack=MessageAck.SCHEDULED, send_at=world.clock.now())
    await queue.start(world)
    try:
        at = datetime.now(UTC) + timedelta(milliseconds=200)
        await queue.schedule(ReleaseScheduledMessageJob(message.id), at)
        await queue.schedule(ReleaseScheduledMessageJob(message.id), at)  # a twin of a waiting job: dropped
        assert world.message(message.id).ack is MessageAck.SCHEDULED
        await queue.join()  # the timer counts as unfinished work until its job ran
        assert world.message(message.id).ack is MessageAck.SENT
        assert datetime.now(UTC) >= at
        assert world.opened["ReleaseScheduledMessage"] == 1
    finally:
        await queue.stop()


async def test_saq_schedules_a_job_for_its_time_and_workers_run_the_release_function() -> None:
    name = f"whaticket-test-{uuid.uuid4().hex[:10]}"
    queue = SaqJobQueue.from_url(REDIS_URL, name=name)
    await queue.connect()
    try:
        at = datetime(2030, 1, 1, 9, 30, tzinfo=UTC)
        await queue.schedule(ReleaseScheduledMessageJob(7), at)
        job = await queue.queue.job("scheduled:7")
        assert job is not None
        assert (job.function, job.kwargs, job.scheduled) == (
            "whaticket.release_scheduled_message",
            {"message_id": 7},
            math.ceil(at.timestamp()),
        )
        names = [name for name, _ in queue.worker_settings(JobWorld())["functions"]]
        assert "whaticket.release_scheduled_message" in names
    finally:
        await queue.disconnect()
        client = aioredis.from_url(REDIS_URL)
        keys = [key async for key in client.scan_iter(match=f"saq:*{name}*")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_the_in_process_runner_runs_the_automation_periodically() -> None:
    world = JobWorld()
    queue = InProcessJobQueue(policies=FAST, sweep_interval=None, automation_interval=0.01)
    world.jobs = queue
    ticket = await world.seed_ticket()
    async with world.uow() as uow:
        await uow.settings.set(AUTO_CLOSE_MINUTES, "5")
        await uow.commit()
    world.clock.advance(timedelta(minutes=5))
    await queue.start(world)
    try:
        for _ in range(500):  # bounded wait for the first rounds; no assertion on how long it took
            if world.store.state.tickets[ticket.id].status is TicketStatus.CLOSED:
                break
            await asyncio.sleep(0.01)
        assert world.store.state.tickets[ticket.id].status is TicketStatus.CLOSED
        assert world.opened["AssignPendingTickets"] >= 1
    finally:
        await queue.stop()
