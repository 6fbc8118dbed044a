"""The customer's answer to the satisfaction question, recognised on the way in."""

from __future__ import annotations

from datetime import datetime

from whaticket_core.domain.csat import rating_of
from whaticket_core.domain.ticket import Ticket
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage
from whaticket_core.use_cases.shared.reporting import record_rating


async def take_survey_answer(
    uow: UnitOfWork, contact_id: int, whatsapp_id: int, command: InboundMessage, now: datetime
) -> Ticket | None:
    """When the contact's last closed ticket on this connection awaits a rating and the contact has no active ticket
    there, this customer message ends the survey either way: exactly one digit 1-5 (text, no media) rates that
    ticket, which stays closed (returned: the message belongs on it); anything else only ends the survey (None: the
    message goes on as usual, reopening or creating a ticket). Messages of the company's phone, groups, history
    backfills and unreadable placeholders never answer."""
    if command.from_me or command.is_group or command.history or command.undecryptable:
        return None
    if await uow.tickets.get_active(contact_id, whatsapp_id) is not None:
        return None
    last = await uow.tickets.get_last_closed(contact_id, whatsapp_id)
    if last is None or last.rating_requested_at is None:
        return None
    ticket = await uow.tickets.get(last.id, for_update=True)
    if ticket is None or not ticket.awaits_rating(now):
        return None
    score = rating_of(command.body) if command.media is None else None
    if score is None:
        ticket.end_survey()
        await uow.tickets.save(ticket)
        return None
    ticket.rate(score, now)
    await record_rating(uow, ticket, score, now)
    return ticket
