from __future__ import annotations

import os
from pathlib import Path

import pytest

from whaticket_adapters.media import LocalMediaStore
from whaticket_core.domain.errors import MediaNotFound


async def test_saved_bytes_load_back_under_a_plain_random_key(tmp_path: Path) -> None:
    store = LocalMediaStore.in_data_dir(tmp_path)
    key = await store.save(b"\x89PNG...", mime_type="image/png", file_name="a.png")
    other = await store.save(b"second", mime_type="text/plain")

    assert key != other
    assert "/" not in key
    assert ".." not in key
    assert await store.load(key) == b"\x89PNG..."
    assert sorted(p.name for p in (tmp_path / "media").iterdir()) == sorted([key, other])


async def test_unknown_key_raises_media_not_found(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    with pytest.raises(MediaNotFound):
        await store.load("nothing-here")


@pytest.mark.parametrize("key", ["../secret", "a/b", "..", "", "x" * 65, "/etc/passwd", "a.b"])
async def test_keys_with_path_components_are_rejected(tmp_path: Path, key: str) -> None:
    (tmp_path / "secret").write_bytes(b"outside")
    store = LocalMediaStore(tmp_path / "media")
    with pytest.raises(MediaNotFound):
        await store.load(key)
    await store.delete(key)
    assert (tmp_path / "secret").read_bytes() == b"outside"


async def test_delete_removes_and_tolerates_unknown_keys(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    key = await store.save(b"x", mime_type="text/plain")
    await store.delete(key)
    await store.delete(key)
    with pytest.raises(MediaNotFound):
        await store.load(key)


async def test_no_temporary_files_are_left_behind(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    for _ in range(3):
        await store.save(b"data", mime_type="text/plain")
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".")]
