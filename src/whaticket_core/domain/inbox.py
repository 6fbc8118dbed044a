"""The inbox: every inbound WhatsApp event is stored before it is processed, so none is lost or processed twice.

An entry is keyed by connection, kind and the event's WhatsApp identity (a redelivery finds the stored entry). It is
``pending`` until processed, then ``done``; a failed processing leaves it ``failed`` with the error and the number of
attempts, retried with backoff up to :data:`MAX_INBOX_ATTEMPTS`, then kept for an admin to see and retry.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

MAX_INBOX_ATTEMPTS = 5
MAX_INBOX_ERROR_LENGTH = 500


class InboxKind(enum.StrEnum):
    MESSAGE = "message"
    EDIT = "edit"
    REVOKE = "revoke"
    RECEIPT = "receipt"
    REACTION = "reaction"
    CALL = "call"
    IDENTITY = "identity"


class InboxStatus(enum.StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass(slots=True)
class InboxEntry:
    whatsapp_id: int
    kind: InboxKind
    # The event's WhatsApp identity within its kind (a message id, a call id...): what makes a redelivery a no-op.
    key: str
    # The event as the transport reported it (encoded by the inbox codec), to process it again from the store.
    payload: str
    received_at: datetime
    status: InboxStatus = InboxStatus.PENDING
    attempts: int = 0
    error: str | None = None
    processed_at: datetime | None = None
    id: int = 0

    def succeeded(self, now: datetime) -> None:
        self.status = InboxStatus.DONE
        self.attempts += 1
        self.error = None
        self.processed_at = now

    def failed(self, error: str, now: datetime) -> None:
        self.status = InboxStatus.FAILED
        self.attempts += 1
        self.error = error[:MAX_INBOX_ERROR_LENGTH]
        self.processed_at = now

    @property
    def retries_left(self) -> bool:
        return self.status is InboxStatus.FAILED and self.attempts < MAX_INBOX_ATTEMPTS
