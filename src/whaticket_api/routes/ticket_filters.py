"""The ticket list's filters as query parameters, shared by the list, the counts and the counts per tag."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar.params import QueryParameter

from .common import MAX_ID

_ID_LIST = r"^[1-9]\d{0,8}(,[1-9]\d{0,8}){0,99}$"

StatusName = Literal["pending", "open", "closed"]
StatusQuery = Annotated[StatusName | None, QueryParameter(description="pending, open or closed")]
QueueIdsQuery = Annotated[
    str | None,
    QueryParameter(
        name="queueIds",
        pattern=_ID_LIST,
        max_length=1000,
        description="Comma-separated ids",
    ),
]
UserIdQuery = Annotated[int | None, QueryParameter(name="userId", ge=1, le=MAX_ID)]
UnreadQuery = Annotated[bool, QueryParameter(description="Only tickets with unread messages")]


TagIdsQuery = Annotated[
    str | None,
    QueryParameter(
        name="tagIds",
        pattern=_ID_LIST,
        max_length=1000,
        description="Comma-separated tag ids: tickets with any of them",
    ),
]
