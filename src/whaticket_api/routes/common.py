"""Shared route pieces: id and paging parameters, documented error answers, small converters."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter, QueryParameter

from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.pagination import DEFAULT_LIMIT, MAX_LIMIT, OffsetQuery

from ..errors import ErrorBody

# Ids are stored as 32-bit integers on some backends: anything larger names nothing and is refused as out of range.
MAX_ID = 2_147_483_647
MAX_OFFSET = 1_000_000_000
MAX_SEARCH = 200

PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="A positive integer id")]
BodyId = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
# Names are trimmed by the core: one visible character at least.
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=r"\S")]
Email = Annotated[
    str, msgspec.Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", examples=["ana@example.com"])
]
NewPassword = Annotated[str, msgspec.Meta(min_length=8, max_length=1024, description="At least 8 characters")]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"Page size, at most {MAX_LIMIT}")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_OFFSET)]
Search = Annotated[str | None, QueryParameter(max_length=MAX_SEARCH, description="Case-insensitive text filter")]
Cursor = Annotated[str | None, QueryParameter(max_length=512, description="Opaque cursor from nextCursor")]

_DESCRIPTIONS = {
    400: "Validation error (details.fields names the fields)",
    401: "Missing, invalid or expired access token",
    403: "The caller's role may not do this",
    404: "Not found (or not visible to the caller)",
    409: "Conflicts with the current state",
    413: "Request body too large",
    429: "Rate limited (see Retry-After)",
}


def errors(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the error answers a route may give (all in the one error shape)."""
    return {
        code: ResponseSpec(
            data_container=ErrorBody, description=_DESCRIPTIONS.get(code, "Error"), generate_examples=False
        )
        for code in codes
    }


# Every authenticated route can answer these.
AUTHED = (400, 401)


def offset_query(limit: int, offset: int, search: str | None) -> OffsetQuery:
    return OffsetQuery(limit=limit, offset=offset, search=(search.strip() or None) if search else None)


def parse_id_list(raw: str | None, field: str) -> frozenset[int] | None:
    """``1,2,3`` → ids; anything else is a validation error naming ``field``."""
    if raw is None or not raw.strip():
        return None
    ids: set[int] = set()
    for part in raw.split(","):
        part = part.strip()
        if not part.isdigit() or not 1 <= int(part) <= MAX_ID:
            raise InvalidInput(f"{field} must be a comma-separated list of ids", field)
        ids.add(int(part))
    return frozenset(ids)


__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT"]
