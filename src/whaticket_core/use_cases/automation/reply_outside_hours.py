from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import JobQueue
from whaticket_core.ports.presence import AgentPresence
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.automation.hours_steps import hours_of_ticket
from whaticket_core.use_cases.messages.outbound_steps import store_outbound
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.ticket_access import ticket_changed, view_of
from whaticket_core.use_cases.tickets.ticket_steps import after_commit, with_message


@dataclass(frozen=True, slots=True)
class ReplyOutsideHoursCommand:
    """A customer's message was just stored on ticket ``ticket_id`` (and the routing bot has had its turn)."""

    ticket_id: int


@dataclass(frozen=True, slots=True)
class ReplyOutsideHoursResult:
    sent_message_id: int | None


class ReplyOutsideHours:
    """The away message: a customer writing while the ticket's business hours are closed is told so, once.

    Rules:
    - The schedule is the ticket's queue's, else its connection's, else the company default; none set, or a blank
      ``awayMessage``, means nothing is sent.
    - Nothing is sent while the schedule is open (the clock's now, in the schedule's time zone).
    - Nothing is sent on a ``closed`` ticket, nor on an ``open`` one whose assignee is online (connected socket):
      someone is answering.
    - At most once per ticket per closed period: after an away message, the next one needs the schedule to have
      opened in between (``Ticket.away_sent_at``, read and written under the ticket's row lock, so two messages of a
      burst handled at once still send one).
    - The message is stored pending in the ticket's transaction and delivered by a ``DeliverMessageJob`` after
      commit; ``ticket:updated`` then ``message:created`` are published.
    """

    def __init__(
        self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, jobs: JobQueue, presence: AgentPresence
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._jobs = jobs
        self._presence = presence

    async def execute(self, command: ReplyOutsideHoursCommand) -> ReplyOutsideHoursResult:
        async with self._uow as uow:
            ticket = await uow.tickets.get(command.ticket_id, for_update=True)
            if ticket is None or ticket.status is TicketStatus.CLOSED:
                return ReplyOutsideHoursResult(None)
            hours = await hours_of_ticket(uow, ticket)
            now = self._clock.now()
            if hours is None or not hours.away_message.strip() or hours.is_open(now):
                return ReplyOutsideHoursResult(None)
            if ticket.away_sent_at is not None:
                reopened = hours.next_opening(ticket.away_sent_at)
                if reopened is None or reopened > now:
                    return ReplyOutsideHoursResult(None)
            if await self._agent_online(ticket):
                return ReplyOutsideHoursResult(None)
            before = ticket.placement
            message = await store_outbound(uow, ticket, hours.away_message, now)
            ticket.away_sent_at = now
            await uow.tickets.save(ticket)
            view: TicketView = await view_of(uow, ticket)
            events = await commit_with(uow, with_message(ticket_changed(view, before), view, message))
        await after_commit(self._jobs, self._publisher, events, message)
        return ReplyOutsideHoursResult(message.id)

    async def _agent_online(self, ticket: Ticket) -> bool:
        if ticket.status is not TicketStatus.OPEN or ticket.user_id is None:
            return False
        return ticket.user_id in await self._presence.online([ticket.user_id])
