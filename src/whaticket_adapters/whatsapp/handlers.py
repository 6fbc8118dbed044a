"""Where a transport hands what WhatsApp tells it: async callables the application binds to the core's use cases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.use_cases.inbound.inbound_commands import InboundCommand


async def _ignore(*_args: object) -> None:
    return None


@dataclass(frozen=True, slots=True)
class TransportHandlers:
    """One callable per kind of thing a transport reports.

    - ``on_inbound(command)``: a message, an edit, a deletion or a receipt (the core's ``InboundCommand``; the
      application runs each through its one table of inbound use cases);
    - ``on_status(whatsapp_id, status, number, banned_until)``: a session's status changed; ``number`` is the linked
      phone number once ``CONNECTED``; ``banned_until`` when WhatsApp lifts a ``BANNED`` connection's ban;
    - ``on_qr(whatsapp_id, qr)``: a new QR code to scan (the connection is then in ``QRCODE``).

    A handler that raises is logged by the transport, which carries on with the next event.
    """

    on_inbound: Callable[[InboundCommand], Awaitable[object]] = _ignore
    on_status: Callable[[int, ConnectionStatus, str | None, datetime | None], Awaitable[object]] = _ignore
    on_qr: Callable[[int, str], Awaitable[object]] = _ignore
