from __future__ import annotations

import copy
from datetime import datetime

from ..domain.api_tokens import ApiToken


class InMemoryApiTokenStore:
    """Implements :class:`~whaticket_core.ports.api_tokens.ApiTokenStore` over a dict (copies in and out, like a
    database)."""

    def __init__(self) -> None:
        self.tokens: dict[int, ApiToken] = {}
        self._next_id = 0

    async def add(self, token: ApiToken) -> ApiToken:
        self._next_id += 1
        stored = copy.copy(token)
        stored.id = self._next_id
        self.tokens[stored.id] = stored
        return copy.copy(stored)

    async def list(self) -> list[ApiToken]:
        return [copy.copy(t) for t in sorted(self.tokens.values(), key=lambda t: t.id, reverse=True)]

    async def delete(self, token_id: int) -> bool:
        return self.tokens.pop(token_id, None) is not None

    async def find_by_hash(self, token_hash: str) -> ApiToken | None:
        found = next((t for t in self.tokens.values() if t.token_hash == token_hash), None)
        return copy.copy(found) if found else None

    async def mark_used(self, token_id: int, at: datetime) -> None:
        if token_id in self.tokens:
            self.tokens[token_id].last_used_at = at
