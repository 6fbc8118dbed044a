"""The transactional outbox: an outbound message is stored ``pending`` in the caller's transaction; the caller
enqueues its :class:`~whaticket_core.ports.jobs.DeliverMessageJob` after commit (and the sweeper re-enqueues any
``pending`` message a crash left behind)."""

from __future__ import annotations

from datetime import datetime

from whaticket_core.domain.message import MediaType, Message, MessageAck, preview, validate_body
from whaticket_core.domain.ticket import Ticket
from whaticket_core.ports.unit_of_work import UnitOfWork


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
