"""Presence for one server process holding every socket (the embedded default)."""

from __future__ import annotations

from collections.abc import Collection


class InMemoryPresence:
    """Implements :class:`~whaticket_core.ports.presence.AgentPresence` from this process's sockets.

    The gateway calls :meth:`connected` and :meth:`disconnected` per socket; each returns whether the user just
    came online (first socket) or went offline (last one)."""

    def __init__(self) -> None:
        self._sockets: dict[int, int] = {}

    async def connected(self, user_id: int) -> bool:
        count = self._sockets.get(user_id, 0) + 1
        self._sockets[user_id] = count
        return count == 1

    async def disconnected(self, user_id: int) -> bool:
        count = self._sockets.get(user_id, 0) - 1
        if count > 0:
            self._sockets[user_id] = count
            return False
        self._sockets.pop(user_id, None)
        return True

    async def online(self, user_ids: Collection[int]) -> frozenset[int]:
        return frozenset(u for u in user_ids if u in self._sockets)

    refresh_interval = 60.0  # nothing expires here: refresh is a no-op

    async def refresh(self) -> None:
        return None

    def local_users(self) -> frozenset[int]:
        return frozenset(self._sockets)
