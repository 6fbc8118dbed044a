"""What a failed neonize send means, from whatsmeow's error text (neonize hands only the text across: its
``SendMessageError``/``UploadError`` carry the Go error's message, nothing typed).

The texts are whatsmeow's (go.mau.fi/whatsmeow): ``server returned error <code>`` when WhatsApp acknowledges a
message with an error code (463: the chat needs a privacy token this account lacks; 479: the account is restricted
from messaging), ``info query returned status <code>: <text>`` for a refused query (``429: rate-overlimit``; 404
``item-not-found`` for a number not on WhatsApp), ``upload failed with status code <code>`` for media the server
refused, ``info query timed out`` / ``context deadline exceeded`` when no answer came in time, ``websocket not
connected`` before anything left this process.
"""

from __future__ import annotations

import re

from whaticket_core.domain.message import SendErrorKind

# Codes WhatsApp answers a message with that no retry can change.
PERMANENT_SERVER_CODES = frozenset({400, 401, 403, 404, 406, 463, 479})
_SERVER_CODE = re.compile(r"server returned error\s*:?\s*(\d{3})")
_QUERY_STATUS = re.compile(r"info query returned status (\d{3})")
_UPLOAD_STATUS = re.compile(r"upload failed with status code (\d{3})")
_TIMEOUT_MARKERS = ("timed out", "deadline exceeded", "timeout")
_PERMANENT_MARKERS = ("not on whatsapp", "item-not-found", "not-acceptable", "invalid media")


def classify_send_error(text: str, *, message_may_have_left: bool = True) -> SendErrorKind:
    """The kind of failure whatsmeow's error ``text`` describes. ``message_may_have_left``: the failing call was
    the send itself, so a timeout means WhatsApp may have the message (``unknown``); for calls before it (an
    upload) a timeout is only ``transient``."""
    lowered = text.lower()
    if "rate-overlimit" in lowered or "429" in _codes(lowered):
        return SendErrorKind.RATE_LIMITED
    server = _SERVER_CODE.search(lowered)
    if server is not None:
        return SendErrorKind.PERMANENT if int(server.group(1)) in PERMANENT_SERVER_CODES else SendErrorKind.TRANSIENT
    for pattern in (_QUERY_STATUS, _UPLOAD_STATUS):
        status = pattern.search(lowered)
        if status is not None and 400 <= int(status.group(1)) < 500:
            return SendErrorKind.PERMANENT
    if any(marker in lowered for marker in _PERMANENT_MARKERS):
        return SendErrorKind.PERMANENT
    if any(marker in lowered for marker in _TIMEOUT_MARKERS):
        return SendErrorKind.UNKNOWN if message_may_have_left else SendErrorKind.TRANSIENT
    return SendErrorKind.TRANSIENT


def _codes(text: str) -> list[str]:
    return [
        match.group(1) for pattern in (_SERVER_CODE, _QUERY_STATUS, _UPLOAD_STATUS) for match in pattern.finditer(text)
    ]
