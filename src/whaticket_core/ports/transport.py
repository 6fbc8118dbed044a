from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..domain.message import MediaFile, SendErrorKind


@dataclass(frozen=True, slots=True)
class Recipient:
    """A chat on WhatsApp: a contact's number (E.164 digits) or a group id."""

    address: str
    is_group: bool = False


class MessageSender(Protocol):
    """Sends on a connected WhatsApp connection. Each send returns WhatsApp's message id. Failures raise
    :class:`TransportError`; ``retryable`` says whether trying again later may succeed."""

    async def send_text(
        self, whatsapp_id: int, to: Recipient, body: str, *, quoted_wa_message_id: str | None = None
    ) -> str: ...

    async def send_media(
        self,
        whatsapp_id: int,
        to: Recipient,
        media: MediaFile,
        *,
        caption: str = "",
        quoted_wa_message_id: str | None = None,
    ) -> str: ...

    async def edit_text(self, whatsapp_id: int, to: Recipient, wa_message_id: str, body: str) -> None: ...

    async def delete_for_everyone(self, whatsapp_id: int, to: Recipient, wa_message_id: str) -> None: ...

    async def mark_read(self, whatsapp_id: int, chat: Recipient, wa_message_ids: tuple[str, ...]) -> None: ...


class CallRejecter(Protocol):
    """Declines an incoming WhatsApp call (``call_id``, from ``caller``) on a connected connection, so the caller
    sees it refused instead of ringing out. Failures raise :class:`TransportError`."""

    async def reject_call(self, whatsapp_id: int, caller: Recipient, call_id: str) -> None: ...


class SessionController(Protocol):
    """Controls a connection's WhatsApp session. Progress (QR codes, status) comes back through the
    ``UpdateConnectionStatus`` / ``UpdateQrCode`` use cases, not as return values."""

    async def start_session(self, whatsapp_id: int) -> None: ...

    async def request_pair_code(self, whatsapp_id: int, phone_number: str) -> str: ...

    async def logout(self, whatsapp_id: int) -> None: ...


class TransportError(Exception):
    """A send that WhatsApp (or the way to it) refused.

    ``kind`` classifies it (see :class:`SendErrorKind`); without one, ``retryable`` picks ``transient`` or
    ``permanent``. With ``unknown`` (no answer in time), ``wa_message_id`` is the id the message went out under
    when the transport knows it, so a later receipt or echo of that id can settle the outcome."""

    def __init__(
        self,
        reason: str,
        *,
        retryable: bool = True,
        kind: SendErrorKind | None = None,
        wa_message_id: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind if kind is not None else (SendErrorKind.TRANSIENT if retryable else SendErrorKind.PERMANENT)
        self.retryable = self.kind.retryable
        self.wa_message_id = wa_message_id
