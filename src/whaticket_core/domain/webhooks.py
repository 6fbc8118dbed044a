"""Webhooks: subscriptions of integrations to the realtime events, delivered as signed HTTP POSTs.

A delivery is one event for one webhook. It is written in the transaction of the change (the outbox), sent by a job,
retried with exponential backoff for at least a day, and kept with its last outcome for the delivery log. Deliveries
of one stream (a ticket and its messages, a contact, a connection) go out one at a time in the order they were
written, so a receiver never sees ``message.updated`` before the ``message.created`` it follows.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from .errors import InvalidInput

EVENTS = (
    "ticket.created",
    "ticket.updated",
    "ticket.closed",
    "ticket.deleted",
    "message.created",
    "message.updated",
    "contact.updated",
    "whatsapp.connection",
)
ALL_EVENTS = "*"
SECRET_MARK = "whsec_"
MAX_URL_LENGTH = 2048
MAX_DESCRIPTION_LENGTH = 500
# After this many failed attempts in a row (any of its deliveries) a webhook is switched off: a receiver gone for
# good stops costing work, and its admin sees ``active: false``.
MAX_CONSECUTIVE_FAILURES = 50
# A delivery is retried until it has been failing this long (then ``failed``): receivers down for a day still get it.
RETRY_WINDOW = timedelta(hours=24)
MAX_RETRY_DELAY = timedelta(hours=1)
DEFAULT_RETRY_BASE = timedelta(seconds=10)
# Finished deliveries (delivered or failed) are kept this long for the delivery log, then deleted.
DELIVERY_RETENTION = timedelta(days=30)
# How much of a receiver's answer is kept (for the delivery log): enough to recognise an error page, no more.
EXCERPT_LENGTH = 256
DELIVERY_TIMEOUT_SECONDS = 10.0


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(slots=True)
class Webhook:
    url: str
    events: frozenset[str]
    secret: str
    created_at: datetime
    description: str | None = None
    active: bool = True
    consecutive_failures: int = 0
    id: int = 0

    def wants(self, event: str) -> bool:
        return ALL_EVENTS in self.events or event in self.events


@dataclass(slots=True)
class WebhookDelivery:
    webhook_id: int
    event_id: str
    event: str
    stream: str  # deliveries of one stream go out in order: "ticket:7", "contact:3", "whatsapp:1"
    data: str  # the event's payload as JSON text, exactly as it will be sent
    created_at: datetime
    next_attempt_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempt: int = 0
    response_status: int | None = None
    duration_ms: int | None = None
    response_excerpt: str | None = None
    last_attempt_at: datetime | None = None
    # Who caused the event, as a JSON object (a person, or an API token and its issuer); None for WhatsApp's side and
    # the system's own work.
    actor: str | None = None
    id: int = 0

    def body(self) -> bytes:
        """The POSTed JSON ``{id, event, createdAt, actor, data}``: the same bytes on every attempt, so a receiver
        can deduplicate on ``id`` and verify the signature over exactly what it got."""
        created = self.created_at.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        actor = self.actor or "null"
        head = f'{{"id":{self.id},"event":"{self.event}","createdAt":"{created}","actor":{actor},"data":'
        return head.encode() + self.data.encode() + b"}"


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    """A delivery a dispatcher holds for one attempt, with where and how to send it."""

    delivery: WebhookDelivery
    url: str
    secret: str


def retry_delay(attempt: int, base: timedelta = DEFAULT_RETRY_BASE) -> timedelta:
    """The wait after failed attempt ``attempt`` (from 1): base, twice that, four times..., at most an hour."""
    delay: timedelta = base * (2 ** max(attempt - 1, 0))
    return min(delay, MAX_RETRY_DELAY)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Whaticket-Signature`` header: ``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def new_secret() -> str:
    return SECRET_MARK + secrets.token_urlsafe(32)


def parse_events(values: list[str] | tuple[str, ...]) -> frozenset[str]:
    if not values:
        raise InvalidInput('a webhook needs at least one event (or "*")', "events")
    unknown = sorted(v for v in values if v != ALL_EVENTS and v not in EVENTS)
    if unknown:
        raise InvalidInput(f"unknown event(s): {', '.join(unknown)}", "events")
    return frozenset(values)


def validate_url(url: str) -> str:
    """An absolute http(s) URL with a host, without credentials (they would be stored and logged)."""
    cleaned = url.strip()
    try:
        parts = urlsplit(cleaned)
        port = parts.port
    except ValueError:
        raise InvalidInput("url is not a valid URL", "url") from None
    if len(cleaned) > MAX_URL_LENGTH or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("url must be an absolute http or https URL", "url")
    if parts.username or parts.password:
        raise InvalidInput("url must not carry credentials", "url")
    if port == 0:
        raise InvalidInput("url has no valid port", "url")
    return cleaned


def validate_description(description: str | None) -> str | None:
    if description is None:
        return None
    cleaned = description.strip()
    if len(cleaned) > MAX_DESCRIPTION_LENGTH:
        raise InvalidInput(f"description holds at most {MAX_DESCRIPTION_LENGTH} characters", "description")
    return cleaned or None
