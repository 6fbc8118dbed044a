from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from whaticket_core.domain.errors import MediaNotFound
from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import MediaFile, Message, MessageAck, SendErrorKind
from whaticket_core.domain.read_models import MessageView
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.media import MediaStore
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.transport import MessageSender, Recipient, TransportError
from whaticket_core.ports.unit_of_work import StoreConflict, UnitOfWork
from whaticket_core.use_cases.messages.message_steps import ticket_of, ticket_view_of, whatsapp_chat_of
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.retry import RetryLater

DEFAULT_MAX_ATTEMPTS = 5
# A claim older than this belongs to a run that is gone: the message may be claimed again. The job runner passes its
# delivery time limit (a run is stopped after it); shorter would let a slow but live run and a new one both send.
CLAIM_EXPIRES_AFTER = timedelta(minutes=1)

log = logging.getLogger("whaticket.delivery")


class DeliveryRetry(RetryLater):
    """The transport failed in a way that may pass: run the job again later (with backoff)."""


@dataclass(frozen=True, slots=True)
class DeliverMessageCommand:
    """Job input: hand stored message ``message_id`` to WhatsApp. ``attempt`` counts from 1."""

    message_id: int
    attempt: int = 1
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    claim_expires_after: timedelta = CLAIM_EXPIRES_AFTER


@dataclass(frozen=True, slots=True)
class _Claim:
    """What the claim transaction read: everything the send needs, so no transaction is open during it."""

    message: Message
    recipient: Recipient
    quoted_wa_message_id: str | None
    attempt: int


@dataclass(frozen=True, slots=True)
class _Outcome:
    wa_message_id: str | None = None
    failure: TransportError | None = None


