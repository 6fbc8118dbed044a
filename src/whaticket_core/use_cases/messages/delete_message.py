from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import MessageNotEditable
from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import MessageAck
from whaticket_core.domain.read_models import MessageView
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.transport import MessageSender, TransportError
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.messages.edit_message import transport_failure
from whaticket_core.use_cases.messages.message_steps import load_visible_message, whatsapp_chat_of
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.ticket_access import view_of


@dataclass(frozen=True, slots=True)
class DeleteMessageCommand:
    message_id: int
    actor: Viewer


class DeleteMessage:
    """An agent deletes a message this side sent, for everyone: ``is_deleted`` is set and the row kept.

    Rules: the actor must see the message's ticket (else ``message_not_found``); only messages from this side can be
    deleted (a customer's message cannot be deleted for everyone: ``message_not_editable``); deleting twice is a
    no-op. A message WhatsApp has is deleted there inline, before commit (failures as in :class:`EditMessage`:
    ``whatsapp_not_connected`` or ``message_not_editable``, nothing changed). A message still pending is only marked
    deleted: its delivery job then skips it; a failed one never reached WhatsApp. Publishes ``message:updated``.
    """

    def __init__(self, uow: UnitOfWork, sender: MessageSender, publisher: EventPublisher) -> None:
        self._uow = uow
        self._sender = sender
        self._publisher = publisher

    async def execute(self, command: DeleteMessageCommand) -> MessageView:
        async with self._uow as uow:
            message, ticket = await load_visible_message(uow, command.message_id, command.actor)
            if not message.from_me:
                raise MessageNotEditable(f"Message {message.id} was not sent by this side", message_id=message.id)
            if message.is_deleted:
                return MessageView.of(message)
            if message.wa_message_id is not None and message.ack is not MessageAck.FAILED:
                try:
                    await self._sender.delete_for_everyone(
                        message.whatsapp_id, await whatsapp_chat_of(uow, message, ticket), message.wa_message_id
                    )
                except TransportError as exc:
                    raise transport_failure(exc, message.id) from exc
            message.delete_for_everyone()
            await uow.messages.save(message)
            ticket_view = await view_of(uow, ticket)
            view = MessageView.of(message)
            events = await commit_with(uow, [MessageUpdated(view, ticket_view)])
        await self._publisher.publish(events)
        return view
