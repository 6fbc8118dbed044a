"""@mentions in internal notes: ``@Ana`` or ``@Ana Silva`` names the user called that (case-insensitively)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from .user import User


def mentioned(body: str, users: Iterable[User]) -> list[User]:
    """The users ``body`` mentions, by id. A mention is ``@`` + the user's whole name, not glued to a word on either
    side (``ana@example.com`` mentions nobody; ``@Ana,`` and ``@Ana.`` do mention Ana). When one name is the start of
    another (``Ana`` and ``Ana Silva``), ``@Ana Silva`` mentions only the longer one."""
    found: dict[int, User] = {}
    taken: list[tuple[int, int]] = []
    for user in sorted(users, key=lambda u: len(u.name), reverse=True):
        pattern = re.compile(r"(?<![\w@])@" + re.escape(user.name) + r"(?!\w)", re.IGNORECASE)
        for match in pattern.finditer(body):
            span = match.span()
            if any(start < span[1] and span[0] < end for start, end in taken):
                continue
            taken.append(span)
            found[user.id] = user
    return [found[i] for i in sorted(found)]
