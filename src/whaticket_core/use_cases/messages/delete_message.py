from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import MessageNotEditable
from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import Message, MessageAck
from whaticket_core.domain.read_models import MessageView
from whaticket_core.domain.ticket import Ticket
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
    no-op. A message WhatsApp has (or may have: a send of unknown outcome with a known id) is deleted there by
    claim → send → record: a short transaction checks it, WhatsApp is asked with no transaction open, a second
    short transaction marks it (failures as in :class:`EditMessage`: ``whatsapp_not_connected`` or
    ``message_not_editable``, nothing changed). A message still pending is only marked deleted: its delivery skips
    it, or, when its send is already under way, deletes it on WhatsApp once sent; a failed one never reached
    WhatsApp. Publishes ``message:updated``.
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
            on_whatsapp = message.wa_message_id is not None and (
                message.ack is not MessageAck.FAILED or message.outcome_unknown
            )
            if on_whatsapp:
                recipient = await whatsapp_chat_of(uow, message, ticket)
            else:
                event = await self._record(uow, message, ticket)
        if on_whatsapp:
            assert message.wa_message_id is not None
            try:
                await self._sender.delete_for_everyone(message.whatsapp_id, recipient, message.wa_message_id)
            except TransportError as exc:
                raise transport_failure(exc, message.id) from exc
            async with self._uow as uow:
                message, ticket = await load_visible_message(uow, command.message_id, command.actor)
                event = await self._record(uow, message, ticket)
        await self._publisher.publish([event])
        return event.message

    @staticmethod
    async def _record(uow: UnitOfWork, message: Message, ticket: Ticket) -> MessageUpdated:
        message.delete_for_everyone()
        await uow.messages.save(message)
        event = MessageUpdated(MessageView.of(message), await view_of(uow, ticket))
        await commit_with(uow, [event])
        return event
