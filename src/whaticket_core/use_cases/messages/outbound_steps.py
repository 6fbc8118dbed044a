"""The transactional outbox: an outbound message is stored ``pending`` in the caller's transaction; the caller
enqueues its :class:`~whaticket_core.ports.jobs.DeliverMessageJob` after commit (and the sweeper re-enqueues any
``pending`` message a crash left behind)."""

from __future__ import annotations

from datetime import datetime

from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.message import MediaFile, MediaType, Message, MessageAck, preview, validate_body
from whaticket_core.domain.ticket import Ticket
from whaticket_core.ports.media import MediaStore
from whaticket_core.ports.unit_of_work import UnitOfWork


def checked_content(body: str, media: MediaFile | None, media_field: str) -> str:
    """An outgoing message's body, validated with its media: a text needs a non-blank body, a media message may have
    an empty caption but not an empty file (``media_field`` names the file's field in the error)."""
    body = validate_body(body)
    if media is None and not body.strip():
        raise InvalidInput("body must not be empty", "body")
    if media is not None and not media.data:
        raise InvalidInput(f"the {media_field} is empty", media_field)
    return body


async def saved_media(store: MediaStore, media: MediaFile | None) -> str | None:
    """Stores the media's bytes before the transaction that records the message (the caller deletes them again if
    that transaction fails); the key, or None without media."""
    if media is None:
        return None
    return await store.save(media.data, mime_type=media.mime_type, file_name=media.file_name)


async def store_outbound(
    uow: UnitOfWork,
    ticket: Ticket,
    body: str,
    now: datetime,
    *,
    quoted_message_id: int | None = None,
    media_type: MediaType | None = None,
    media_key: str | None = None,
    media_mime: str | None = None,
    media_name: str | None = None,
) -> Message:
    """Store ``body`` as a pending message from this side on ``ticket`` and make it the ticket's last message.

    The caller saves the ticket, commits, enqueues ``DeliverMessageJob(message.id)`` and publishes.
    """
    message = Message(
        ticket_id=ticket.id,
        contact_id=ticket.contact_id,
        whatsapp_id=ticket.whatsapp_id,
        from_me=True,
        body=validate_body(body),
        ack=MessageAck.PENDING,
        created_at=now,
        quoted_message_id=quoted_message_id,
        media_type=media_type,
        media_key=media_key,
        media_mime=media_mime,
        media_name=media_name,
    )
    await uow.messages.add(message)
    ticket.record_message(preview(body, media_type), now, unread=False)
    return message


def render_greeting(template: str, contact_name: str) -> str:
    """Greetings and farewells may say ``{{name}}``."""
    return template.replace("{{name}}", contact_name)
