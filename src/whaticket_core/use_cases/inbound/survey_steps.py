"""The customer's answer to the satisfaction question, recognised on the way in."""

from __future__ import annotations

from datetime import datetime

from whaticket_core.domain.csat import rating_of
from whaticket_core.domain.ticket import Ticket
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage
from whaticket_core.use_cases.shared.reporting import record_rating


async def take_survey_answer(
    uow: UnitOfWork, last: Ticket | None, command: InboundMessage, now: datetime
) -> tuple[Ticket | None, Ticket | None]:
    """``last`` is the contact's last closed ticket on the connection, as the caller read it after finding no active
    ticket there (None when there is none, or when there is an active ticket). When it awaits a rating, this customer
    message ends the survey either way: exactly one digit 1-5 (text, no media) rates that ticket, which stays closed
    and is returned first (the message belongs on it); anything else only ends the survey (None first: the message
    goes on as usual, reopening or creating a ticket). The second value is the last closed ticket as it now stands
    (re-read under lock when the survey was answered). Messages of the company's phone, groups, history backfills
    and unreadable placeholders never answer."""
    if last is None or last.rating_requested_at is None:
        return None, last
    if command.from_me or command.is_group or command.history or command.undecryptable:
        return None, last
    ticket = await uow.tickets.get(last.id, for_update=True)
    if ticket is None or not ticket.awaits_rating(now):
        return None, ticket
    score = rating_of(command.body) if command.media is None else None
    if score is None:
        ticket.end_survey()
        await uow.tickets.save(ticket)
        return None, ticket
    ticket.rate(score, now)
    await record_rating(uow, ticket, score, now)
    return ticket, ticket
