"""Pagination values: offset pages for admin lists, opaque keyset cursors for tickets and messages."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Generic, TypeVar

from .errors import InvalidInput

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR_INT = 2**63 - 1  # keyset ids are BIGINT: a larger number would overflow the query (a 500, not a 400)
MAX_CURSOR_TEXT = 64


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", "limit")
    return limit


@dataclass(frozen=True, slots=True)
class OffsetQuery:
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    search: str | None = None

    def __post_init__(self) -> None:
        check_limit(self.limit)
        if self.offset < 0:
            raise InvalidInput("offset must not be negative", "offset")


@dataclass(frozen=True, slots=True)
class OffsetPage(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class CursorPage(Generic[T]):
    items: list[T]
    next_cursor: str | None


def encode_cursor(*values: str | int) -> str:
    """Keyset values → an opaque, URL-safe token."""
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *types: type) -> tuple[str | int, ...]:
    """The keyset values of ``cursor``, checked against ``types`` (``str`` or ``int``); bad input is a 400."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("cursor is not valid", "cursor") from None
    if (
        not isinstance(values, list)
        or len(values) != len(types)
        or not all(type(v) is t and _in_range(v) for v, t in zip(values, types, strict=True))
    ):
        raise InvalidInput("cursor is not valid", "cursor")
    return tuple(values)


def _in_range(value: object) -> bool:
    if isinstance(value, int):
        return 0 <= value <= MAX_CURSOR_INT
    return isinstance(value, str) and len(value) <= MAX_CURSOR_TEXT and "\x00" not in value
