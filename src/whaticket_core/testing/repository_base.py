"""What the in-memory repositories share: the working state of their unit of work and offset pages."""

from __future__ import annotations

import copy
import weakref
from typing import TYPE_CHECKING, TypeVar

from ..domain.pagination import OffsetPage, OffsetQuery
from .store import StoreState

if TYPE_CHECKING:
    from .unit_of_work import InMemoryUnitOfWork

T = TypeVar("T")


def page_of(items: list[T], query: OffsetQuery) -> OffsetPage[T]:
    return OffsetPage(
        items=copy.deepcopy(items[query.offset : query.offset + query.limit]),
        total=len(items),
        limit=query.limit,
        offset=query.offset,
    )


def matches(query: OffsetQuery, *texts: str | None) -> bool:
    if not query.search:
        return True
    needle = query.search.lower()
    return any(needle in (text or "").lower() for text in texts)


class InMemoryRepository:
    """Base of the in-memory repositories: they read and write the working copy of their unit of work."""

    def __init__(self, uow: InMemoryUnitOfWork) -> None:
        # A proxy, as the SQL repositories hold theirs: no reference cycle between a unit of work and its repositories.
        self._uow: InMemoryUnitOfWork = weakref.proxy(uow)

    @property
    def _s(self) -> StoreState:
        return self._uow.working
