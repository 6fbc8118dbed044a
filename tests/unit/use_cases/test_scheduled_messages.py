"""Scheduled messages: stored ``scheduled``, released at ``send_at`` into the outbox, cancellable by DELETE or by the
customer replying first, and caught by the sweeper when their timed job was lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_world import World

from whaticket_core.domain.errors import InvalidInput, TicketIsClosed, TicketNotFound
from whaticket_core.domain.events import MessageCreated, MessageUpdated
from whaticket_core.domain.message import MessageAck
from whaticket_core.domain.reports import ReportEventKind
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.jobs import DeliverMessageJob, ReleaseScheduledMessageJob
from whaticket_core.use_cases.messages.delete_message import DeleteMessage, DeleteMessageCommand
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage, DeliverMessageCommand
from whaticket_core.use_cases.messages.release_scheduled_message import (
    ReleaseScheduledMessage,
    ReleaseScheduledMessageCommand,
)
from whaticket_core.use_cases.messages.schedule_message import ScheduleMessage, ScheduleMessageCommand
from whaticket_core.use_cases.messages.sweep_pending_messages import SweepPendingMessages, SweepPendingMessagesCommand

CUSTOMER = "5511999990001"
HOUR = timedelta(hours=1)


def schedule(world: World) -> ScheduleMessage:
    return ScheduleMessage(world.uow(), world.clock, world.publisher, world.jobs)


def release(world: World) -> ReleaseScheduledMessage:
    return ReleaseScheduledMessage(world.uow(), world.clock, world.publisher, world.jobs, world.jobs)


async def _ticket(world: World) -> tuple[int, int, Viewer]:
    wa = await world.add_whatsapp()
    agent = await world.viewer()
    received = await world.inbound(wa.id, CUSTOMER, "hi")
    ticket = world.state.tickets[received.ticket_id]
    ticket.status, ticket.user_id = TicketStatus.OPEN, agent.user_id
    return wa.id, received.ticket_id, agent


async def _run_due_jobs(world: World) -> None:
    """What the job runner does: timed jobs whose time came, then every waiting job, until none is left."""
    await world.jobs.due(world.clock.now())
    deliver = DeliverMessage(world.uow(), world.sender, world.media, world.publisher, world.clock)
    while jobs := world.jobs.take_all():
        for job in jobs:
            if isinstance(job, ReleaseScheduledMessageJob):
                await release(world).execute(ReleaseScheduledMessageCommand(job.message_id))
            elif isinstance(job, DeliverMessageJob):
                await deliver.execute(DeliverMessageCommand(job.message_id))


async def test_a_scheduled_message_waits_then_goes_out_like_any_message(world: World) -> None:
    _wa, ticket_id, agent = await _ticket(world)
    before = world.state.tickets[ticket_id].last_message
    world.jobs.take_all()
    world.publisher.clear()
    send_at = world.clock.now() + HOUR
    view = await schedule(world).execute(ScheduleMessageCommand(ticket_id, agent, "Reminder", send_at))

    assert (view.ack, view.send_at, view.user_id) == (MessageAck.SCHEDULED, send_at, agent.user_id)
    assert world.jobs.scheduled == [(ReleaseScheduledMessageJob(view.id), send_at)]
    assert world.state.tickets[ticket_id].last_message == before
    assert [type(e) for e in world.publisher.events] == [MessageCreated]
    await _run_due_jobs(world)
    assert world.sender.outbox == []

    world.clock.advance(HOUR)
    await _run_due_jobs(world)
    [sent] = world.sender.outbox
    assert sent.body == "Reminder"
    message = world.state.messages[view.id]
    assert (message.ack, message.wa_message_id) == (MessageAck.SENT, sent.wa_message_id)
    assert world.state.tickets[ticket_id].last_message == "Reminder"
    [first] = [e for e in world.state.report_events.values() if e.kind is ReportEventKind.FIRST_RESPONSE]
    assert (first.user_id, first.seconds) == (agent.user_id, 3600)


async def test_scheduling_rules(world: World) -> None:
    _wa, ticket_id, agent = await _ticket(world)
    now = world.clock.now()
    with pytest.raises(InvalidInput):
        await schedule(world).execute(ScheduleMessageCommand(ticket_id, agent, "x", now))
    with pytest.raises(InvalidInput):
        await schedule(world).execute(ScheduleMessageCommand(ticket_id, agent, "x", now + timedelta(days=400)))
    with pytest.raises(InvalidInput):
        await schedule(world).execute(ScheduleMessageCommand(ticket_id, agent, "  ", now + HOUR))
    with pytest.raises(TicketNotFound):
        await schedule(world).execute(ScheduleMessageCommand(ticket_id, await world.viewer(), "x", now + HOUR))
    world.state.tickets[ticket_id].status = TicketStatus.CLOSED
    world.state.tickets[ticket_id].closed_at = now
    with pytest.raises(TicketIsClosed):
        await schedule(world).execute(ScheduleMessageCommand(ticket_id, agent, "x", now + HOUR))


async def test_delete_cancels_and_the_job_then_does_nothing(world: World) -> None:
    _wa, ticket_id, agent = await _ticket(world)
    view = await schedule(world).execute(ScheduleMessageCommand(ticket_id, agent, "Later", world.clock.now() + HOUR))
    cancelled = await DeleteMessage(world.uow(), world.sender, world.publisher).execute(
        DeleteMessageCommand(view.id, agent)
    )
    assert cancelled.is_deleted
    world.clock.advance(2 * HOUR)
    await _run_due_jobs(world)
    assert world.sender.outbox == []
    assert world.state.messages[view.id].ack is MessageAck.SCHEDULED


async def test_a_customer_reply_cancels_only_messages_that_asked_for_it(world: World) -> None:
    wa, ticket_id, agent = await _ticket(world)
    later = world.clock.now() + HOUR
    cancellable = await schedule(world).execute(
        ScheduleMessageCommand(ticket_id, agent, "Any news?", later, cancel_if_replied=True)
    )
    kept = await schedule(world).execute(ScheduleMessageCommand(ticket_id, agent, "Office closes at 6", later))
    world.publisher.clear()
    await world.inbound(wa, CUSTOMER, "here is the news")
    assert world.state.messages[cancellable.id].is_deleted
    assert not world.state.messages[kept.id].is_deleted
    assert [e.message.id for e in world.publisher.of_type(MessageUpdated)] == [cancellable.id]
    world.clock.advance(HOUR)
    await _run_due_jobs(world)
    assert [item.body for item in world.sender.outbox] == ["Office closes at 6"]


async def test_the_sweeper_releases_an_overdue_message_whose_timer_was_lost(world: World) -> None:
    _wa, ticket_id, agent = await _ticket(world)
    view = await schedule(world).execute(ScheduleMessageCommand(ticket_id, agent, "Late", world.clock.now() + HOUR))
    world.jobs.scheduled.clear()  # the embedded runner crashed: its timers are gone
    world.clock.advance(2 * HOUR)
    swept = await SweepPendingMessages(world.uow(), world.clock, world.jobs).execute(SweepPendingMessagesCommand())
    assert swept == 1
    await _run_due_jobs(world)
    assert [item.body for item in world.sender.outbox] == ["Late"]
    assert world.state.messages[view.id].ack is MessageAck.SENT


async def test_an_early_or_repeated_job_releases_once_and_on_time(world: World) -> None:
    _wa, ticket_id, agent = await _ticket(world)
    send_at = world.clock.now() + HOUR
    view = await schedule(world).execute(ScheduleMessageCommand(ticket_id, agent, "Once", send_at))
    world.jobs.scheduled.clear()
    assert await release(world).execute(ReleaseScheduledMessageCommand(view.id)) is None  # early: rescheduled
    assert world.jobs.scheduled == [(ReleaseScheduledMessageJob(view.id), send_at)]
    world.clock.advance(HOUR - timedelta(milliseconds=800))  # a timer a hair early is on time
    assert await release(world).execute(ReleaseScheduledMessageCommand(view.id)) is not None
    assert await release(world).execute(ReleaseScheduledMessageCommand(view.id)) is None
    assert world.jobs.take_all().count(DeliverMessageJob(view.id)) == 1
