"""Finding 1: uploads are bounded. An attacker's oversized multipart POST /messages is refused with 413 before the
body is read (declared Content-Length) or as soon as the streamed bytes pass MAX_UPLOAD_BYTES (no Content-Length),
and what is accepted is streamed to a spool, not buffered whole."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from api_harness import Live, build_app, client_for, running
from api_world import World, ok
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_api import uploads

LIMIT = 256 * 1024
CHUNK = 16 * 1024


class Body:
    """A multipart body produced chunk by chunk, counting what the server pulled."""

    def __init__(self, ticket_id: int, file_bytes: int) -> None:
        self.boundary = uuid.uuid4().hex
        self.head = (
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="ticketId"\r\n\r\n{ticket_id}\r\n'
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{self.boundary}--\r\n".encode()
        self.file_bytes = file_bytes
        self.pulled = 0

    @property
    def length(self) -> int:
        return len(self.head) + self.file_bytes + len(self.tail)

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    async def chunks(self) -> AsyncIterator[bytes]:
        self.pulled += len(self.head)
        yield self.head
        left = self.file_bytes
        while left:
            n = min(CHUNK, left)
            left -= n
            self.pulled += n
            yield b"\xab" * n
        self.pulled += len(self.tail)
        yield self.tail


async def _world(engine: AsyncEngine, live: Live, tmp_path: Path) -> AsyncIterator[World]:
    app = build_app(engine, live, tmp_path, max_upload_bytes=LIMIT)
    async with running(app), client_for(app) as client:
        yield await World(client, app).seed()


async def test_a_declared_oversized_upload_is_413_before_a_byte_is_read(
    clean_db: AsyncEngine, live: Live, tmp_path: Path
) -> None:
    async for world in _world(clean_db, live, tmp_path):
        body = Body(world.t_pending, 4 * LIMIT)
        headers = {**world.admin.headers, "Content-Type": body.content_type, "Content-Length": str(body.length)}
        answer = await world.client.post("/messages", content=body.chunks(), headers=headers)
        assert (answer.status_code, answer.json()["code"]) == (413, "payload_too_large")
        assert body.pulled <= len(body.head)  # at most the first chunk was ever pulled from the client
        page = await ok(await world.client.get("/messages", params={"ticketId": world.t_pending}, headers=headers))
        assert [m["mediaType"] for m in page["items"]] == [None]  # only the customer's message: nothing stored


async def test_a_streamed_upload_without_length_is_cut_off_at_the_limit(
    clean_db: AsyncEngine, live: Live, tmp_path: Path
) -> None:
    async for world in _world(clean_db, live, tmp_path):
        body = Body(world.t_pending, 64 * LIMIT)  # 16 MiB, sent chunked (no Content-Length)
        headers = {**world.admin.headers, "Content-Type": body.content_type}
        answer = await world.client.post("/messages", content=body.chunks(), headers=headers)
        assert (answer.status_code, answer.json()["code"]) == (413, "payload_too_large")
        assert body.pulled <= LIMIT + CHUNK + len(body.head)  # reading stopped at the limit, not at the end
        assert not any((tmp_path / "media").glob("*"))  # no media file left behind


async def test_an_upload_within_the_limit_is_streamed_and_stored_intact(
    clean_db: AsyncEngine, live: Live, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rolled: list[bool] = []
    real_spool = tempfile.SpooledTemporaryFile

    def watched_spool(*args: Any, **kwargs: Any) -> Any:
        spool = real_spool(*args, **kwargs)
        real_rollover = spool.rollover

        def rollover() -> None:
            rolled.append(True)
            real_rollover()

        spool.rollover = rollover  # type: ignore[method-assign]
        return spool

    monkeypatch.setattr(uploads, "SPOOL_IN_MEMORY_BYTES", 8 * 1024)
    monkeypatch.setattr(uploads.tempfile, "SpooledTemporaryFile", watched_spool)
    async for world in _world(clean_db, live, tmp_path):
        body = Body(world.t_pending, LIMIT - 4096)  # larger than the in-memory spool threshold
        headers = {**world.admin.headers, "Content-Type": body.content_type}
        sent = await ok(await world.client.post("/messages", content=body.chunks(), headers=headers), 201)
        media = await world.client.get(f"/messages/{sent['id']}/media", headers=world.admin.headers)
        assert media.status_code == 200
        assert media.content == b"\xab" * (LIMIT - 4096)
        assert rolled  # the file part went to disk once past the threshold


async def test_json_bodies_keep_their_own_limit(clean_db: AsyncEngine, live: Live, tmp_path: Path) -> None:
    app = build_app(clean_db, live, tmp_path, max_body_bytes=2048)
    async with running(app), client_for(app) as client:
        world = await World(client, app).seed()
        big = await client.post(
            "/messages", json={"ticketId": world.t_pending, "body": "x" * 3000}, headers=world.admin.headers
        )
        assert (big.status_code, big.json()["code"]) == (413, "payload_too_large")
