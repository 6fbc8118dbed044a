"""Background jobs behind the core's JobQueue port: SAQ on Redis (production) or asyncio tasks (embedded)."""

from .context import JobContext, UseCaseFactory
from .in_process import InProcessJobQueue
from .policy import DEFAULT_POLICIES, RetryPolicies, RetryPolicy
from .saq_queue import JobQueueUnavailable, SaqJobQueue

__all__ = [
    "DEFAULT_POLICIES",
    "InProcessJobQueue",
    "JobContext",
    "JobQueueUnavailable",
    "RetryPolicies",
    "RetryPolicy",
    "SaqJobQueue",
    "UseCaseFactory",
]
