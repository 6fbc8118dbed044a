"""The job functions: one per kind of job, shared by the SAQ worker and the in-process runner.

Each takes a :class:`JobContext`, the job's arguments and the attempt number (from 1), runs its use case in a scope of
its own, and raises to ask for another attempt: :class:`RetryLater` from the use case, or any unexpected error (a
database outage...). Delivery's final failure is the use case's business (it marks the message ``failed``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from whaticket_core.ports.jobs import (
    DeliverMessageJob,
    DispatchWebhooksJob,
    DownloadMediaJob,
    Job,
    ProcessInboxJob,
    ReleaseScheduledMessageJob,
    SendReadReceiptsJob,
)
from whaticket_core.use_cases.automation.assign_tickets import AssignPendingTickets, AssignPendingTicketsCommand
from whaticket_core.use_cases.automation.auto_close import AutoCloseIdleTickets, AutoCloseIdleTicketsCommand
from whaticket_core.use_cases.inbound.download_inbound_media import DownloadInboundMedia, DownloadInboundMediaCommand
from whaticket_core.use_cases.inbound.inbox import (
    ProcessInboxEntry,
    ProcessInboxEntryCommand,
    SweepInbox,
    SweepInboxCommand,
)
from whaticket_core.use_cases.integrations.dispatch_webhooks import DispatchWebhooks, DispatchWebhooksCommand
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage, DeliverMessageCommand
from whaticket_core.use_cases.messages.release_scheduled_message import (
    ReleaseScheduledMessage,
    ReleaseScheduledMessageCommand,
)
from whaticket_core.use_cases.messages.send_read_receipts import SendReadReceipts, SendReadReceiptsCommand
from whaticket_core.use_cases.messages.sweep_pending_messages import SweepPendingMessages, SweepPendingMessagesCommand

from .context import JobContext
from .policy import RetryPolicies, RetryPolicy

log = logging.getLogger("whaticket.jobs")

DELIVER = "whaticket.deliver_message"
DOWNLOAD = "whaticket.download_media"
READ_RECEIPTS = "whaticket.send_read_receipts"
SWEEP = "whaticket.sweep_pending_messages"
RELEASE = "whaticket.release_scheduled_message"
PROCESS_INBOX = "whaticket.process_inbox"
DISPATCH_WEBHOOKS = "whaticket.dispatch_webhooks"
# How long one dispatch job keeps polling for deliveries coming due (retries, new events) before it ends; the periodic
# run and the next event's enqueue start another.
DISPATCH_BUDGET_SECONDS = 50.0
DISPATCH_POLL_SECONDS = 1.0
AUTO_CLOSE = "whaticket.auto_close_idle_tickets"
ASSIGN = "whaticket.assign_pending_tickets"
# Run on a schedule (SAQ cron jobs in the workers, a timer in the in-process runner), never enqueued by the core.
PERIODIC = (SWEEP, AUTO_CLOSE, ASSIGN)


@dataclass(frozen=True, slots=True)
class JobSpec:
    """How a port-level job is queued: function name, dedupe key (kind and subject) and keyword arguments."""

    function: str
    key: str
    kwargs: dict[str, object]


def spec_of(job: Job) -> JobSpec:
    if isinstance(job, DeliverMessageJob):
        return JobSpec(DELIVER, f"deliver:{job.message_id}", {"message_id": job.message_id})
    if isinstance(job, DownloadMediaJob):
        return JobSpec(DOWNLOAD, f"download:{job.message_id}", {"message_id": job.message_id})
    if isinstance(job, SendReadReceiptsJob):
        digest = hashlib.sha256("\n".join(job.wa_message_ids).encode()).hexdigest()[:16]
        return JobSpec(
            READ_RECEIPTS,
            f"read:{job.ticket_id}:{digest}",
            {"ticket_id": job.ticket_id, "wa_message_ids": list(job.wa_message_ids)},
        )
    if isinstance(job, ReleaseScheduledMessageJob):
        return JobSpec(RELEASE, f"scheduled:{job.message_id}", {"message_id": job.message_id})
    if isinstance(job, ProcessInboxJob):
        return JobSpec(PROCESS_INBOX, f"inbox:{job.entry_id}", {"entry_id": job.entry_id})
    if isinstance(job, DispatchWebhooksJob):
        return JobSpec(DISPATCH_WEBHOOKS, "webhooks:dispatch", {})
    raise TypeError(f"unknown job {job!r}")


def policy_of(function: str, policies: RetryPolicies) -> RetryPolicy:
    return {
        DELIVER: policies.deliver,
        DOWNLOAD: policies.download,
        READ_RECEIPTS: policies.read_receipts,
        SWEEP: policies.sweep,
        RELEASE: policies.release,
        PROCESS_INBOX: policies.inbox,
        DISPATCH_WEBHOOKS: policies.webhooks,
        AUTO_CLOSE: policies.sweep,
        ASSIGN: policies.sweep,
    }[function]


async def deliver_message(context: JobContext, attempt: int, *, message_id: int) -> None:
    policy = context.policies.deliver
    command = DeliverMessageCommand(
        message_id,
        attempt=attempt,
        max_attempts=policy.max_attempts,
        # No run outlives the job's time limit: an older claim is a dead run's.
        claim_expires_after=timedelta(seconds=policy.timeout),
    )
    async with context.use_cases.open(DeliverMessage) as use_case:
        await use_case.execute(command)


async def download_media(context: JobContext, attempt: int, *, message_id: int) -> None:
    async with context.use_cases.open(DownloadInboundMedia) as use_case:
        await use_case.execute(DownloadInboundMediaCommand(message_id))


async def send_read_receipts(context: JobContext, attempt: int, *, ticket_id: int, wa_message_ids: list[str]) -> None:
    async with context.use_cases.open(SendReadReceipts) as use_case:
        await use_case.execute(SendReadReceiptsCommand(ticket_id, tuple(wa_message_ids)))


async def release_scheduled_message(context: JobContext, attempt: int, *, message_id: int) -> None:
    async with context.use_cases.open(ReleaseScheduledMessage) as use_case:
        await use_case.execute(ReleaseScheduledMessageCommand(message_id))


async def process_inbox(context: JobContext, attempt: int, *, entry_id: int) -> None:
    async with context.use_cases.open(ProcessInboxEntry) as use_case:
        await use_case.execute(ProcessInboxEntryCommand(entry_id, in_job=True))


async def sweep_pending_messages(context: JobContext, attempt: int = 1) -> int:
    """The periodic safety net: outbound messages left pending, and inbound events left unprocessed by a crash."""
    async with context.use_cases.open(SweepPendingMessages) as use_case:
        swept = await use_case.execute(SweepPendingMessagesCommand())
    async with context.use_cases.open(SweepInbox) as inbox:
        return swept + await inbox.execute(SweepInboxCommand())


async def dispatch_webhooks(context: JobContext, attempt: int = 1) -> int:
    """Send what is due, then keep polling (each second) while deliveries come due within the job's budget, so a
    retry a few seconds away does not wait for the next periodic run. Returns the number of attempts made."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DISPATCH_BUDGET_SECONDS
    command = DispatchWebhooksCommand(retry_base=timedelta(seconds=context.policies.webhooks.delay))
    attempts = 0
    while True:
        async with context.use_cases.open(DispatchWebhooks) as use_case:
            result = await use_case.execute(command)
        attempts += result.attempts
        if result.next_due is None:
            return attempts
        wait = max((result.next_due - datetime.now(UTC)).total_seconds(), 0.0)
        if loop.time() + wait > deadline:
            return attempts
        await asyncio.sleep(min(max(wait, 0.05), DISPATCH_POLL_SECONDS))


