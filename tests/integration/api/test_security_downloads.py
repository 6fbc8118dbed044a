"""Finding 10 and the inline part of finding 13: downloads of media with non-Latin-1 names answered 500, and
uploaded HTML/SVG/JavaScript were served inline (a stored page running as the API's origin)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from api_world import World, ok


async def _upload_and_download(world: World, name: str, mime: str, data: bytes) -> tuple[int, str, str]:
    c, h = world.client, world.admin.headers
    sent = await ok(
        await c.post(
            "/messages", data={"ticketId": str(world.t_pending)}, files={"file": (name, data, mime)}, headers=h
        ),
        201,
    )
    media = await c.get(f"/messages/{sent['id']}/media", headers=h)
    assert media.content == data
    return media.status_code, media.headers.get("content-disposition", ""), media.headers.get("content-type", "")


async def test_a_customer_file_name_in_cyrillic_downloads_with_rfc6266_names(world: World) -> None:
    status, disposition, _ = await _upload_and_download(world, "счёт.pdf", "application/pdf", b"%PDF-1.4 test")
    assert status == 200
    assert f"filename*=UTF-8''{quote('счёт.pdf', safe='')}" in disposition
    assert 'filename="____.pdf"' in disposition  # an ASCII fallback for old clients
    assert disposition.startswith("attachment")


@pytest.mark.parametrize(
    ("name", "mime"),
    [
        ("page.html", "text/html"),
        ("logo.svg", "image/svg+xml"),
        ("app.js", "application/javascript"),
        ("x.xhtml", "application/xhtml+xml"),
    ],
)
async def test_active_content_is_never_inline(world: World, name: str, mime: str) -> None:
    body = b"<script>fetch('/api/v1/auth/me')</script>"
    status, disposition, _ = await _upload_and_download(world, name, mime, body)
    assert status == 200
    assert disposition.startswith("attachment;")


async def test_plain_images_stay_inline(world: World) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    status, disposition, content_type = await _upload_and_download(world, "photo.png", "image/png", png)
    assert (status, content_type) == (200, "image/png")
    assert disposition == "inline; filename=\"photo.png\"; filename*=UTF-8''photo.png"
