"""The two outboxes: outbound WhatsApp messages, and the events integrations receive (webhooks).

An outbound message row (``pending``) is its own outbox: once it is committed the sweeper will deliver it whatever
happens to the job queue. So a failing enqueue (Redis down) must not turn the request into an error: the client would
retry a request that did succeed, and the customer would get the message twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from whaticket_core.domain.events import DomainEvent
from whaticket_core.ports.jobs import DeliverMessageJob, JobQueue
from whaticket_core.ports.unit_of_work import UnitOfWork

log = logging.getLogger("whaticket.outbox")


async def request_delivery(jobs: JobQueue, message_id: int) -> None:
    """Enqueue the delivery of committed message ``message_id``; a failure is logged, never raised."""
    try:
        await jobs.enqueue(DeliverMessageJob(message_id))
    except Exception:
        log.warning(
            "could not enqueue the delivery of message %s; the sweeper will deliver it", message_id, exc_info=True
        )


async def commit_with(uow: UnitOfWork, events: Sequence[DomainEvent]) -> list[DomainEvent]:
    """Record ``events`` in the unit of work's event outbox and commit: the change and what integrations will be told
    of it are one transaction. Returns the events, for the caller to publish once committed."""
    await uow.outbox.record(events)
    await uow.commit()
    return list(events)
