"""Reporting: facts recorded when they happen, the percentile rule, and the summary's rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_world import World
from ticket_seed import add_contact

from whaticket_core.domain.errors import ActionForbidden, InvalidInput, QueueNotFound, UserNotFound
from whaticket_core.domain.reports import ReportEventKind, percentile_cont
from whaticket_core.domain.settings import AUTO_CLOSE_MINUTES, CSAT
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.testing import InMemoryReportQueries
from whaticket_core.use_cases.automation.auto_close import AutoCloseIdleTickets, AutoCloseIdleTicketsCommand
from whaticket_core.use_cases.messages.send_message import SendMessage, SendMessageCommand
from whaticket_core.use_cases.reports.report_summary import GetReportSummary, GetReportSummaryCommand
from whaticket_core.use_cases.tickets.close_ticket import CloseTicket, CloseTicketCommand
from whaticket_core.use_cases.tickets.create_ticket import CreateTicket, CreateTicketCommand
from whaticket_core.use_cases.tickets.update_ticket import UpdateTicket, UpdateTicketCommand

K = ReportEventKind


def _events(world: World) -> list[tuple[K, int, int | None, int | None]]:
    return [(e.kind, e.ticket_id, e.user_id, e.seconds) for e in world.state.report_events.values()]


def summary(world: World) -> GetReportSummary:
    return GetReportSummary(world.uow(), InMemoryReportQueries(world.store), world.clock)


def test_percentiles_interpolate_like_percentile_cont() -> None:
    assert percentile_cont([], 0.5) is None
    assert percentile_cont([7], 0.9) == 7
    assert percentile_cont([300, 30, 120, 60], 0.5) == 90
    assert percentile_cont([30, 60, 120, 300], 0.9) == pytest.approx(246)
    assert percentile_cont([1, 2, 3, 4, 5], 0.5) == 3


async def test_a_ticket_records_created_first_response_once_and_closed(world: World) -> None:
    wa = await world.add_whatsapp()
    agent = await world.viewer(role=Role.USER)
    received = await world.inbound(wa.id, "5511999990001", "hi")
    send = SendMessage(world.uow(), world.clock, world.publisher, world.jobs, world.media)
    world.clock.advance(timedelta(seconds=90))
    await send.execute(SendMessageCommand(received.ticket_id, agent, "Hello!"))
    world.clock.advance(timedelta(seconds=30))
    await send.execute(SendMessageCommand(received.ticket_id, agent, "Still there?"))
    world.clock.advance(timedelta(minutes=10))
    await CloseTicket(world.uow(), world.clock, world.publisher, world.jobs).execute(
        CloseTicketCommand(received.ticket_id, agent)
    )
    t = received.ticket_id
    assert _events(world) == [
        (K.CREATED, t, None, None),
        (K.FIRST_RESPONSE, t, agent.user_id, 90),
        (K.CLOSED, t, agent.user_id, 720),
    ]


async def test_agent_started_tickets_and_generic_closes_are_recorded(world: World) -> None:
    await world.add_whatsapp()
    agent = await world.viewer()
    contact = await add_contact(world, "Eve")
    view = await CreateTicket(world.uow(), world.clock, world.publisher).execute(CreateTicketCommand(contact.id, agent))
    world.clock.advance(timedelta(seconds=45))
    await UpdateTicket(world.uow(), world.clock, world.publisher, world.jobs).execute(
        UpdateTicketCommand(view.id, agent, status=TicketStatus.CLOSED)
    )
    assert _events(world) == [(K.CREATED, view.id, agent.user_id, None), (K.CLOSED, view.id, agent.user_id, 45)]


async def test_the_summary_is_for_staff_over_a_sane_range(world: World) -> None:
    agent = await world.viewer()
    with pytest.raises(ActionForbidden):
        await summary(world).execute(GetReportSummaryCommand(agent))
    boss = await world.viewer(role=Role.SUPERVISOR)
    now = world.clock.now()
    with pytest.raises(InvalidInput):
        await summary(world).execute(GetReportSummaryCommand(boss, start=now, end=now))
    with pytest.raises(InvalidInput):
        await summary(world).execute(GetReportSummaryCommand(boss, start=now - timedelta(days=400), end=now))
    with pytest.raises(QueueNotFound):
        await summary(world).execute(GetReportSummaryCommand(boss, queue_id=99))
    with pytest.raises(UserNotFound):
        await summary(world).execute(GetReportSummaryCommand(boss, user_id=99))
    report, result = await summary(world).execute(GetReportSummaryCommand(boss))
    assert (report.start, report.end) == (now - timedelta(days=30), now)
    assert result.totals.created == 0


async def test_the_summary_reads_recorded_events(world: World) -> None:
    wa = await world.add_whatsapp()
    boss = await world.viewer(role=Role.ADMIN)
    start = world.clock.now()
    for n in range(3):
        await world.inbound(wa.id, f"551199999000{n}", "hi")
    world.clock.advance(timedelta(hours=1))
    _report, result = await summary(world).execute(GetReportSummaryCommand(boss, start=start))
    assert (result.totals.created, result.totals.closed) == (3, 0)
    assert result.totals.first_response.p50 is None


async def test_an_automatic_close_is_recorded_without_a_survey(world: World) -> None:
    wa = await world.add_whatsapp()
    await world.set_setting(AUTO_CLOSE_MINUTES, "60")
    await world.set_setting(CSAT, "on")
    ticket_id = (await world.inbound(wa.id, "5511999990009", "hi")).ticket_id
    world.clock.advance(timedelta(minutes=60))
    await AutoCloseIdleTickets(world.uow(), world.clock, world.publisher, world.jobs).execute(
        AutoCloseIdleTicketsCommand(50)
    )
    assert _events(world)[-1] == (K.CLOSED, ticket_id, None, 3600)
    assert world.state.tickets[ticket_id].rating_requested_at is None
