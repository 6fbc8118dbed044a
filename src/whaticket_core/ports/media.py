from __future__ import annotations

from typing import Protocol


class MediaStore(Protocol):
    """Keeps media bytes under opaque keys. ``save`` returns the key; ``load`` raises
    :class:`~whaticket_core.domain.errors.MediaNotFound` for an unknown key; ``delete`` of an unknown key is a no-op."""

    async def save(self, data: bytes, *, mime_type: str, file_name: str | None = None) -> str: ...

    async def load(self, key: str) -> bytes: ...

    async def delete(self, key: str) -> None: ...


class MediaFetcher(Protocol):
    """Downloads an inbound message's media from WhatsApp, given the transport's ``media_ref`` stored with the
    message. Raises :class:`~whaticket_core.ports.transport.TransportError` when it cannot."""

    async def fetch(self, whatsapp_id: int, media_ref: str) -> bytes: ...
