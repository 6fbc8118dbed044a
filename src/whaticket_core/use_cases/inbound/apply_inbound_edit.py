from __future__ import annotations

from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import validate_body
from whaticket_core.domain.read_models import MessageView
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.inbound.inbound_commands import InboundEdit
from whaticket_core.use_cases.messages.message_steps import ticket_view_of
from whaticket_core.use_cases.shared.outbox import commit_with


class ApplyInboundEdit:
    """The sender edited a message on WhatsApp: the stored message takes the new body and ``is_edited``.

    Rules: an unknown WhatsApp id (a message never stored, e.g. an ignored group's) and a message already deleted are
    no-ops returning None; the same edit delivered twice changes nothing the second time. Publishes
    ``message:updated`` after commit.
    """

    def __init__(self, uow: UnitOfWork, publisher: EventPublisher) -> None:
        self._uow = uow
        self._publisher = publisher

    async def execute(self, command: InboundEdit) -> MessageView | None:
        async with self._uow as uow:
            message = await uow.messages.get_by_wa_id(command.whatsapp_id, command.wa_message_id)
            if message is None or message.is_deleted:
                return None
            body = validate_body(command.body)
            if message.is_edited and message.body == body:
                return MessageView.of(message)
            message.body = body
            message.is_edited = True
            await uow.messages.save(message)
            ticket_view = await ticket_view_of(uow, message)
            view = MessageView.of(message)
            events = await commit_with(uow, [MessageUpdated(view, ticket_view)])
        await self._publisher.publish(events)
        return view
