"""Turning a store's broken uniqueness rule into the domain error it means for the use case at hand."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping

from whaticket_core.ports.unit_of_work import Constraint, StoreConflict

ErrorFactory = Callable[[], Exception | Awaitable[Exception]]


async def explain_conflict(conflict: StoreConflict, errors: Mapping[Constraint, ErrorFactory]) -> Exception:
    """The error to raise for ``conflict``: what ``errors`` makes for its constraint, else the conflict itself (a
    rule the use case did not expect stays a plain conflict). A factory may be async, to name the racing writer that
    won in a fresh transaction."""
    make = errors.get(conflict.constraint)
    if make is None:
        return conflict
    error = make()
    return await error if inspect.isawaitable(error) else error
