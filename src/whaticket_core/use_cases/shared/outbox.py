"""Asking for the delivery of a stored outbound message, after its commit.

The message row (``pending``) is the outbox: once it is committed the sweeper will deliver it whatever happens to
the job queue. So a failing enqueue (Redis down) must not turn the request into an error: the client would retry a
request that did succeed, and the customer would get the message twice.
"""

from __future__ import annotations

import logging

from whaticket_core.ports.jobs import DeliverMessageJob, JobQueue

log = logging.getLogger("whaticket.outbox")


async def request_delivery(jobs: JobQueue, message_id: int) -> None:
    """Enqueue the delivery of committed message ``message_id``; a failure is logged, never raised."""
    try:
        await jobs.enqueue(DeliverMessageJob(message_id))
    except Exception:
        log.warning(
            "could not enqueue the delivery of message %s; the sweeper will deliver it", message_id, exc_info=True
        )
