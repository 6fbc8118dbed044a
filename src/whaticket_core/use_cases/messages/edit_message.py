from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.errors import MessageNotEditable, WhatsAppNotConnected
from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import SendErrorKind, validate_body
from whaticket_core.domain.read_models import MessageView
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.transport import MessageSender, TransportError
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.messages.message_steps import load_visible_message, whatsapp_chat_of
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.ticket_access import view_of


@dataclass(frozen=True, slots=True)
class EditMessageCommand:
    message_id: int
    actor: Viewer
    body: str


class EditMessage:
    """An agent corrects a text message this side sent.

    Rules: the actor must see the message's ticket (else ``message_not_found``); only a text message from this side
    that WhatsApp has (sent, delivered or read), not deleted, within 15 minutes of sending can be edited (else
    ``message_not_editable``). Claim → send → record: a short transaction checks all that, the edit goes to
    WhatsApp with no transaction open, and a second short transaction stores it, so the agent learns at once
    whether it happened and the stored body never disagrees with the customer's. A retryable transport failure
    answers ``whatsapp_not_connected`` (try again later), a refusal ``message_not_editable``; either way nothing
    changes. Two edits racing are stored in the order their records commit. Publishes ``message:updated``.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, sender: MessageSender, publisher: EventPublisher) -> None:
        self._uow = uow
        self._clock = clock
        self._sender = sender
        self._publisher = publisher

    async def execute(self, command: EditMessageCommand) -> MessageView:
        async with self._uow as uow:
            message, ticket = await load_visible_message(uow, command.message_id, command.actor)
            message.check_editable(self._clock.now())
            validate_body(command.body)
            recipient = await whatsapp_chat_of(uow, message, ticket)
        wa_message_id = message.wa_message_id
        if wa_message_id is None:  # check_editable() refuses messages WhatsApp does not have
            raise MessageNotEditable(f"Message {message.id} has not reached WhatsApp", message_id=message.id)
        try:
            await self._sender.edit_text(message.whatsapp_id, recipient, wa_message_id, command.body)
        except TransportError as exc:
            raise transport_failure(exc, message.id) from exc
        async with self._uow as uow:
            message, ticket = await load_visible_message(uow, command.message_id, command.actor)
            message.record_edit(command.body)
            await uow.messages.save(message)
            ticket_view = await view_of(uow, ticket)
            view = MessageView.of(message)
            events = await commit_with(uow, [MessageUpdated(view, ticket_view)])
        await self._publisher.publish(events)
        return view


def transport_failure(exc: TransportError, message_id: int) -> MessageNotEditable | WhatsAppNotConnected:
    """An inline transport call failed: retryable (or no answer in time: edits and deletions are safe to repeat)
    means WhatsApp is out of reach for now, else it refused."""
    if exc.retryable or exc.kind is SendErrorKind.UNKNOWN:
        return WhatsAppNotConnected(f"WhatsApp is not reachable: {exc.reason}", message_id=message_id)
    return MessageNotEditable(f"WhatsApp refused the change: {exc.reason}", message_id=message_id)
