"""Tags: coloured labels agents put on tickets and contacts to sort and filter work."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

MAX_TAGS_PER_ITEM = 50


@dataclass(slots=True)
class Tag:
    name: str
    color: str
    id: int = 0


class TagView(NamedTuple):
    """A tag as a ticket or contact payload carries it (a named tuple, as the read models are: built per row)."""

    id: int
    name: str
    color: str

    @classmethod
    def of(cls, tag: Tag) -> TagView:
        return cls(tag.id, tag.name, tag.color)


@dataclass(frozen=True, slots=True)
class TagCount:
    """How many of the tickets matching a list filter carry tag ``tag_id``."""

    tag_id: int
    tickets: int
