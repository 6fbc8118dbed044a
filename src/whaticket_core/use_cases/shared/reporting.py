"""Recording the reporting facts in the transaction of what they record, so a report never disagrees with the
tickets (and never has to scan messages)."""

from __future__ import annotations

from datetime import datetime

from whaticket_core.domain.reports import ReportEvent, ReportEventKind
from whaticket_core.domain.ticket import Ticket
from whaticket_core.ports.unit_of_work import UnitOfWork


def _since_created(ticket: Ticket, now: datetime) -> int:
    return max(0, int((now - ticket.created_at).total_seconds()))


async def record_created(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
    """A new ticket (``ticket.id`` assigned)."""
    await uow.report_events.add(
        ReportEvent(ReportEventKind.CREATED, ticket.id, now, queue_id=ticket.queue_id, user_id=ticket.user_id)
    )


async def record_first_response(uow: UnitOfWork, ticket: Ticket, user_id: int, now: datetime) -> None:
    """An agent wrote to the customer: recorded for the ticket's first such message only (callers hold the ticket's
    row lock, so two first messages at once cannot both be first)."""
    if await uow.report_events.exists(ticket.id, ReportEventKind.FIRST_RESPONSE):
        return
    await uow.report_events.add(
        ReportEvent(
            ReportEventKind.FIRST_RESPONSE,
            ticket.id,
            now,
            queue_id=ticket.queue_id,
            user_id=user_id,
            seconds=_since_created(ticket, now),
        )
    )


async def record_closed(uow: UnitOfWork, ticket: Ticket, now: datetime) -> None:
    """An agent closed the ticket: its resolution time counts from its creation, credited to its assignee."""
    await uow.report_events.add(
        ReportEvent(
            ReportEventKind.CLOSED,
            ticket.id,
            now,
            queue_id=ticket.queue_id,
            user_id=ticket.user_id,
            seconds=_since_created(ticket, now),
        )
    )


async def record_rating(uow: UnitOfWork, ticket: Ticket, value: int, now: datetime) -> None:
    """The customer rated the ticket ``value`` (1-5), credited to the agent who closed it."""
    await uow.report_events.add(
        ReportEvent(
            ReportEventKind.RATING, ticket.id, now, queue_id=ticket.queue_id, user_id=ticket.user_id, value=value
        )
    )
