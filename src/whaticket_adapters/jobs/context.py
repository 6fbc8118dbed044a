"""What a job needs from the application: a way to build a use case for one job run.

The API layer implements :class:`UseCaseFactory` so the jobs adapter never imports the API: its ``ContainerUseCases``
opens one dishka request scope (so one unit of work) per job run."""

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
