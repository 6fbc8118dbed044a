"""Failures the simulator injects on request: sends that fail as WhatsApp fails them (by ``errorKind``), and
inbound handlers that fail after the event was stored. Mixed into
:class:`~whaticket_adapters.whatsapp.simulator.transport.SimulatorTransport`."""

from __future__ import annotations

import json

from whaticket_adapters.whatsapp.pacing import SendPacer
from whaticket_adapters.whatsapp.simulator.state import SimulatorState
from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.message import SendErrorKind
from whaticket_core.ports.transport import TransportError

# What ``fail_next`` accepts (the simulator route's ``errorKind``) and the send error each one raises.
FAILURE_KINDS = {
    "permanent": SendErrorKind.PERMANENT,
    "rate_limited": SendErrorKind.RATE_LIMITED,
    "transient": SendErrorKind.TRANSIENT,
    "timeout": SendErrorKind.UNKNOWN,
}


class SimulatedFailures:
    """Needs the transport's ``state`` and ``_pacer``."""

    state: SimulatorState
    _pacer: SendPacer

    async def fail_next(
        self, whatsapp_id: int, count: int, error: str = "simulated failure", kind: str = "transient"
    ) -> None:
        """The next ``count`` sends (texts, media, edits, deletions) fail with ``error``, as WhatsApp would fail
        them by ``kind``: ``permanent``, ``rate_limited`` (the connection's sends are then paused a moment),
        ``transient``, or ``timeout`` (WhatsApp takes the message but the answer never comes: the outbox has it,
        the sender learns only that the outcome is unknown, with the id)."""
        if kind not in FAILURE_KINDS:
            raise InvalidInput(f"errorKind is one of {', '.join(FAILURE_KINDS)}", "errorKind")
        await self.state.fail_next(whatsapp_id, count, json.dumps({"kind": kind, "error": error}))

    async def fail_inbound(self, whatsapp_id: int, count: int, error: str = "simulated handler failure") -> None:
        """The next ``count`` attempts to process an inbound event of the connection fail with ``error`` (after the
        event was stored): what a bug or an outage in a handler does. Read by the application's inbound dispatcher
        through :meth:`take_inbound_failure`."""
        await self.state.fail_next(whatsapp_id, count, error, channel="inbound")

    async def take_inbound_failure(self, whatsapp_id: int) -> str | None:
        return await self.state.take_failure(whatsapp_id, channel="inbound")

    async def _next_failure(self, whatsapp_id: int) -> TransportError | None:
        raw = await self.state.take_failure(whatsapp_id)
        if raw is None:
            return None
        try:
            queued = json.loads(raw)
            kind, reason = FAILURE_KINDS[queued["kind"]], str(queued["error"])
        except (ValueError, KeyError, TypeError):  # queued by an older release: a plain reason
            kind, reason = SendErrorKind.TRANSIENT, raw
        if kind is SendErrorKind.RATE_LIMITED:
            self._pacer.rate_limited(whatsapp_id)
        return TransportError(reason, kind=kind)