async def auto_close_idle_tickets(context: JobContext, attempt: int = 1) -> int:
    async with context.use_cases.open(AutoCloseIdleTickets) as use_case:
        result = await use_case.execute(AutoCloseIdleTicketsCommand())
    if result.warned or result.closed:  # silent runs (most of them) leave no line
        log.info("auto-close: %s warned, %s closed", result.warned, result.closed)
    return result.warned + result.closed


async def assign_pending_tickets(context: JobContext, attempt: int = 1) -> int:
    async with context.use_cases.open(AssignPendingTickets) as use_case:
        assigned = (await use_case.execute(AssignPendingTicketsCommand())).assigned
    if assigned:
        log.info("auto-assignment: %s tickets handed out", assigned)
    return assigned


FUNCTIONS = {
    DELIVER: deliver_message,
    DOWNLOAD: download_media,
    READ_RECEIPTS: send_read_receipts,
    SWEEP: sweep_pending_messages,
    RELEASE: release_scheduled_message,
    PROCESS_INBOX: process_inbox,
    DISPATCH_WEBHOOKS: dispatch_webhooks,
    AUTO_CLOSE: auto_close_idle_tickets,
    ASSIGN: assign_pending_tickets,
}


# Called after every attempt with (kind, outcome, attempt): "succeeded" or "failed". The process's metrics subscribe.
OutcomeListener = Callable[[str, str, int], None]
OUTCOME_LISTENERS: list[OutcomeListener] = []


def kind_of(function: str) -> str:
    """``whaticket.deliver_message`` -> ``deliver_message`` (the label metrics and logs use)."""
    return function.rpartition(".")[2]


def _notify(function: str, outcome: str, attempt: int) -> None:
    for listener in OUTCOME_LISTENERS:
        try:
            listener(kind_of(function), outcome, attempt)
        except Exception:  # a metrics hiccup never fails a job
            log.debug("job outcome listener failed", exc_info=True)


async def run(context: JobContext, function: str, attempt: int, kwargs: dict[str, object]) -> object:
    try:
        result = await FUNCTIONS[function](context, attempt, **kwargs)  # type: ignore[operator]
    except BaseException as error:
        _notify(function, "failed", attempt)
        ids = " ".join(f"{k}={v}" for k, v in sorted(kwargs.items()) if k.endswith("_id"))
        # One line with the job's ids; the runner (SAQ or in-process) decides about the retry.
        log.warning(
            "job %s %s attempt %s failed: %s: %s",
            kind_of(function),
            ids,
            attempt,
            type(error).__name__,
            " ".join(str(error).split())[:300],
            extra={
                "job": kind_of(function),
                "attempt": attempt,
                **{k: v for k, v in kwargs.items() if k.endswith("_id")},
            },
        )
        raise
    _notify(function, "succeeded", attempt)
    return result
