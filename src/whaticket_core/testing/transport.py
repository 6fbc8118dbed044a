from __future__ import annotations

import itertools
from dataclasses import dataclass

from ..domain.message import MediaFile, SendErrorKind
from ..ports.transport import Recipient, TransportError


@dataclass(frozen=True, slots=True)
class SentItem:
    """One thing the business sent, as the simulator's outbox shows it."""

    whatsapp_id: int
    kind: str  # text | media | edit | delete | read-receipt
    to: Recipient
    body: str = ""
    wa_message_id: str | None = None
    quoted_wa_message_id: str | None = None
    media: MediaFile | None = None
    wa_message_ids: tuple[str, ...] = ()


class FakeMessageSender:
    """Records every send in ``outbox``; ``fail_next`` makes the next sends raise TransportError."""

    def __init__(self) -> None:
        self.outbox: list[SentItem] = []
        self._ids = itertools.count(1)
        self._failures: list[TransportError] = []

    def fail_next(
        self,
        count: int,
        reason: str = "simulated failure",
        *,
        retryable: bool = True,
        kind: SendErrorKind | None = None,
    ) -> None:
        """The next ``count`` sends fail. ``kind`` ``unknown`` is a timeout after WhatsApp took the message: it is
        recorded in ``outbox`` and the error names its id, as a real timeout would leave it."""
        self._failures.extend(TransportError(reason, retryable=retryable, kind=kind) for _ in range(count))

    def _maybe_fail(self) -> None:
        if self._failures:
            raise self._failures.pop(0)

    async def send_text(
        self, whatsapp_id: int, to: Recipient, body: str, *, quoted_wa_message_id: str | None = None
    ) -> str:
        wa_id = f"OUT{next(self._ids)}"
        if self._failures and self._failures[0].kind is SendErrorKind.UNKNOWN:
            failure = self._failures.pop(0)
            self.outbox.append(SentItem(whatsapp_id, "text", to, body, wa_id, quoted_wa_message_id))
            raise TransportError(failure.reason, kind=SendErrorKind.UNKNOWN, wa_message_id=wa_id)
        self._maybe_fail()
        self.outbox.append(SentItem(whatsapp_id, "text", to, body, wa_id, quoted_wa_message_id))
        return wa_id

    async def send_media(
        self,
        whatsapp_id: int,
        to: Recipient,
        media: MediaFile,
        *,
        caption: str = "",
        quoted_wa_message_id: str | None = None,
    ) -> str:
        self._maybe_fail()
        wa_id = f"OUT{next(self._ids)}"
        self.outbox.append(SentItem(whatsapp_id, "media", to, caption, wa_id, quoted_wa_message_id, media))
        return wa_id

    async def edit_text(self, whatsapp_id: int, to: Recipient, wa_message_id: str, body: str) -> None:
        self._maybe_fail()
        self.outbox.append(SentItem(whatsapp_id, "edit", to, body, wa_message_id))

    async def delete_for_everyone(self, whatsapp_id: int, to: Recipient, wa_message_id: str) -> None:
        self._maybe_fail()
        self.outbox.append(SentItem(whatsapp_id, "delete", to, "", wa_message_id))

    async def mark_read(self, whatsapp_id: int, chat: Recipient, wa_message_ids: tuple[str, ...]) -> None:
        self.outbox.append(SentItem(whatsapp_id, "read-receipt", chat, wa_message_ids=wa_message_ids))

    def texts(self) -> list[str]:
        return [item.body for item in self.outbox if item.kind == "text"]


class FakeSessionController:
    def __init__(self) -> None:
        self.started: list[int] = []
        self.logged_out: list[int] = []

    async def start_session(self, whatsapp_id: int) -> None:
        self.started.append(whatsapp_id)

    async def request_pair_code(self, whatsapp_id: int, phone_number: str) -> str:
        return "ABCD-EFGH"

    async def logout(self, whatsapp_id: int) -> None:
        self.logged_out.append(whatsapp_id)


class FakeMediaFetcher:
    def __init__(self) -> None:
        self.media: dict[str, bytes] = {}

    async def fetch(self, whatsapp_id: int, media_ref: str) -> bytes:
        try:
            return self.media[media_ref]
        except KeyError:
            raise TransportError(f"media {media_ref!r} is gone", retryable=False) from None


class FakeCallRejecter:
    """Records each rejected call; ``fail_next_rejection`` makes the next rejections fail."""

    def __init__(self) -> None:
        self.rejected: list[tuple[int, Recipient, str]] = []
        self._rejection_failures = 0

    def fail_next_rejection(self, count: int = 1) -> None:
        self._rejection_failures += count

    async def reject_call(self, whatsapp_id: int, caller: Recipient, call_id: str) -> None:
        if self._rejection_failures:
            self._rejection_failures -= 1
            raise TransportError("simulated rejection failure", retryable=False)
        self.rejected.append((whatsapp_id, caller, call_id))
