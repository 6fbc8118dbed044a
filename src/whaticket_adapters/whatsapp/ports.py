"""What the application holds of WhatsApp: the core's three transport ports, and a process's own sessions."""

from __future__ import annotations

from typing import Protocol

from whaticket_core.ports import MediaFetcher, MessageSender, SessionController


class WhatsAppPorts(MessageSender, SessionController, MediaFetcher, Protocol):
    """The core's ports a WhatsApp transport serves: sending, session control and media downloads. A transport of
    this process (:class:`WhatsAppTransport`) and the :class:`~.cluster.session_router.SessionRouter` in front of
    one both are."""


class WhatsAppTransport(WhatsAppPorts, Protocol):
    """A transport whose sessions run in this process (neonize, the simulator)."""

    def holds(self, whatsapp_id: int) -> bool:
        """Whether this process may act on connection ``whatsapp_id``'s session."""
        ...

    async def stop_session(self, whatsapp_id: int) -> None:
        """Stop holding the session without logging out (shutdown, lease lost): another process may resume it."""
        ...

    async def close(self) -> None:
        """Stop every session this process holds."""
        ...
