"""Queues: the departments tickets are routed to."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import InvalidInput

_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(slots=True)
class Queue:
    name: str
    color: str
    greeting_message: str = ""
    user_ids: list[int] = field(default_factory=list)
    id: int = 0


def normalize_color(color: str) -> str:
    """Colours are ``#RRGGBB``; stored upper-case so ``#ff0000`` and ``#FF0000`` are the same colour."""
    if not _COLOR.match(color):
        raise InvalidInput("color must be #RRGGBB", "color")
    return color.upper()
