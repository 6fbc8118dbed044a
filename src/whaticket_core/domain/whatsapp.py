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
    # WhatsApp refuses this client version (405): nothing but an upgrade helps, so no reconnect is tried.
    OUTDATED = "OUTDATED"
    # Temporarily banned until ``banned_until``; the session resumes by itself after it.
    BANNED = "BANNED"
    # The phone removed this linked device: a new QR scan is needed.
    LOGGED_OUT = "LOGGED_OUT"

    @property
    def wants_session(self) -> bool:
        """Whether a process should hold (and keep reconnecting) this connection's session. Ended sessions do not:
        a logout, an outdated client, a device removed from the phone. A banned one does: its holder waits out
        the ban and resumes it."""
        return self not in (ConnectionStatus.DISCONNECTED, ConnectionStatus.OUTDATED, ConnectionStatus.LOGGED_OUT)


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
    # With status BANNED: when WhatsApp lifts the ban (None when it did not say).
    banned_until: datetime | None = None
    id: int = 0

    def enter(
        self,
        status: ConnectionStatus,
        *,
        number: str | None = None,
        qrcode: str | None = None,
        banned_until: datetime | None = None,
    ) -> bool:
        """Move the connection to ``status``. Only ``QRCODE`` keeps a QR code (``qrcode`` replaces it); any other
        status drops it. Only ``BANNED`` keeps ``banned_until``. ``number`` (normalised by the caller) records the
        linked phone once known. Returns whether the status, the number or the ban's end changed."""
        until = banned_until if status is ConnectionStatus.BANNED else None
        changed = (
            self.status is not status or (number is not None and number != self.number) or until != self.banned_until
        )
        self.status = status
        self.banned_until = until
        if number is not None:
            self.number = number
        if status is not ConnectionStatus.QRCODE:
            self.qrcode = None
        elif qrcode is not None:
            self.qrcode = qrcode
        return changed
