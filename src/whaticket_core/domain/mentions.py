"""@mentions in internal notes: ``@Ana`` or ``@Ana Silva`` names the user called that (case-insensitively)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from .user import User


def mentioned(body: str, users: Iterable[User]) -> list[User]:
    """The users ``body`` mentions, by id. A mention is ``@`` + the user's whole name, not glued to a word on either
    side (``ana@example.com`` mentions nobody; ``@Ana,`` and ``@Ana.`` do mention Ana). When one name is the start of
    another (``Ana`` and ``Ana Silva``), ``@Ana Silva`` mentions only the longer one. Users who share a name are all
    mentioned by it (callers keep those who may see the ticket)."""
    by_name: dict[str, list[User]] = defaultdict(list)
    for user in users:
        by_name[user.name.lower()].append(user)
    found: dict[int, User] = {}
    taken: list[tuple[int, int]] = []
    for name in sorted(by_name, key=len, reverse=True):
        pattern = re.compile(r"(?<![\w@])@" + re.escape(name) + r"(?!\w)", re.IGNORECASE)
        for match in pattern.finditer(body):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            found.update((u.id, u) for u in by_name[name])
    return [found[i] for i in sorted(found)]
