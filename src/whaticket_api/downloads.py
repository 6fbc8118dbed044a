"""Headers of downloaded media: ``Content-Disposition`` per RFC 6266 and who may render inline.

File names come from customers and agents (``счёт.pdf``): HTTP headers are Latin-1, so the name travels twice, as
an ASCII fallback in ``filename`` and exactly, percent-encoded UTF-8, in ``filename*`` (RFC 5987), which every
current browser prefers. Only media types a browser renders without running anything are served ``inline``; HTML,
SVG, XML, JavaScript, PDF and everything unknown are ``attachment``, so an uploaded page can never run as our origin.
"""

from __future__ import annotations

from urllib.parse import quote

INLINE_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "audio/ogg",
        "audio/mpeg",
        "audio/mp4",
        "audio/aac",
        "audio/amr",
        "video/mp4",
        "video/3gpp",
        "video/webm",
    }
)
MAX_NAME_LENGTH = 200


def base_type(mime: str) -> str:
    return mime.split(";", 1)[0].strip().lower()


def is_inline_safe(mime: str) -> bool:
    return base_type(mime) in INLINE_TYPES


def content_disposition(mime: str, file_name: str | None) -> str:
    """``inline`` or ``attachment`` by media type, with the file name (if any) in both RFC 6266 forms."""
    disposition = "inline" if is_inline_safe(mime) else "attachment"
    name = "".join(c for c in (file_name or "") if c.isprintable())[:MAX_NAME_LENGTH].strip()
    if not name:
        return disposition
    fallback = "".join(c if c.isascii() and c not in '"\\%' else "_" for c in name)
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
