from __future__ import annotations

from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.read_models import MessageView
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.inbound.inbound_commands import InboundRevoke
from whaticket_core.use_cases.messages.message_steps import ticket_view_of
from whaticket_core.use_cases.shared.outbox import commit_with


class ApplyInboundRevoke:
    """The sender deleted a message for everyone: the stored message is marked ``is_deleted`` (the row is kept; views
    show an empty body).

    Rules: an unknown WhatsApp id is a no-op returning None; revoking twice changes nothing the second time. Publishes
    ``message:updated`` after commit.
    """

    def __init__(self, uow: UnitOfWork, publisher: EventPublisher) -> None:
        self._uow = uow
        self._publisher = publisher

    async def execute(self, command: InboundRevoke) -> MessageView | None:
        async with self._uow as uow:
            message = await uow.messages.get_by_wa_id(command.whatsapp_id, command.wa_message_id)
            if message is None:
                return None
            if message.is_deleted:
                return MessageView.of(message)
            message.delete_for_everyone()
            await uow.messages.save(message)
            ticket_view = await ticket_view_of(uow, message)
            view = MessageView.of(message)
            events = await commit_with(uow, [MessageUpdated(view, ticket_view)])
        await self._publisher.publish(events)
        return view
