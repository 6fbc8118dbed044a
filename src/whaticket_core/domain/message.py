"""Messages and their delivery acknowledgements.

Acks only move forward: pending → sent → delivered → read. ``failed`` (with a reason) ends a message that could not
be handed to WhatsApp; a late receipt never moves an ack backwards.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .errors import InvalidInput, MessageNotEditable

MAX_BODY_LENGTH = 65_536  # WhatsApp's own limit
EDIT_WINDOW = timedelta(minutes=15)  # WhatsApp accepts edits for 15 minutes


class MessageAck(enum.StrEnum):
    # Stored for sending at ``send_at``; becomes ``pending`` then (see ``Message.release``).
    SCHEDULED = "scheduled"
    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class SendErrorKind(enum.StrEnum):
    """Why a send failed, which decides what happens next."""

    PERMANENT = "permanent"  # WhatsApp will never take it (not on WhatsApp, restricted account, invalid media)
    RATE_LIMITED = "rate_limited"  # WhatsApp asks us to slow down: retried later, more slowly
    TRANSIENT = "transient"  # the way to WhatsApp failed (not connected, network): retried
    UNKNOWN = "unknown"  # no answer in time: the message may have reached WhatsApp, so it is never resent blindly

    @property
    def retryable(self) -> bool:
        return self in (SendErrorKind.RATE_LIMITED, SendErrorKind.TRANSIENT)


_ACK_RANK = {
    MessageAck.SCHEDULED: -1,
    MessageAck.PENDING: 0,
    MessageAck.SENT: 1,
    MessageAck.DELIVERED: 2,
    MessageAck.READ: 3,
}


class MediaType(enum.StrEnum):
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    VOICE = "voice"
    DOCUMENT = "document"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACT = "contact"
    # A missed or rejected WhatsApp call, recorded in the customer's ticket (the body says which).
    CALL = "call"
    # An internal note agents leave each other on a ticket: stored and shown to agents, never sent to WhatsApp.
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Reaction:
    """An emoji someone put on a message. ``sender`` tells reactors apart (in a group each member has one); it is
    None for the customer of a 1:1 chat and for this side (``from_me``)."""

    emoji: str
    from_me: bool
    at: datetime
    sender: str | None = None


def media_type_of(mime: str) -> MediaType:
    """The kind of message a file of MIME type ``mime`` makes (WebP images go out as stickers, Ogg audio as voice)."""
    major = mime.split("/", 1)[0].lower()
    if mime.lower().startswith("image/webp"):
        return MediaType.STICKER
    if major == "image":
        return MediaType.IMAGE
    if major == "video":
        return MediaType.VIDEO
    if major == "audio":
        return MediaType.VOICE if "ogg" in mime.lower() else MediaType.AUDIO
    return MediaType.DOCUMENT


@dataclass(frozen=True, slots=True, kw_only=True)
class MediaFile:
    """A media file's bytes with its kind, MIME type and file name: what an agent attaches, what goes out to
    WhatsApp, what a download serves. Always bytes: a transport handed a URL would fetch it (SSRF)."""

    data: bytes
    media_type: MediaType
    mime_type: str
    file_name: str | None = None


@dataclass(slots=True)
class Message:
    ticket_id: int
    contact_id: int
    whatsapp_id: int
    from_me: bool
    body: str
    ack: MessageAck
    created_at: datetime
    wa_message_id: str | None = None
    media_type: MediaType | None = None
    # Key of the bytes in the media store (None until an inbound download finished), their type and file name.
    media_key: str | None = None
    media_mime: str | None = None
    media_name: str | None = None
    # Transport-specific reference for fetching inbound media later (the download job's input).
    media_ref: str | None = None
    quoted_message_id: int | None = None
    is_edited: bool = False
    is_deleted: bool = False
    error: str | None = None
    # In group tickets, who in the group wrote it (number and push name).
    participant: str | None = None
    participant_name: str | None = None
    delivery_attempts: int = 0
    # Set while a delivery run has claimed the message and is talking to WhatsApp (no transaction open meanwhile).
    delivery_claimed_at: datetime | None = None
    # With ``failed`` (or a send that failed before a retry): what kind of failure ``error`` is.
    error_kind: SendErrorKind | None = None
    # True while WhatsApp has announced the message but not delivered readable content ("waiting for this message").
    undecryptable: bool = False
    reactions: list[Reaction] = field(default_factory=list)
    # The agent who wrote it, for the messages an agent writes that carry one (notes, scheduled messages).
    user_id: int | None = None
    # A scheduled message: when it is to go out, and whether a customer's message before then cancels it.
    send_at: datetime | None = None
    cancel_if_replied: bool = False
    id: int = 0

    @property
    def is_note(self) -> bool:
        """An internal note: it never goes to WhatsApp, whatever asks (see ``message_steps.whatsapp_chat_of``)."""
        return self.media_type is MediaType.NOTE

    def advance_ack(self, ack: MessageAck) -> bool:
        """Move the ack forward; return whether it changed. Backward moves and moves out of ``failed`` are ignored."""
        if ack is MessageAck.FAILED or self.ack is MessageAck.FAILED:
            return False
        if _ACK_RANK[ack] <= _ACK_RANK[self.ack]:
            return False
        self.ack = ack
        return True

    @property
    def is_scheduled(self) -> bool:
        """Waiting for its ``send_at``, not cancelled."""
        return self.ack is MessageAck.SCHEDULED and not self.is_deleted

    def release(self) -> None:
        """Its time came: it joins the outbox (``pending``) and is delivered like any message."""
        if self.is_scheduled:
            self.ack = MessageAck.PENDING

    def mark_sent(self, wa_message_id: str | None) -> None:
        self.wa_message_id = wa_message_id
        self.error = None
        self.error_kind = None
        self.delivery_claimed_at = None
        self.advance_ack(MessageAck.SENT)

    def mark_failed(self, reason: str, kind: SendErrorKind = SendErrorKind.PERMANENT) -> None:
        """Only a message still waiting for WhatsApp can fail."""
        if self.ack is MessageAck.PENDING:
            self.ack = MessageAck.FAILED
            self.error = reason
            self.error_kind = kind
            self.delivery_claimed_at = None

    @property
    def outcome_unknown(self) -> bool:
        """The send timed out: WhatsApp may have the message (a receipt or an echo of it will tell)."""
        return self.ack is MessageAck.FAILED and self.error_kind is SendErrorKind.UNKNOWN

    def reconcile(self, ack: MessageAck) -> bool:
        """WhatsApp showed (a receipt, an echo) that a send of unknown outcome did arrive: the message takes ``ack``
        (sent, delivered or read) and loses its error. Returns whether it changed; other messages are untouched."""
        if not self.outcome_unknown or ack in (MessageAck.PENDING, MessageAck.FAILED):
            return False
        self.ack = ack
        self.error = None
        self.error_kind = None
        return True

    def edit(self, body: str, now: datetime) -> None:
        """Text messages this side sent may be edited within :data:`EDIT_WINDOW` once WhatsApp has them."""
        self.check_editable(now)
        self.record_edit(body)

    def check_editable(self, now: datetime) -> None:
        """Raise :class:`MessageNotEditable` unless :meth:`edit` may change this message at ``now``."""
        if not self.from_me or self.media_type is not None or self.is_deleted:  # notes too: they are not text
            raise MessageNotEditable(f"Message {self.id} cannot be edited", message_id=self.id)
        if self.wa_message_id is None or self.ack in (MessageAck.PENDING, MessageAck.FAILED):
            raise MessageNotEditable(f"Message {self.id} has not reached WhatsApp", message_id=self.id)
        if now - self.created_at > EDIT_WINDOW:
            raise MessageNotEditable(f"Message {self.id} is older than 15 minutes", message_id=self.id)

    def record_edit(self, body: str) -> None:
        """Store an edit WhatsApp already took (checked by :meth:`check_editable` before it was sent)."""
        self.body = validate_body(body)
        self.is_edited = True

    def delete_for_everyone(self) -> None:
        self.is_deleted = True

    def react(self, reaction: Reaction) -> bool:
        """Set one reactor's reaction (each reactor has at most one; an empty emoji removes theirs). Returns whether
        anything changed."""
        kept = [r for r in self.reactions if (r.from_me, r.sender) != (reaction.from_me, reaction.sender)]
        if reaction.emoji:
            kept.append(reaction)
        if [(r.emoji, r.from_me, r.sender) for r in kept] == [(r.emoji, r.from_me, r.sender) for r in self.reactions]:
            return False
        self.reactions = kept
        return True


def validate_body(body: str) -> str:
    if len(body) > MAX_BODY_LENGTH:
        raise InvalidInput(f"body holds at most {MAX_BODY_LENGTH} characters", "body")
    return body


def preview(body: str, media_type: MediaType | None) -> str:
    """The ticket list's last-message line for a message."""
    if body:
        return body[:255]
    return f"[{media_type}]" if media_type else ""


def new_note(ticket_id: int, contact_id: int, whatsapp_id: int, author_id: int, body: str, now: datetime) -> Message:
    """An internal note by ``author_id``. Its ack is final from the start (``sent``: stored, nothing to wait for), so
    the outbox (which delivers and sweeps only ``pending`` messages) never picks it up."""
    if not body.strip():
        raise InvalidInput("body must not be empty", "body")
    return Message(
        ticket_id=ticket_id,
        contact_id=contact_id,
        whatsapp_id=whatsapp_id,
        from_me=True,
        body=validate_body(body),
        ack=MessageAck.SENT,
        created_at=now,
        media_type=MediaType.NOTE,
        user_id=author_id,
    )
