"""Where a transport hands what WhatsApp tells it: async callables the application binds to the core's use cases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.use_cases.inbound.inbound_commands import (
    InboundCommand,
    InboundEdit,
    InboundMessage,
    InboundReceipt,
    InboundRevoke,
)


async def _ignore(*_args: object) -> None:
    return None


@dataclass(frozen=True, slots=True)
class TransportHandlers:
    """One callable per thing a transport reports.

    - ``on_message`` / ``on_edit`` / ``on_revoke`` / ``on_receipt``: the inbound commands (ReceiveMessage,
      ApplyInboundEdit, ApplyInboundRevoke, UpdateMessageAck);
    - ``on_status(whatsapp_id, status, number)``: a session's status changed (UpdateConnectionStatus); ``number`` is
      the linked phone number once ``CONNECTED``;
    - ``on_qr(whatsapp_id, qr)``: a new QR code to scan (UpdateQrCode; the connection is then in ``QRCODE``).

    A handler that raises is logged; the transport carries on with the next event.
    """

    on_message: Callable[[InboundMessage], Awaitable[object]] = _ignore
    on_edit: Callable[[InboundEdit], Awaitable[object]] = _ignore
    on_revoke: Callable[[InboundRevoke], Awaitable[object]] = _ignore
    on_receipt: Callable[[InboundReceipt], Awaitable[object]] = _ignore
    on_status: Callable[[int, ConnectionStatus, str | None], Awaitable[object]] = _ignore
    on_qr: Callable[[int, str], Awaitable[object]] = _ignore

    async def dispatch(self, command: InboundCommand) -> None:
        """Hand an inbound command to its handler (exceptions propagate: the caller decides how to report them)."""
        if isinstance(command, InboundMessage):
            await self.on_message(command)
        elif isinstance(command, InboundEdit):
            await self.on_edit(command)
        elif isinstance(command, InboundRevoke):
            await self.on_revoke(command)
        else:
            await self.on_receipt(command)
