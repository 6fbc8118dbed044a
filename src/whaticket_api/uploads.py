"""Bounded request bodies for ``POST /messages``: streamed, counted, and spooled to disk.

Litestar's ``request.form()`` reads the whole body into memory before parsing it, so an upload route cannot use it
without holding every byte of every upload in RAM at once. Here the body is read chunk by chunk from the ASGI
stream: a declared ``Content-Length`` above the limit is refused (413) before a byte is read, and a body that grows
past it while streaming is refused as soon as it does. Multipart parts are parsed on the fly by python-multipart;
the file part goes to a temporary file that stays in memory only while small. A SHA-256 of the raw body is kept for
the idempotency fingerprint, so the body never has to be read twice.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from typing import IO, Any

from litestar import Request
from litestar.exceptions import HTTPException
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from whaticket_core.domain.errors import InvalidInput

SPOOL_IN_MEMORY_BYTES = 1024 * 1024  # a file part larger than this lives on disk until it is stored
MAX_FIELD_BYTES = 64 * 1024  # text fields (caption, ids) are small; a huge one is an attack, not a caption
MAX_PARTS = 16


def too_large(limit: int) -> HTTPException:
    return HTTPException(status_code=413, detail=f"Request body larger than {limit} bytes")


@dataclass
class ReceivedFile:
    """The uploaded file: its spool (rewound), size, declared name and content type."""

    spool: IO[bytes]
    size: int
    filename: str | None
    content_type: str

    def read(self) -> bytes:
        """The file's bytes (bounded by the upload limit): the core's media values are bytes by design."""
        self.spool.seek(0)
        return self.spool.read()

    def close(self) -> None:
        self.spool.close()


@dataclass
class ReceivedBody:
    """A bounded body: raw bytes (JSON) or parsed multipart fields and file, and the body's digest."""

    digest: str
    multipart: bool = False
    raw: bytes = b""
    fields: dict[str, str] = field(default_factory=dict)
    file: ReceivedFile | None = None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


def declared_length(request: Request[Any, Any, Any]) -> int | None:
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput("Content-Length is not a number", "body") from None


async def read_json_body(request: Request[Any, Any, Any], limit: int) -> ReceivedBody:
    """The whole (small) body, refused with 413 past ``limit``."""
    length = declared_length(request)
    if length is not None and length > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    total = 0
    digest = hashlib.sha256()
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise too_large(limit)
        digest.update(chunk)
        chunks.append(chunk)
    return ReceivedBody(digest.hexdigest(), raw=b"".join(chunks))


class _FormBuilder:
    """python-multipart callbacks collecting small text fields and one spooled file part."""

    def __init__(self, file_field: str) -> None:
        self.file_field = file_field
        self.fields: dict[str, str] = {}
        self.file: ReceivedFile | None = None
        self.parts = 0
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._text: bytearray | None = None
        self._spool: IO[bytes] | None = None
        self._size = 0

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._part_begin,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value_cb,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
        }

    def _part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise InvalidInput(f"A message takes at most {MAX_PARTS} form fields", "body")
        self._headers = {}

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_cb(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_name.lower()] = self._header_value
        self._header_name, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options and self._name == self.file_field:
            if self.file is not None or self._spool is not None:
                raise InvalidInput("Send one file per message", "file")
            self._spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)  # noqa: SIM115
            self._size = 0
            self._filename = options[b"filename"].decode("utf-8", "replace")
            self._content_type = self._headers.get(b"content-type", b"").decode("latin-1").strip()
        else:
            self._text = bytearray()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._spool is not None:
            self._spool.write(data[start:end])
            self._size += end - start
            return
        if self._text is not None:
            self._text += data[start:end]
            if len(self._text) > MAX_FIELD_BYTES:
                raise InvalidInput(f"{self._name or 'a field'} is too long", self._name or "body")

    def _part_end(self) -> None:
        if self._spool is not None:
            self._spool.seek(0)
            name = self._filename or None
            self.file = ReceivedFile(self._spool, self._size, name, self._content_type or "application/octet-stream")
            self._spool = None
        elif self._text is not None:
            try:
                self.fields[self._name] = self._text.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput(f"{self._name} is not UTF-8 text", self._name or "body") from None
            self._text = None

    def discard(self) -> None:
        for spool in (self._spool, self.file.spool if self.file else None):
            if spool is not None:
                spool.close()


async def read_multipart(request: Request[Any, Any, Any], limit: int, *, file_field: str = "file") -> ReceivedBody:
    """Parse a multipart body as it arrives: 413 before reading when ``Content-Length`` says it is too large, 413 as
    soon as the streamed bytes pass ``limit``; the file part spooled (to disk past 1 MiB), text fields kept."""
    length = declared_length(request)
    if length is not None and length > limit:
        raise too_large(limit)
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise InvalidInput("multipart/form-data needs a boundary", "body")
    builder = _FormBuilder(file_field)
    parser = MultipartParser(boundary, builder.callbacks())  # type: ignore[arg-type]
    digest = hashlib.sha256()
    total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > limit:
                raise too_large(limit)
            digest.update(chunk)
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        builder.discard()
        raise InvalidInput("The multipart body is malformed", "body") from None
    except BaseException:
        builder.discard()
        raise
    return ReceivedBody(digest.hexdigest(), multipart=True, fields=builder.fields, file=builder.file)
