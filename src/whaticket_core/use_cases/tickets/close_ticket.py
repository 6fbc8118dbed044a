from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import JobQueue
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.reporting import record_closed
from whaticket_core.use_cases.shared.ticket_access import load_visible_ticket, ticket_changed, view_of
from whaticket_core.use_cases.tickets.ticket_steps import after_commit, send_farewell, send_survey, with_message


@dataclass(frozen=True, slots=True)
class CloseTicketCommand:
    ticket_id: int
    actor: Viewer
    skip_survey: bool = False


class CloseTicket:
    """Close a pending or open ticket.

    Rules: the actor must see the ticket (else ``ticket_not_found``); an already closed ticket answers
    ``invalid_ticket_transition``. When the connection has a farewell message it is rendered (``{{name}}``) and stored
    as a pending outbound message in the same transaction; its ``DeliverMessageJob`` is enqueued after commit.
    When setting ``csat`` is ``on`` and ``skip_survey`` is not set, the satisfaction question (``csatQuestion``) is
    stored after the farewell and delivered the same way; the customer's next message within 24 hours that is exactly
    one digit 1-5 becomes the ticket's rating (see ``ReceiveMessage``). The close is recorded for reports
    (resolution time since creation, credited to the assignee). Publishes ``ticket:updated`` and ``ticket:closed``,
    then ``message:created`` for the farewell and the question.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, jobs: JobQueue) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._jobs = jobs

    async def execute(self, command: CloseTicketCommand) -> TicketView:
        async with self._uow as uow:
            ticket = await load_visible_ticket(uow, command.ticket_id, command.actor)
            before = ticket.placement
            now = self._clock.now()
            ticket.close(now)
            await record_closed(uow, ticket, now)
            farewell = await send_farewell(uow, ticket, now)
            survey = await send_survey(uow, ticket, now, skip=command.skip_survey)
            await uow.tickets.save(ticket)
            view = await view_of(uow, ticket)
            events = await commit_with(uow, with_message(ticket_changed(view, before), view, farewell, survey))
        await after_commit(self._jobs, self._publisher, events, farewell, survey)
        return view
