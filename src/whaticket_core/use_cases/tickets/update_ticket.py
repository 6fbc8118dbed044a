from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.message import Message
from whaticket_core.domain.read_models import TicketView
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.jobs import JobQueue
from whaticket_core.ports.publisher import EventPublisher
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict, UnitOfWork
from whaticket_core.use_cases.shared.conflicts import explain_conflict
from whaticket_core.use_cases.shared.outbox import commit_with
from whaticket_core.use_cases.shared.reporting import record_closed
from whaticket_core.use_cases.shared.ticket_access import load_visible_ticket, ticket_changed, view_of
from whaticket_core.use_cases.tickets.ticket_steps import (
    after_commit,
    already_open,
    already_open_error,
    check_transfer,
    send_farewell,
    send_survey,
    with_message,
)


@dataclass(frozen=True, slots=True)
class UpdateTicketCommand:
    """The generic update of a ticket; None means the field was absent."""

    ticket_id: int
    actor: Viewer
    status: TicketStatus | None = None
    user_id: int | None = None
    queue_id: int | None = None


class UpdateTicket:
    """The generic ticket update, translated into the actions so it obeys exactly their rules.

    On an active ticket: ``status=closed`` closes it (farewell included), after moving it first when ``user_id`` or
    ``queue_id`` is also given (clients close and assign to themselves in one call); ``status=open`` assigns it to
    ``user_id`` (default: its current assignee when open, else the caller) with the transfer rules; ``status=pending``
    returns it to pending and unassigned (``user_id`` is then a ``validation_error``), in ``queue_id`` if given; no
    status is a transfer. On a closed ticket: ``status=open`` reopens it assigned to ``user_id`` or the caller,
    ``status=pending`` reopens it pending and unassigned, both with ``ticket_already_open`` when the contact has
    another active ticket; ``status=closed`` is ``invalid_ticket_transition``; a bare move is ``ticket_closed``.
    Nothing given: the ticket is returned unchanged. Events as for the matching action.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock, publisher: EventPublisher, jobs: JobQueue) -> None:
        self._uow = uow
        self._clock = clock
        self._publisher = publisher
        self._jobs = jobs

    async def execute(self, command: UpdateTicketCommand) -> TicketView:
        nothing = command.status is None and command.user_id is None and command.queue_id is None
        contact_id = whatsapp_id = 0
        try:
            async with self._uow as uow:
                ticket = await load_visible_ticket(uow, command.ticket_id, command.actor)
                if nothing:
                    return await view_of(uow, ticket)
                contact_id, whatsapp_id = ticket.contact_id, ticket.whatsapp_id
                before = ticket.placement
                now = self._clock.now()
                sent: list[Message] = []
                if ticket.status is TicketStatus.CLOSED:
                    await self._on_closed(uow, ticket, command, now)
                else:
                    sent = await self._on_active(uow, ticket, command, now)
                await uow.tickets.save(ticket)
                view = await view_of(uow, ticket)
                events = await commit_with(uow, with_message(ticket_changed(view, before), view, *sent))
        except StoreConflict as exc:
            errors = {Constraint.ACTIVE_TICKET: lambda: already_open_error(self._uow, contact_id, whatsapp_id)}
            raise await explain_conflict(exc, errors) from None
        await after_commit(self._jobs, self._publisher, events, *sent)
        return view

    async def _on_closed(self, uow: UnitOfWork, ticket: Ticket, command: UpdateTicketCommand, now: datetime) -> None:
        actor = command.actor
        if command.status is TicketStatus.CLOSED:
            ticket.close(now)  # raises: already closed
        if command.status is None:
            ticket.transfer(command.user_id, command.queue_id, now)  # raises: closed
        await already_open(uow, ticket.contact_id, ticket.whatsapp_id, exclude=ticket.id)
        if command.status is TicketStatus.PENDING:
            _no_assignee_for_pending(command)
            if command.queue_id is not None:
                await check_transfer(uow, actor, ticket, None, command.queue_id)
            ticket.reopen_by_customer(now)  # closed -> pending, unassigned: the same move as a customer's return
            if command.queue_id is not None:
                ticket.assign_queue(command.queue_id, now)
            return
        target = command.user_id if command.user_id is not None else actor.user_id
        if target != actor.user_id or command.queue_id is not None:
            await check_transfer(uow, actor, ticket, target, command.queue_id)
        ticket.reopen(target, now)
        if command.queue_id is not None:
            ticket.transfer(target, command.queue_id, now)

    async def _on_active(
        self, uow: UnitOfWork, ticket: Ticket, command: UpdateTicketCommand, now: datetime
    ) -> list[Message]:
        """The transition on an active ticket; returns the outbound messages it stored (farewell, survey)."""
        actor = command.actor
        if command.status is TicketStatus.CLOSED:
            if command.user_id is not None or command.queue_id is not None:
                await check_transfer(uow, actor, ticket, command.user_id, command.queue_id)
                ticket.transfer(command.user_id, command.queue_id, now)
            ticket.close(now)
            await record_closed(uow, ticket, now)
            farewell = await send_farewell(uow, ticket, now)
            survey = await send_survey(uow, ticket, now)
            return [m for m in (farewell, survey) if m is not None]
        if command.status is TicketStatus.PENDING:
            _no_assignee_for_pending(command)
            if command.queue_id is not None:
                await check_transfer(uow, actor, ticket, None, command.queue_id)
                ticket.transfer(None, command.queue_id, now)
            else:
                ticket.release(now)
            return []
        target = command.user_id
        if command.status is TicketStatus.OPEN and target is None:
            target = ticket.user_id if ticket.status is TicketStatus.OPEN else actor.user_id
        await check_transfer(uow, actor, ticket, target, command.queue_id)
        ticket.transfer(target, command.queue_id, now)
        return []


def _no_assignee_for_pending(command: UpdateTicketCommand) -> None:
    if command.user_id is not None:
        raise InvalidInput("A pending ticket has no assignee: leave the user out", "user_id")
