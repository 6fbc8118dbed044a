"""Webhooks never carry internal notes: integrations may show or send on what they receive."""

from __future__ import annotations

from test_realtime_contract import MESSAGE, TICKET

from whaticket_api.realtime.webhook_events import WebhookEventEncoder, is_webhook_event
from whaticket_core.domain.events import MessageCreated, MessageUpdated
from whaticket_core.domain.message import MediaType


def test_a_note_makes_no_webhook_event_while_an_ordinary_message_does() -> None:
    note = MESSAGE._replace(media_type=MediaType.NOTE, has_media=False)
    encoder = WebhookEventEncoder()
    assert encoder.encode(MessageCreated(note, TICKET)) == []
    assert encoder.encode(MessageUpdated(note, TICKET)) == []
    assert not is_webhook_event(MessageCreated(note, TICKET))
    assert [e.name for e in encoder.encode(MessageCreated(MESSAGE, TICKET))] == ["message.created"]
