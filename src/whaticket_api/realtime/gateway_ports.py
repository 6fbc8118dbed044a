"""What the Socket.IO gateway is given by its wiring: how to check a token, where a ticket sits, who is online, and
what to do when an agent comes online. Kept apart from the gateway so adapters and wiring can name them without
importing Socket.IO's machinery."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from typing import Protocol

from whaticket_core.domain.ticket import TicketPlacement
from whaticket_core.ports.presence import AgentPresence


class SocketUser(Protocol):
    """What ``authenticate`` returns: the core's ``Viewer`` fits, and so does anything with these attributes."""

    @property
    def user_id(self) -> int: ...

    @property
    def role(self) -> str: ...

    @property
    def queue_ids(self) -> Collection[int]: ...


class PresenceTracker(AgentPresence, Protocol):
    """Counts users' sockets (see ``whaticket_adapters.presence``): ``connected``/``disconnected`` return whether the
    user just came online / went offline; ``refresh`` is called every ``refresh_interval`` seconds while the process
    lives, so its claims outlive it by at most their expiry."""

    @property
    def refresh_interval(self) -> float: ...

    async def connected(self, user_id: int) -> bool: ...

    async def disconnected(self, user_id: int) -> bool: ...

    async def refresh(self) -> None: ...


AgentCameOnline = Callable[[int], Awaitable[None]]
"""Called (in the background) when a user's first socket connects: auto-assignment hands them the backlog."""

Authenticate = Callable[[str], Awaitable[SocketUser]]
"""Checks an access token (signature, expiry, token version) and returns its user; raises a
:class:`~whaticket_core.domain.errors.DomainError` (``InvalidToken``...) when it is not valid."""

TicketPlacementLookup = Callable[[int], Awaitable[TicketPlacement | None]]
"""Where ticket ``id`` sits (status, queue, assignee), or None when it does not exist."""
