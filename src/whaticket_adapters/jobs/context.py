"""What a job needs from the application: a way to build a use case for one job run.

The API layer implements :class:`UseCaseFactory` so the jobs adapter never imports the API; over dishka, one request
scope (so one unit of work) per job run::

    class DishkaUseCases:
        def __init__(self, container: AsyncContainer) -> None:
            self._container = container

        @asynccontextmanager
        async def open(self, kind):
            async with self._container() as request:
                yield await request.get(kind)
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from .policy import DEFAULT_POLICIES, RetryPolicies

T = TypeVar("T")


class UseCaseFactory(Protocol):
    """``async with factory.open(DeliverMessage) as use_case: await use_case.execute(...)``: the use case with its
    dependencies, valid inside the block (its unit of work and connections are released on exit)."""

    def open(self, kind: type[T]) -> AbstractAsyncContextManager[T]: ...


@dataclass(frozen=True, slots=True)
class JobContext:
    use_cases: UseCaseFactory
    policies: RetryPolicies = field(default_factory=lambda: DEFAULT_POLICIES)
