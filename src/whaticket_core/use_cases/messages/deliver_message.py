from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import MediaNotFound
from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import MediaFile, Message, MessageAck
from whaticket_core.domain.read_models import MessageView
from whaticket_core.ports.media import MediaStore
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.transport import MessageSender, TransportError
from whaticket_core.ports.unit_of_work import StoreConflict, UnitOfWork
from whaticket_core.use_cases.messages.message_steps import ticket_of, ticket_view_of, whatsapp_chat_of
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.retry import RetryLater

DEFAULT_MAX_ATTEMPTS = 5


class DeliveryRetry(RetryLater):
    """The transport failed in a way that may pass: run the job again later (with backoff)."""


@dataclass(frozen=True, slots=True)
class DeliverMessageCommand:
    """Job input: hand stored message ``message_id`` to WhatsApp. ``attempt`` counts from 1."""

    message_id: int
    attempt: int = 1
    max_attempts: int = DEFAULT_MAX_ATTEMPTS


class DeliverMessage:
    """The job side of the outbox: hand one pending outbound message to WhatsApp.

    Rules:
    - Only a ``pending``, not deleted message is sent; anything else (already sent, failed, deleted, unknown, an
      internal note) is a no-op returning None, so a job run twice never sends twice. The message row stays locked
      from the check to the commit of ``sent``, so two runs at once are serialised and the second finds it sent.
    - Text goes through ``send_text``; media through ``send_media`` with the bytes loaded from the media store (never
      a URL) and the body as caption. The recipient is the contact's number or the group id; a quoted message is
      passed by its WhatsApp id.
    - Success: ``mark_sent`` (WhatsApp's id, ack ``sent``) is committed right after the transport call; a crash in
      between leaves it pending for the sweeper, so delivery is at least once. A *deterministic* failure to record it
      (WhatsApp's id already stored: a unique-rule conflict) is never retried as a send: the message is recorded
      ``sent`` without the id in a transaction of its own (receipts for it then find nothing to move).
    - A retryable :class:`TransportError` before the last attempt: ``delivery_attempts`` is saved and
      :class:`DeliveryRetry` raised for the job runner to retry with backoff. The attempt number is the larger of the
      job's and the message's own count, so a sweeper re-enqueue does not restart the count.
    - A non-retryable error, the last attempt, or media missing from the store: ``failed`` with the reason.
    - Publishes ``message:updated`` after commit on success or failure.
    """

    def __init__(
        self, uow: UnitOfWork, sender: MessageSender, media_store: MediaStore, publisher: EventPublisher
    ) -> None:
        self._uow = uow
        self._sender = sender
        self._media_store = media_store
        self._publisher = publisher

    async def execute(self, command: DeliverMessageCommand) -> MessageView | None:
        retry: DeliveryRetry | None = None
        sent = False
        try:
            async with self._uow as uow:
                message = await uow.messages.get(command.message_id, for_update=True)
                if message is None or message.ack is not MessageAck.PENDING or message.is_deleted or message.is_note:
                    return None
                ticket_view = await ticket_view_of(uow, message)
                attempt = max(command.attempt, message.delivery_attempts + 1)
                try:
                    wa_id = await self._send(uow, message)
                except MediaNotFound:
                    message.delivery_attempts = attempt
                    message.mark_failed("media file missing")
                except TransportError as exc:
                    message.delivery_attempts = attempt
                    if exc.retryable and attempt < command.max_attempts:
                        retry = DeliveryRetry(exc.reason, attempt=attempt)
                    else:
                        message.mark_failed(exc.reason)
                else:
                    sent = True
                    message.mark_sent(wa_id)
                await uow.messages.save(message)
                event = MessageUpdated(MessageView.of(message), ticket_view)
                await commit_with(uow, [event] if retry is None else [])
        except StoreConflict:
            if not sent:
                raise
            # WhatsApp has the message, but its id clashes with one already stored (a unique rule): retrying would
            # send it again, and would clash again. Record it sent without the id instead.
            recorded = await self._record_sent_without_id(command.message_id)
            if recorded is None:
                return None
            event = recorded
        if retry is not None:
            raise retry
        await self._publisher.publish([event])
        return event.message

    async def _record_sent_without_id(self, message_id: int) -> MessageUpdated | None:
        async with self._uow as uow:
            message = await uow.messages.get(message_id, for_update=True)
            if message is None or message.ack is not MessageAck.PENDING:
                return None
            message.mark_sent(None)
            message.error = "sent; WhatsApp's message id clashed with a stored one and was not kept"
            await uow.messages.save(message)
            event = MessageUpdated(MessageView.of(message), await ticket_view_of(uow, message))
            await commit_with(uow, [event])
        return event

    async def _send(self, uow: UnitOfWork, message: Message) -> str:
        ticket_recipient = await whatsapp_chat_of(uow, message, await ticket_of(uow, message))
        quoted_wa_id = None
        if message.quoted_message_id is not None:
            quoted = await uow.messages.get(message.quoted_message_id)
            quoted_wa_id = quoted.wa_message_id if quoted is not None else None
        if message.media_key is None or message.media_type is None:
            return await self._sender.send_text(
                message.whatsapp_id, ticket_recipient, message.body, quoted_wa_message_id=quoted_wa_id
            )
        data = await self._media_store.load(message.media_key)
        mime = message.media_mime or "application/octet-stream"
        media = MediaFile(data=data, media_type=message.media_type, mime_type=mime, file_name=message.media_name)
        return await self._sender.send_media(
            message.whatsapp_id, ticket_recipient, media, caption=message.body, quoted_wa_message_id=quoted_wa_id
        )
