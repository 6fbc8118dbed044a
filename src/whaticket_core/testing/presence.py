"""Presence of agents as a set the test controls."""

from __future__ import annotations

from collections.abc import Collection


class FakePresence:
    """Implements :class:`~whaticket_core.ports.presence.AgentPresence`: ``connect``/``disconnect`` stand for an
    agent's sockets (counted, like several browser tabs)."""

    def __init__(self) -> None:
        self._sockets: dict[int, int] = {}

    def connect(self, user_id: int) -> None:
        self._sockets[user_id] = self._sockets.get(user_id, 0) + 1

    def disconnect(self, user_id: int) -> None:
        left = self._sockets.get(user_id, 0) - 1
        if left > 0:
            self._sockets[user_id] = left
        else:
            self._sockets.pop(user_id, None)

    async def online(self, user_ids: Collection[int]) -> frozenset[int]:
        return frozenset(u for u in user_ids if u in self._sockets)
