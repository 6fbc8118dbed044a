"""Retrying a whole transaction after a lost race, and the signal a job uses to ask for another try later."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from whaticket_core.domain.errors import ConcurrentUpdate
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict

T = TypeVar("T")

# Two racing deliveries settle in two rounds (the loser of the insert race finds the winner's rows on its retry);
# a few more absorb bursts of many writers for the same contact.
MAX_TRANSACTION_ATTEMPTS = 5


async def retry_on_conflict(transaction: Callable[[], Awaitable[T]], attempts: int = MAX_TRANSACTION_ATTEMPTS) -> T:
    """Run ``transaction`` (which opens, fills and commits its own unit of work) again from scratch each time it
    raises :class:`StoreConflict`; after ``attempts`` losses raise :class:`ConcurrentUpdate`."""
    last: StoreConflict | None = None
    for _ in range(attempts):
        try:
            return await transaction()
        except StoreConflict as exc:
            last = exc
    raise ConcurrentUpdate(
        f"Gave up after {attempts} conflicting attempts",
        constraint=(last.constraint if last else Constraint.OTHER).value,
    ) from last


class RetryLater(Exception):
    """Raised by a job's use case when the work may succeed later (a retryable transport failure): the job runner
    should run the job again with backoff. The use case has already saved whatever progress it made."""

    def __init__(self, reason: str, *, attempt: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempt = attempt
