"""Media bytes as files in one folder (``DATA_DIR/media`` by default)."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import tempfile
from pathlib import Path

from whaticket_core.domain.errors import MediaNotFound

# Keys are generated here and never contain a path component, so a key from a request cannot escape the folder.
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class LocalMediaStore:
    """Implements :class:`~whaticket_core.ports.media.MediaStore` over a folder.

    Each blob is one file named by its random key. Writes go to a temporary file in the same folder and are renamed
    into place, so a reader never sees half a file and a crash leaves no partial blob under a key.
    """

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    @classmethod
    def in_data_dir(cls, data_dir: Path | str) -> LocalMediaStore:
        return cls(Path(data_dir) / "media")

    async def save(self, data: bytes, *, mime_type: str, file_name: str | None = None) -> str:
        key = secrets.token_urlsafe(24)
        await asyncio.to_thread(self._write, key, data)
        return key

    async def load(self, key: str) -> bytes:
        path = self._path(key)
        if path is None:
            raise MediaNotFound(f"No media {key!r}")
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise MediaNotFound(f"No media {key!r}") from None

    async def delete(self, key: str) -> None:
        path = self._path(key)
        if path is not None:
            await asyncio.to_thread(path.unlink, missing_ok=True)

    def _path(self, key: str) -> Path | None:
        if not _KEY.fullmatch(key):
            return None
        return self.root / key

    def _write(self, key: str, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.root / key)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