class DeliverMessage:
    """The job side of the outbox: hand one pending outbound message to WhatsApp, in three steps so that no
    transaction (no row lock, no pooled connection, on SQLite no write lock) is open while WhatsApp answers.

    Rules:
    - **Claim** (one short transaction): only a ``pending``, not deleted message that no live run has claimed is
      sent; anything else (already sent, failed, deleted, unknown, an internal note, a scheduled message not yet
      released) is a no-op returning None, so a job run twice never sends twice. A message another run claimed less
      than ``claim_expires_after`` ago (the job's time limit: no run lives longer) is not sent either:
      :class:`DeliveryRetry` asks for a later try, which finds it sent, or the claim of a run that died expired. The
      claim stores the time and the attempt number (the larger of the job's and the message's own count, so a
      sweeper re-enqueue does not restart the count).
    - **Send** (no transaction): text through ``send_text``; media through ``send_media`` with the bytes loaded
      from the media store (never a URL) and the body as caption. The recipient is the contact's number (or LID
      address) or the group id; a quoted message is passed by its WhatsApp id.
    - **Record** (a second short transaction), by the failure's :class:`SendErrorKind`:
      success → ``sent`` with WhatsApp's id; ``permanent`` (or media missing from the store) → ``failed`` at once;
      ``transient`` and ``rate_limited`` → the claim is released, the reason kept, and :class:`DeliveryRetry`
      raised for the job runner's backoff, until the last attempt fails the message with that kind; ``unknown`` (no
      answer in time: WhatsApp may have it) → ``failed`` with kind ``unknown`` and never resent blindly; the id it
      may have gone out under is kept when the transport knows it, so a receipt or echo of that id settles it
      (:class:`UpdateMessageAck`, :class:`ReceiveMessage`).
    - A *deterministic* failure to record success (WhatsApp's id already stored: a unique-rule conflict) is never
      retried as a send: the message is recorded ``sent`` without the id in a transaction of its own.
    - A message deleted by an agent while its send was under way is deleted on WhatsApp right after it is
      recorded sent (best effort: a failure is logged, the message stays deleted here).
    - Publishes ``message:updated`` after the record commits, on success or failure.
    """

    def __init__(
        self,
        uow: UnitOfWork,
        sender: MessageSender,
        media_store: MediaStore,
        publisher: EventPublisher,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._sender = sender
        self._media_store = media_store
        self._publisher = publisher
        self._clock = clock

    async def execute(self, command: DeliverMessageCommand) -> MessageView | None:
        claim = await self._claim(command)
        if claim is None:
            return None
        try:
            outcome = _Outcome(wa_message_id=await self._send(claim))
        except MediaNotFound:
            outcome = _Outcome(failure=TransportError("media file missing", kind=SendErrorKind.PERMANENT))
        except TransportError as exc:
            outcome = _Outcome(failure=exc)
        return await self._record(command, claim, outcome)

    async def _claim(self, command: DeliverMessageCommand) -> _Claim | None:
        now = self._clock.now()
        async with self._uow as uow:
            message = await uow.messages.get(command.message_id, for_update=True)
            if message is None or message.ack is not MessageAck.PENDING or message.is_deleted or message.is_note:
                return None
            claimed_at = message.delivery_claimed_at
            if claimed_at is not None and now - claimed_at < command.claim_expires_after:
                raise DeliveryRetry("another delivery run is handing the message to WhatsApp", attempt=command.attempt)
            attempt = max(command.attempt, message.delivery_attempts + 1)
            message.delivery_attempts = attempt
            message.delivery_claimed_at = now
            recipient = await whatsapp_chat_of(uow, message, await ticket_of(uow, message))
            quoted_wa_id = None
            if message.quoted_message_id is not None:
                quoted = await uow.messages.get(message.quoted_message_id)
                quoted_wa_id = quoted.wa_message_id if quoted is not None else None
            await uow.messages.save(message)
            await uow.commit()
        return _Claim(message, recipient, quoted_wa_id, attempt)

    async def _send(self, claim: _Claim) -> str:
        message = claim.message
        if message.media_key is None or message.media_type is None:
            return await self._sender.send_text(
                message.whatsapp_id, claim.recipient, message.body, quoted_wa_message_id=claim.quoted_wa_message_id
            )
        data = await self._media_store.load(message.media_key)
        mime = message.media_mime or "application/octet-stream"
        media = MediaFile(data=data, media_type=message.media_type, mime_type=mime, file_name=message.media_name)
        return await self._sender.send_media(
            message.whatsapp_id,
            claim.recipient,
            media,
            caption=message.body,
            quoted_wa_message_id=claim.quoted_wa_message_id,
        )

    async def _record(self, command: DeliverMessageCommand, claim: _Claim, outcome: _Outcome) -> MessageView | None:
        retry: DeliveryRetry | None = None
        try:
            async with self._uow as uow:
                message = await uow.messages.get(command.message_id, for_update=True)
                if message is None or message.ack is not MessageAck.PENDING:
                    return None
                failure = outcome.failure
                if failure is None:
                    message.mark_sent(outcome.wa_message_id)
                elif failure.kind.retryable and claim.attempt < command.max_attempts:
                    message.delivery_claimed_at = None
                    message.error = failure.reason
                    message.error_kind = failure.kind
                    retry = DeliveryRetry(failure.reason, attempt=claim.attempt)
                else:
                    message.mark_failed(failure.reason, failure.kind)
                    if failure.kind is SendErrorKind.UNKNOWN:
                        message.wa_message_id = failure.wa_message_id
                await uow.messages.save(message)
                event = MessageUpdated(MessageView.of(message), await ticket_view_of(uow, message))
                await commit_with(uow, [event] if retry is None else [])
        except StoreConflict:
            if outcome.failure is not None and outcome.failure.kind is not SendErrorKind.UNKNOWN:
                raise
            # WhatsApp has (or may have) the message, but its id clashes with one already stored (a unique rule):
            # retrying would send it again, and would clash again. Record it without the id instead.
            recorded = await self._record_without_id(command.message_id, outcome.failure)
            if recorded is None:
                return None
            message, event = recorded
        if retry is not None:
            raise retry
        await self._publisher.publish([event])
        if message.is_deleted and message.ack is MessageAck.SENT and message.wa_message_id is not None:
            await self._delete_late(message, claim.recipient)
        return event.message

    async def _record_without_id(
        self, message_id: int, failure: TransportError | None
    ) -> tuple[Message, MessageUpdated] | None:
        async with self._uow as uow:
            message = await uow.messages.get(message_id, for_update=True)
            if message is None or message.ack is not MessageAck.PENDING:
                return None
            if failure is None:
                message.mark_sent(None)
                message.error = "sent; WhatsApp's message id clashed with a stored one and was not kept"
            else:
                message.mark_failed(failure.reason, failure.kind)
            await uow.messages.save(message)
            event = MessageUpdated(MessageView.of(message), await ticket_view_of(uow, message))
            await commit_with(uow, [event])
        return message, event

    async def _delete_late(self, message: Message, recipient: Recipient) -> None:
        assert message.wa_message_id is not None
        try:
            await self._sender.delete_for_everyone(message.whatsapp_id, recipient, message.wa_message_id)
        except TransportError as exc:
            log.warning("message %s was deleted while being sent; deleting it on WhatsApp failed: %s", message.id, exc)
