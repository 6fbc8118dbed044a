"""One log line per WhatsApp connection lifecycle event, with the connection's id: QR issued, connected, dropped,
reconnected, ended. The QR payload and the phone's keys are never logged."""

from __future__ import annotations

import logging
from datetime import datetime

from whaticket_core.domain.whatsapp import ConnectionStatus

log = logging.getLogger("whaticket.connections")
# States an operator has to know about (each logged once, when entered).
_WARNINGS = frozenset({ConnectionStatus.OUTDATED, ConnectionStatus.BANNED, ConnectionStatus.LOGGED_OUT})


class ConnectionLog:
    def __init__(self) -> None:
        self._last: dict[int, ConnectionStatus] = {}
        self._was_connected: set[int] = set()

    def qr(self, whatsapp_id: int) -> None:
        log.info("whatsapp %s: QR code issued, waiting for the scan", whatsapp_id, extra={"whatsapp_id": whatsapp_id})

    def status(self, whatsapp_id: int, status: ConnectionStatus, banned_until: datetime | None = None) -> None:
        previous = self._last.get(whatsapp_id)
        if previous is status:
            return
        self._last[whatsapp_id] = status
        if status is ConnectionStatus.CONNECTED:
            event = "reconnected" if whatsapp_id in self._was_connected else "connected"
            self._was_connected.add(whatsapp_id)
        elif status is ConnectionStatus.OPENING and previous is ConnectionStatus.CONNECTED:
            event = "connection dropped; reconnecting"
        elif status is ConnectionStatus.OPENING:
            event = "connecting"
        elif status is ConnectionStatus.DISCONNECTED:
            event = "disconnected (session ended)"
            self._was_connected.discard(whatsapp_id)
        elif status is ConnectionStatus.TIMEOUT:
            event = "QR code not scanned in time"
        elif status is ConnectionStatus.OUTDATED:
            event = "WhatsApp refuses this client version (outdated); not reconnecting until whaticket is upgraded"
        elif status is ConnectionStatus.BANNED:
            until = banned_until.isoformat() if banned_until is not None else "an unknown time"
            event = f"temporarily banned by WhatsApp until {until}; resuming by itself then"
        elif status is ConnectionStatus.LOGGED_OUT:
            event = "the phone removed this device; scan a new QR code to link it again"
            self._was_connected.discard(whatsapp_id)
        else:
            event = f"status {status.value}"
        level = logging.WARNING if status in _WARNINGS or event.startswith("connection dropped") else logging.INFO
        log.log(
            level, "whatsapp %s: %s", whatsapp_id, event, extra={"whatsapp_id": whatsapp_id, "status": status.value}
        )
