from __future__ import annotations

from datetime import datetime
from typing import Protocol

from ..domain.api_tokens import ApiToken


class ApiTokenStore(Protocol):
    """Where API tokens live. Each call is its own short transaction (tokens are checked on every request of an
    integration: no unit of work for that).

    ``find_by_hash`` reads the committed state, so a deleted token stops working on the very next request.
    """

    async def add(self, token: ApiToken) -> ApiToken:
        """Stores ``token`` and returns it with its new id."""
        ...

    async def list(self) -> list[ApiToken]:
        """Every token, newest first."""
        ...

    async def delete(self, token_id: int) -> bool:
        """False when there was no such token."""
        ...

    async def find_by_hash(self, token_hash: str) -> ApiToken | None: ...

    async def mark_used(self, token_id: int, at: datetime) -> None:
        """Sets ``last_used_at``; a token deleted meanwhile is no error."""
        ...
