from __future__ import annotations

from collections.abc import Collection
from typing import Protocol


class AgentPresence(Protocol):
    """Which agents are online: a user is online while at least one of their sockets is connected, to any server
    process of the deployment. A process that dies stops counting its sockets within the adapter's expiry."""

    async def online(self, user_ids: Collection[int]) -> frozenset[int]:
        """The users among ``user_ids`` that are online now."""
        ...
