"""The ``wa`` fixture: a NeonizeTransport over fake neonize clients."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from neonize_world import World


@pytest.fixture
async def wa(tmp_path: Path) -> AsyncIterator[World]:
    w = World(tmp_path)
    yield w
    await w.transport.close()
