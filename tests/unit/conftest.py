"""Shared unit-test fixtures: a ``world`` of in-memory fakes (see ``fake_world``).

Every test using the world also checks the webhook outbox rule: each event a use case published that integrations
receive was recorded in the outbox of the transaction that caused it (a use case that publishes without recording
would lose webhooks on a crash after commit).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_world import World

from whaticket_core.domain.events import (
    ContactUpdated,
    MessageCreated,
    MessageUpdated,
    TicketClosed,
    TicketCreated,
    TicketDeleted,
    TicketUpdated,
    WhatsAppStatusChanged,
)

WEBHOOK_EVENTS = (
    TicketCreated,
    TicketUpdated,
    TicketClosed,
    TicketDeleted,
    MessageCreated,
    MessageUpdated,
    ContactUpdated,
    WhatsAppStatusChanged,
)


@pytest.fixture
def world() -> Iterator[World]:
    world = World()
    published: list[object] = []
    original = world.publisher.publish

    async def publish_and_remember(events):  # type: ignore[no-untyped-def]
        published.extend(events)
        await original(events)

    world.publisher.publish = publish_and_remember  # type: ignore[method-assign]
    yield world
    missing = [e for e in published if isinstance(e, WEBHOOK_EVENTS) and e not in world.state.outbox]
    assert not missing, f"published without being recorded in the outbox: {missing[:3]}"
