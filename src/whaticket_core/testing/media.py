from __future__ import annotations

import itertools

from ..domain.errors import MediaNotFound


class InMemoryMediaStore:
    def __init__(self) -> None:
        self.blobs: dict[str, tuple[bytes, str, str | None]] = {}
        self._ids = itertools.count(1)

    async def save(self, data: bytes, *, mime_type: str, file_name: str | None = None) -> str:
        key = f"media-{next(self._ids)}"
        self.blobs[key] = (data, mime_type, file_name)
        return key

    async def load(self, key: str) -> bytes:
        try:
            return self.blobs[key][0]
        except KeyError:
            raise MediaNotFound(f"No media {key!r}") from None

    async def delete(self, key: str) -> None:
        self.blobs.pop(key, None)
