"""WhatsApp connections: the company's linked numbers."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class ConnectionStatus(enum.StrEnum):
    DISCONNECTED = "DISCONNECTED"
    OPENING = "OPENING"
    QRCODE = "QRCODE"
    PAIRING = "PAIRING"
    CONNECTED = "CONNECTED"
    TIMEOUT = "TIMEOUT"


@dataclass(slots=True)
class WhatsApp:
    name: str
    status: ConnectionStatus
    is_default: bool
    updated_at: datetime
    number: str | None = None
    greeting_message: str = ""
    farewell_message: str = ""
    queue_ids: list[int] = field(default_factory=list)
    qrcode: str | None = None
    id: int = 0

    def enter(self, status: ConnectionStatus, *, number: str | None = None, qrcode: str | None = None) -> bool:
        """Move the connection to ``status``. Only ``QRCODE`` keeps a QR code (``qrcode`` replaces it); any other
        status drops it. ``number`` (normalised by the caller) records the linked phone once known. Returns whether
        the status or the number changed."""
        changed = self.status is not status or (number is not None and number != self.number)
        self.status = status
        if number is not None:
            self.number = number
        if status is not ConnectionStatus.QRCODE:
            self.qrcode = None
        elif qrcode is not None:
            self.qrcode = qrcode
        return changed
