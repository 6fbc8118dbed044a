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
from whaticket_core.domain.webhooks import EVENTS

from .routing import deliveries_for


def stream_of(event: DomainEvent) -> str | None:
    match event:
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


class WebhookEventEncoder:
    """Implements the SQL outbox's ``WebhookEventEncoder``."""

    def encode(self, event: DomainEvent) -> list[EncodedEvent]:
        stream = stream_of(event)
        if stream is None:
            return []
        encoded = []
        for delivery in deliveries_for(event):
            name = delivery.event.replace(":", ".")
            if name in EVENTS:
                encoded.append(EncodedEvent(name, stream, msgspec.json.encode(delivery.data).decode()))
        return encoded


def is_webhook_event(event: DomainEvent) -> bool:
    return stream_of(event) is not None
