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
    # Incoming calls are rejected (and ``call_reject_message`` sent, when set) instead of ringing unanswered.
    reject_calls: bool = False
    call_reject_message: str = ""
    id: int = 0
