"""Retry and backoff per kind of job, shared by the SAQ and the in-process runners."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from whaticket_core.domain.inbox import MAX_INBOX_ATTEMPTS
from whaticket_core.use_cases.messages.deliver_message import DEFAULT_MAX_ATTEMPTS


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``max_attempts`` runs in all; before attempt n+1 wait a random time up to ``min(max_delay, delay * 2**(n-1))``
    (SAQ's exponential backoff with jitter, which the in-process runner copies). ``timeout`` bounds one run."""

    max_attempts: int
    delay: float
    max_delay: float
    timeout: float

    def backoff(self, failed_attempts: int) -> float:
        return float(min(self.max_delay, self.delay * 2.0 ** max(failed_attempts - 1, 0)) * random.random())


@dataclass(frozen=True, slots=True)
class RetryPolicies:
    # Delivery gives up after DeliverMessage's own limit: the use case marks the message failed on the last attempt.
    deliver: RetryPolicy = RetryPolicy(DEFAULT_MAX_ATTEMPTS, delay=2.0, max_delay=60.0, timeout=60.0)
    # Media may need a while (large files); WhatsApp keeps it for weeks, so a few slow retries are fine.
    download: RetryPolicy = RetryPolicy(5, delay=5.0, max_delay=300.0, timeout=300.0)
    read_receipts: RetryPolicy = RetryPolicy(3, delay=2.0, max_delay=30.0, timeout=30.0)
    # Releasing a due scheduled message is one short transaction; the sweeper catches any it misses.
    release: RetryPolicy = RetryPolicy(5, delay=2.0, max_delay=60.0, timeout=60.0)
    # A failed inbound event: ProcessInboxEntry counts its own attempts and stops raising after the last one.
    inbox: RetryPolicy = RetryPolicy(MAX_INBOX_ATTEMPTS, delay=1.0, max_delay=30.0, timeout=60.0)
    sweep: RetryPolicy = field(default=RetryPolicy(1, delay=0.0, max_delay=0.0, timeout=60.0))
    # Webhook deliveries keep their own schedule (each row's next attempt): the job runs once, and ``delay`` is the
    # first wait between a delivery's attempts (then doubled, at most an hour). The timeout covers its polling budget.
    webhooks: RetryPolicy = field(default=RetryPolicy(1, delay=10.0, max_delay=3600.0, timeout=120.0))


DEFAULT_POLICIES = RetryPolicies()
