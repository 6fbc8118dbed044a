from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class DeliverMessageJob:
    """Hand stored outbound message ``message_id`` to WhatsApp."""

    message_id: int


@dataclass(frozen=True, slots=True)
class DownloadMediaJob:
    """Fetch the media of inbound message ``message_id`` into the media store."""

    message_id: int


@dataclass(frozen=True, slots=True)
class SendReadReceiptsJob:
    """Tell WhatsApp the customer's messages ``wa_message_ids`` on ticket ``ticket_id`` were read."""

    ticket_id: int
    wa_message_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReleaseScheduledMessageJob:
    """Scheduled message ``message_id`` is due: put it in the outbox."""

    message_id: int


@dataclass(frozen=True, slots=True)
class ProcessInboxJob:
    """Process stored inbound event ``entry_id`` again (its earlier processing failed or never finished)."""

    entry_id: int


@dataclass(frozen=True, slots=True)
class DispatchWebhooksJob:
    """Send the webhook deliveries that are due (one waiting at a time is enough: it sends all that are due)."""


Job = (
    DeliverMessageJob
    | DownloadMediaJob
    | SendReadReceiptsJob
    | DispatchWebhooksJob
    | ReleaseScheduledMessageJob
    | ProcessInboxJob
)


class JobQueue(Protocol):
    """Background work, run at least once. Enqueueing a job whose twin (same kind and subject) is still waiting is a
    no-op, so callers may enqueue freely; jobs themselves must be idempotent. Call only after the commit that made
    the job's subject visible."""

    async def enqueue(self, job: Job) -> None: ...


class JobScheduler(Protocol):
    """Background work for later: ``job`` runs at ``at`` or soon after (at least once, as :class:`JobQueue` runs it),
    with the same dedupe. A scheduled job may be lost with its store (a crash of the embedded runner): callers keep
    what it is about in the database, where a periodic sweep finds it when it is overdue."""

    async def schedule(self, job: Job, at: datetime) -> None: ...
