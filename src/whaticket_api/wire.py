"""The wire shapes clients see (camelCase JSON), shared by the HTTP API and the Socket.IO gateway.

Read models from the core are converted to msgspec Structs here, once, so both fronts send identical payloads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

import msgspec

from whaticket_core.domain.contact import Contact
from whaticket_core.domain.message import MediaType, MessageAck, SendErrorKind
from whaticket_core.domain.read_models import ContactSummary, MessageView, TicketView
from whaticket_core.domain.tag import TagView
from whaticket_core.domain.ticket import TicketStatus

API_PREFIX = "/api/v1"
# The query parameter of a signed media link (``/messages/{id}/media?sig=...``).
MEDIA_LINK_PARAM = "sig"


class ContactSummaryOut(msgspec.Struct, rename="camel"):
    id: int
    name: str
    number: str | None
    profile_pic_url: str | None
    is_group: bool
    lid: str | None = None


class TagOut(msgspec.Struct, rename="camel"):
    id: int
    name: str
    color: str


def tag_out(t: TagView) -> TagOut:
    return TagOut(t.id, t.name, t.color)


class ReactionOut(msgspec.Struct, rename="camel"):
    emoji: str
    from_me: bool
    at: datetime


class TicketOut(msgspec.Struct, rename="camel"):
    id: int
    status: TicketStatus
    contact: ContactSummaryOut
    whatsapp_id: int
    queue_id: int | None
    user_id: int | None
    unread_messages: int
    last_message: str
    last_message_at: datetime | None
    is_group: bool
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    tags: list[TagOut] = []
    # The customer's 1-5 satisfaction answer (null until they gave one).
    rating: int | None = None


class MessageOut(msgspec.Struct, rename="camel"):
    id: int
    ticket_id: int
    contact_id: int
    from_me: bool
    body: str
    ack: MessageAck
    media_type: MediaType | None
    media_url: str | None
    quoted_message_id: int | None
    is_edited: bool
    is_deleted: bool
    error: str | None
    created_at: datetime
    participant: str | None = None
    participant_name: str | None = None
    undecryptable: bool = False
    reactions: list[ReactionOut] = []
    # The agent who wrote it (internal notes, scheduled messages); null otherwise.
    user_id: int | None = None
    # When a scheduled message goes (or went) out; null for the others.
    send_at: datetime | None = None
    # With ack "failed": permanent | rate_limited | transient | unknown.
    error_kind: SendErrorKind | None = None


class ExtraInfoIO(msgspec.Struct, rename="camel"):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    value: Annotated[str, msgspec.Meta(max_length=2000)]


ExtraInfoList = Annotated[list[ExtraInfoIO], msgspec.Meta(max_length=50)]


class ContactOut(msgspec.Struct, rename="camel"):
    id: int
    name: str
    number: str | None
    email: str | None
    profile_pic_url: str | None
    is_group: bool
    extra_info: list[ExtraInfoIO]
    created_at: datetime
    lid: str | None = None
    tags: list[TagOut] = []


def contact_out(c: Contact) -> ContactOut:
    return ContactOut(
        id=c.id,
        name=c.name,
        number=c.number,
        email=c.email,
        profile_pic_url=c.profile_pic_url,
        is_group=c.is_group,
        extra_info=[ExtraInfoIO(i.name, i.value) for i in c.extra_info],
        created_at=c.created_at,
        lid=c.lid,
        tags=[tag_out(t) for t in c.tags],
    )


def contact_summary_out(c: ContactSummary) -> ContactSummaryOut:
    return ContactSummaryOut(*c)  # the same fields in the same order (the read models are named tuples)


# Positional arguments, attributes read once: this runs for every row of the ticket list (keyword arguments and the
# helper calls per row cost about as much as building the read model itself).
def ticket_out(t: TicketView) -> TicketOut:
    return TicketOut(
        t.id, t.status, ContactSummaryOut(*t.contact), t.whatsapp_id, t.queue_id, t.user_id, t.unread_messages,
        t.last_message, t.last_message_at, t.is_group, t.created_at, t.updated_at, t.closed_at,
        [TagOut(*tag) for tag in t.tags] if t.tags else [], t.rating,
    )  # fmt: skip


def media_url(message_id: int) -> str:
    return f"{API_PREFIX}/messages/{message_id}/media"


def message_out(m: MessageView, link: Callable[[int], str] = media_url) -> MessageOut:
    """``link`` builds ``mediaUrl``: the plain path (bearer needed; realtime events) or a signed link for the caller
    of an HTTP request."""
    return MessageOut(
        m.id, m.ticket_id, m.contact_id, m.from_me, m.body, m.ack, m.media_type,
        link(m.id) if m.has_media else None,
        m.quoted_message_id, m.is_edited, m.is_deleted, m.error, m.created_at, m.participant, m.participant_name,
        m.undecryptable, [ReactionOut(r.emoji, r.from_me, r.at) for r in m.reactions] if m.reactions else [],
        m.user_id, m.send_at, m.error_kind,
    )  # fmt: skip
