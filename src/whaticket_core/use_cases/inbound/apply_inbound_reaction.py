from __future__ import annotations

from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import Reaction
from whaticket_core.domain.read_models import MessageView
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.inbound.inbound_commands import InboundReaction
from whaticket_core.use_cases.messages.message_steps import ticket_view_of
from whaticket_core.use_cases.shared.outbox import commit_with


class ApplyInboundReaction:
    """Someone reacted on WhatsApp: the reaction is attached to the message it reacts to (never a message itself).

    Rules: each reactor (the customer, this side, or each group member) has at most one reaction per message; a new
    one replaces theirs and an empty emoji removes it. A reaction to an unknown WhatsApp id (a message never stored)
    is a no-op returning None, as is one that changes nothing (a redelivery). The time recorded is the clock's.
    Publishes ``message:updated`` after commit.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher

    async def execute(self, command: InboundReaction) -> MessageView | None:
        async with self._uow as uow:
            message = await uow.messages.get_by_wa_id(command.whatsapp_id, command.wa_message_id, for_update=True)
            if message is None:
                return None
            reaction = Reaction(command.emoji.strip(), command.from_me, self._clock.now(), command.sender)
            if not message.react(reaction):
                return None
            await uow.messages.save(message)
            ticket_view = await ticket_view_of(uow, message)
            view = MessageView.of(message)
            events = await commit_with(uow, [MessageUpdated(view, ticket_view)])
        await self._publisher.publish(events)
        return view
