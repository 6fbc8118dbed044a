"""Reads of messages; each goes through its ticket's visibility, so an invisible ticket's messages are 404s too."""

from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import MediaNotFound, MessageNotFound, TicketNotFound
from whaticket_core.domain.message import MediaFile, media_type_of
from whaticket_core.domain.pagination import DEFAULT_LIMIT, CursorPage
from whaticket_core.domain.read_models import MessageView
from whaticket_core.domain.visibility import Viewer, can_see
from whaticket_core.ports.media import MediaStore
from whaticket_core.ports.queries import MessageQueries, PlacedMessagePages, TicketPlacements
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.tickets.ticket_queries import require_visible


@dataclass(frozen=True, slots=True)
class ListMessagesCommand:
    ticket_id: int
    actor: Viewer
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None


class ListMessages:
    """A ticket's messages, newest first, one keyset page at a time; ``ticket_not_found`` when the ticket is unknown
    or invisible to the actor (the page, read together with the ticket's placement, is then dropped)."""

    def __init__(self, pages: PlacedMessagePages) -> None:
        self._pages = pages

    async def execute(self, command: ListMessagesCommand) -> CursorPage[MessageView]:
        placement, page = await self._pages.placed_page(command.ticket_id, limit=command.limit, cursor=command.cursor)
        require_visible(placement, command.ticket_id, command.actor)
        return page


@dataclass(frozen=True, slots=True)
class GetMessageCommand:
    message_id: int
    actor: Viewer


class GetMessage:
    """One message; ``message_not_found`` when it does not exist or its ticket is invisible to the actor."""

    def __init__(self, tickets: TicketPlacements, messages: MessageQueries) -> None:
        self._tickets = tickets
        self._messages = messages

    async def execute(self, command: GetMessageCommand) -> MessageView:
        message = await self._messages.get_message(command.message_id)
        if message is not None:
            try:
                require_visible(await self._tickets.placement_of(message.ticket_id), message.ticket_id, command.actor)
            except TicketNotFound:
                message = None
        if message is None:
            raise MessageNotFound(f"Message {command.message_id} not found", message_id=command.message_id)
        return message


@dataclass(frozen=True, slots=True)
class GetMessageMediaCommand:
    message_id: int
    actor: Viewer


class GetMessageMedia:
    """A message's media bytes and type.

    Rules: ``message_not_found`` when the message does not exist or its ticket is invisible to the actor;
    ``media_not_found`` when it has no stored media (none, not downloaded yet, or deleted for everyone).
    """

    def __init__(self, uow: UnitOfWork, media: MediaStore) -> None:
        self._uow = uow
        self._media = media

    async def execute(self, command: GetMessageMediaCommand) -> MediaFile:
        async with self._uow as uow:
            message = await uow.messages.get(command.message_id)
            ticket = None if message is None else await uow.tickets.get(message.ticket_id)
        if message is None or ticket is None or not can_see(command.actor, ticket.placement):
            raise MessageNotFound(f"Message {command.message_id} not found", message_id=command.message_id)
        if message.media_key is None or message.is_deleted:
            raise MediaNotFound(f"Message {command.message_id} has no media", message_id=command.message_id)
        data = await self._media.load(message.media_key)
        mime = message.media_mime or "application/octet-stream"
        media_type = message.media_type or media_type_of(mime)
        return MediaFile(data=data, media_type=media_type, mime_type=mime, file_name=message.media_name)
