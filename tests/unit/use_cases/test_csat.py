"""CSAT: the question on close, and only an exact 1-5 reply within 24 hours counts as the rating; anything else is an
ordinary message (the customer is never trapped in the survey)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_world import World

from whaticket_core.domain.csat import rating_of
from whaticket_core.domain.events import TicketUpdated
from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.domain.reports import ReportEventKind
from whaticket_core.domain.settings import CSAT, CSAT_QUESTION
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.use_cases.inbound.inbound_commands import InboundMedia
from whaticket_core.use_cases.tickets.close_ticket import CloseTicket, CloseTicketCommand
from whaticket_core.use_cases.tickets.update_ticket import UpdateTicket, UpdateTicketCommand

CUSTOMER = "5511999990001"


async def _closed_with_survey(world: World, *, farewell: str = "") -> tuple[int, int, Viewer]:
    """A customer's ticket, answered by an agent and closed with csat on; returns (connection, ticket, agent)."""
    await world.set_setting(CSAT, "on")
    await world.set_setting(CSAT_QUESTION, "Rate us 1-5")
    wa = await world.add_whatsapp(farewell=farewell)
    agent = await world.viewer()
    received = await world.inbound(wa.id, CUSTOMER, "help")
    ticket = world.state.tickets[received.ticket_id]
    ticket.status, ticket.user_id = TicketStatus.OPEN, agent.user_id
    await CloseTicket(world.uow(), world.clock, world.publisher, world.jobs).execute(
        CloseTicketCommand(received.ticket_id, agent)
    )
    return wa.id, received.ticket_id, agent


def _outbound_bodies(world: World, ticket_id: int) -> list[str]:
    return [m.body for m in world.state.messages.values() if m.ticket_id == ticket_id and m.from_me]


@pytest.mark.parametrize(
    ("body", "score"),
    [("1", 1), ("5", 5), (" 3\n", 3), ("0", None), ("6", None), ("10", None), ("5 stars", None), ("five", None)],
)
def test_only_one_digit_from_1_to_5_is_a_rating(body: str, score: int | None) -> None:
    assert rating_of(body) == score


async def test_closing_sends_the_question_after_the_farewell(world: World) -> None:
    _wa, ticket_id, _agent = await _closed_with_survey(world, farewell="Bye {{name}}")
    assert _outbound_bodies(world, ticket_id) == [f"Bye {CUSTOMER}", "Rate us 1-5"]
    question = max((m for m in world.state.messages.values() if m.from_me), key=lambda m: m.id)
    assert (question.body, question.ack) == ("Rate us 1-5", MessageAck.PENDING)
    assert DeliverMessageJob(question.id) in world.jobs.waiting
    assert world.state.tickets[ticket_id].rating_requested_at == world.clock.now()


async def test_no_question_when_csat_is_off_or_the_closer_skips_it(world: World) -> None:
    wa = await world.add_whatsapp()
    agent = await world.viewer()
    close = CloseTicket(world.uow(), world.clock, world.publisher, world.jobs)
    first = await world.inbound(wa.id, CUSTOMER, "hi")
    world.state.tickets[first.ticket_id].user_id = agent.user_id
    await close.execute(CloseTicketCommand(first.ticket_id, agent))
    assert _outbound_bodies(world, first.ticket_id) == []
    await world.set_setting(CSAT, "on")
    second = await world.inbound(wa.id, "5511999990002", "hi")
    world.state.tickets[second.ticket_id].user_id = agent.user_id
    await close.execute(CloseTicketCommand(second.ticket_id, agent, skip_survey=True))
    assert _outbound_bodies(world, second.ticket_id) == []
    assert world.state.tickets[second.ticket_id].rating_requested_at is None


async def test_a_digit_reply_rates_the_closed_ticket_and_is_recorded(world: World) -> None:
    wa, ticket_id, agent = await _closed_with_survey(world)
    world.publisher.clear()
    world.clock.advance(timedelta(hours=23))
    unread = world.state.tickets[ticket_id].unread_messages
    answer = await world.inbound(wa, CUSTOMER, "4")

    ticket = world.state.tickets[ticket_id]
    assert answer.ticket_id == ticket_id
    assert (ticket.status, ticket.rating, ticket.unread_messages) == (TicketStatus.CLOSED, 4, unread)
    assert world.state.messages[answer.message_id].body == "4"
    [updated] = world.publisher.of_type(TicketUpdated)
    assert updated.ticket.rating == 4
    [rating] = [e for e in world.state.report_events.values() if e.kind is ReportEventKind.RATING]
    assert (rating.ticket_id, rating.value, rating.user_id) == (ticket_id, 4, agent.user_id)
    # Answered: a second digit is an ordinary message (past the reopen window: a new ticket), not a second rating.
    again = await world.inbound(wa, CUSTOMER, "5")
    assert again.ticket_id != ticket_id
    assert world.state.tickets[ticket_id].rating == 4


async def test_any_other_reply_is_an_ordinary_message_and_ends_the_survey(world: World) -> None:
    wa, ticket_id, _agent = await _closed_with_survey(world)
    await world.inbound(wa, CUSTOMER, "5 stars, thanks!")
    ticket = world.state.tickets[ticket_id]
    assert (ticket.status, ticket.rating, ticket.rating_requested_at) == (TicketStatus.PENDING, None, None)
    assert world.state.messages[max(world.state.messages)].body == "5 stars, thanks!"
    await world.inbound(wa, CUSTOMER, "5")
    assert world.state.tickets[ticket_id].rating is None
    assert not [e for e in world.state.report_events.values() if e.kind is ReportEventKind.RATING]


async def test_a_reply_after_24_hours_or_with_media_is_no_answer(world: World) -> None:
    wa, ticket_id, _agent = await _closed_with_survey(world)
    world.clock.advance(timedelta(hours=24))
    late = await world.inbound(wa, CUSTOMER, "5")
    assert late.ticket_id != ticket_id  # past the reopen window too: a new ticket
    assert world.state.tickets[ticket_id].rating is None

    wa2, second, _ = await _closed_with_survey(world)
    photo = InboundMedia(media_type=MediaType.IMAGE, mime_type="image/jpeg", media_ref="ref-1")
    await world.inbound(wa2, CUSTOMER, "5", media=photo)
    assert world.state.tickets[second].rating is None


async def test_the_generic_update_to_closed_asks_too(world: World) -> None:
    await world.set_setting(CSAT, "on")
    wa = await world.add_whatsapp()
    agent = await world.viewer()
    received = await world.inbound(wa.id, CUSTOMER, "hi")
    world.state.tickets[received.ticket_id].user_id = agent.user_id
    world.state.tickets[received.ticket_id].status = TicketStatus.OPEN
    await UpdateTicket(world.uow(), world.clock, world.publisher, world.jobs).execute(
        UpdateTicketCommand(received.ticket_id, agent, status=TicketStatus.CLOSED)
    )
    assert world.state.tickets[received.ticket_id].rating_requested_at is not None
    await world.inbound(wa.id, CUSTOMER, "2")
    assert world.state.tickets[received.ticket_id].rating == 2
