"""Shared unit-test fixtures: a ``world`` of in-memory fakes (see ``fake_world``)."""

from __future__ import annotations

import pytest
from fake_world import World


@pytest.fixture
def world() -> World:
    return World()
