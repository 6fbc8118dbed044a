"""After a commit with webhook events, a dispatch job is asked for, only while some webhook is active."""

from __future__ import annotations

from whaticket_api.webhook_kick import WebhookKickingPublisher
from whaticket_core.domain.events import UserSessionsRevoked, WhatsAppStatusChanged
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.ports.jobs import DispatchWebhooksJob
from whaticket_core.testing import InMemoryJobQueue, RecordingPublisher

CONNECTED = WhatsAppStatusChanged(1, ConnectionStatus.CONNECTED, None)


class Presence:
    def __init__(self, active: bool) -> None:
        self.active = active
        self.asked = 0

    async def any(self) -> bool:
        self.asked += 1
        return self.active


async def test_webhook_events_start_a_dispatch_when_a_webhook_is_active() -> None:
    inner, jobs = RecordingPublisher(), InMemoryJobQueue()
    await WebhookKickingPublisher(inner, jobs, Presence(True)).publish([CONNECTED])
    assert inner.events == [CONNECTED]
    assert jobs.waiting == [DispatchWebhooksJob()]


async def test_nothing_is_queued_without_active_webhooks_or_webhook_events() -> None:
    inner, jobs = RecordingPublisher(), InMemoryJobQueue()
    none_active = Presence(False)
    await WebhookKickingPublisher(inner, jobs, none_active).publish([CONNECTED])
    active = Presence(True)
    await WebhookKickingPublisher(inner, jobs, active).publish([UserSessionsRevoked(3)])
    assert jobs.waiting == []
    assert (none_active.asked, active.asked) == (1, 0)
    assert len(inner.events) == 2
