from __future__ import annotations

from whaticket_core.domain.events import DomainEvent, MessageUpdated
from whaticket_core.domain.read_models import MessageView, TicketView
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.inbound.inbound_commands import InboundReceipt
from whaticket_core.use_cases.messages.message_steps import ticket_view_of
from whaticket_core.use_cases.shared.outbox import commit_with


class UpdateMessageAck:
    """WhatsApp reports that messages this side sent were delivered or read.

    Rules: acks only move forward (pending → sent → delivered → read; ``failed`` stays failed), so a late or
    repeated receipt changes nothing; unknown WhatsApp ids are skipped. The one way out of ``failed``: a send that
    timed out (``errorKind`` ``unknown``) did reach WhatsApp when a receipt names its id; it takes the receipt's
    ack and loses its error. Publishes one ``message:updated`` per message
    whose ack changed, after commit, and returns their views.
    """

    def __init__(self, uow: UnitOfWork, publisher: EventPublisher) -> None:
        self._uow = uow
        self._publisher = publisher

    async def execute(self, command: InboundReceipt) -> list[MessageView]:
        changed: list[MessageView] = []
        events: list[DomainEvent] = []
        async with self._uow as uow:
            ticket_views: dict[int, TicketView] = {}
            for wa_id in dict.fromkeys(command.wa_message_ids):
                message = await uow.messages.get_by_wa_id(command.whatsapp_id, wa_id)
                if message is None or not (message.reconcile(command.ack) or message.advance_ack(command.ack)):
                    continue
                await uow.messages.save(message)
                if message.ticket_id not in ticket_views:
                    ticket_views[message.ticket_id] = await ticket_view_of(uow, message)
                view = MessageView.of(message)
                changed.append(view)
                events.append(MessageUpdated(view, ticket_views[message.ticket_id]))
            if not changed:
                return []
            await commit_with(uow, events)
        await self._publisher.publish(events)
        return changed
