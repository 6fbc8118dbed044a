"""Realtime events as webhooks send them: the same payloads as Socket.IO, named with dots, each with its stream.

A webhook event is a client event of :func:`.routing.deliveries_for` (never a control delivery) that the contract
lists for webhooks. Its stream orders deliveries: a ticket's events and its messages' share ``ticket:<id>``.
"""

from __future__ import annotations

import msgspec

from whaticket_adapters.sql.database import EncodedEvent
from whaticket_core.domain.events import (
    ContactUpdated,
    DomainEvent,
    MessageCreated,
    MessageUpdated,
    TicketClosed,
    TicketCreated,
    TicketDeleted,
    TicketUpdated,
    WhatsAppStatusChanged,
)
from whaticket_core.domain.message import MediaType
from whaticket_core.domain.webhooks import EVENTS

from ..observability.logs import current_request
from .routing import deliveries_for


def stream_of(event: DomainEvent) -> str | None:
    match event:
        case MessageCreated(message=m) | MessageUpdated(message=m) if m.media_type is MediaType.NOTE:
            return None  # internal notes stay inside the helpdesk: integrations may pass what they get on
        case TicketCreated(ticket=t) | TicketUpdated(ticket=t) | TicketClosed(ticket=t):
            return f"ticket:{t.id}"
        case TicketDeleted(ticket_id=ticket_id):
            return f"ticket:{ticket_id}"
        case MessageCreated(ticket=t) | MessageUpdated(ticket=t):
            return f"ticket:{t.id}"
        case ContactUpdated(contact=contact):
            return f"contact:{contact.id}"
        case WhatsAppStatusChanged(whatsapp_id=whatsapp_id):
            return f"whatsapp:{whatsapp_id}"
    return None


def current_actor() -> str | None:
    """Who makes the current HTTP request, as the ``actor`` of the webhook events it causes: an API token (with the
    admin who issued it) or a person. None outside requests (WhatsApp's side, jobs)."""
    context = current_request()
    if context is None or context.user_id is None:
        return None
    if context.api_token_id is not None:
        actor = {"type": "apiToken", "id": context.api_token_id, "userId": context.user_id}
    else:
        actor = {"type": "user", "id": context.user_id}
    return msgspec.json.encode(actor).decode()


class WebhookEventEncoder:
    """Implements the SQL outbox's ``WebhookEventEncoder``."""

    def encode(self, event: DomainEvent) -> list[EncodedEvent]:
        stream = stream_of(event)
        if stream is None:
            return []
        actor = current_actor()
        encoded = []
        for delivery in deliveries_for(event):
            name = delivery.event.replace(":", ".")
            if name in EVENTS:
                encoded.append(EncodedEvent(name, stream, msgspec.json.encode(delivery.data).decode(), actor))
        return encoded


def is_webhook_event(event: DomainEvent) -> bool:
    return stream_of(event) is not None
