from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.read_models import MessageView
from whaticket_core.ports.media import MediaFetcher, MediaStore
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.transport import TransportError
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.messages.message_steps import ticket_view_of
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.retry import RetryLater


@dataclass(frozen=True, slots=True)
class DownloadInboundMediaCommand:
    """Job input: fetch the media of inbound message ``message_id``."""

    message_id: int


class DownloadInboundMedia:
    """The job that brings an inbound message's media into the media store (never done inline in ingestion).

    Rules: a message that is unknown, has no ``media_ref`` or already has its ``media_key`` is a no-op returning None
    (idempotent). The bytes are fetched with the message's ``media_ref`` outside any transaction (a download may be
    slow), saved in the media store, and the key set on the message; when a racing run stored the key first, this
    run's copy is deleted. A retryable fetch failure raises :class:`RetryLater`; a permanent one (media expired on
    WhatsApp) is recorded in the message's ``error``. Publishes ``message:updated`` after commit.
    """

    def __init__(
        self, uow: UnitOfWork, fetcher: MediaFetcher, media_store: MediaStore, publisher: EventPublisher
    ) -> None:
        self._uow = uow
        self._fetcher = fetcher
        self._media_store = media_store
        self._publisher = publisher

    async def execute(self, command: DownloadInboundMediaCommand) -> MessageView | None:
        async with self._uow as uow:
            message = await uow.messages.get(command.message_id)
        if message is None or message.media_ref is None or message.media_key is not None:
            return None
        key: str | None = None
        error: str | None = None
        try:
            data = await self._fetcher.fetch(message.whatsapp_id, message.media_ref)
        except TransportError as exc:
            if exc.retryable:
                raise RetryLater(exc.reason) from exc
            error = f"media unavailable: {exc.reason}"
        else:
            key = await self._media_store.save(
                data, mime_type=message.media_mime or "application/octet-stream", file_name=message.media_name
            )
        async with self._uow as uow:
            message = await uow.messages.get(command.message_id, for_update=True)
            if message is None or message.media_key is not None:
                if key is not None:
                    await self._media_store.delete(key)
                return None
            message.media_key = key
            message.error = error
            await uow.messages.save(message)
            ticket_view = await ticket_view_of(uow, message)
            view = MessageView.of(message)
            events = await commit_with(uow, [MessageUpdated(view, ticket_view)])
        await self._publisher.publish(events)
        return view
