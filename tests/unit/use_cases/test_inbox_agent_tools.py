"""The inbound steps of the agent tools (the CSAT answer, cancel-on-reply of scheduled messages) run where inbound
messages are processed: from the durable inbox, also when its first processing failed and a retry job finishes it."""

from __future__ import annotations

from datetime import timedelta

from fake_world import World

from whaticket_core.domain.inbox import InboxStatus
from whaticket_core.domain.settings import CSAT, CSAT_QUESTION
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.jobs import ProcessInboxJob
from whaticket_core.use_cases.inbound.inbound_commands import InboundCommand, InboundMessage
from whaticket_core.use_cases.inbound.inbox import ProcessInboxEntry, ProcessInboxEntryCommand, RecordInboundEvent
from whaticket_core.use_cases.messages.schedule_message import ScheduleMessage, ScheduleMessageCommand
from whaticket_core.use_cases.shared.retry import RetryLater
from whaticket_core.use_cases.tickets.close_ticket import CloseTicket, CloseTicketCommand

CUSTOMER = "5511999990001"


class FlakyReceiver:
    """The inbound dispatcher for messages: ReceiveMessage, after failing ``failures`` times."""

    def __init__(self, world: World, failures: int = 0) -> None:
        self.world = world
        self.failures = failures

    async def dispatch(self, command: InboundCommand) -> object:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("simulated failure")
        assert isinstance(command, InboundMessage)
        return await self.world.receive_message().execute(command)


async def _through_inbox(world: World, receiver: FlakyReceiver, whatsapp_id: int, wa_id: str, body: str) -> int:
    """Store the event, process it, then run its retry jobs until it is done; returns the entry id."""
    command = InboundMessage(whatsapp_id, wa_id, CUSTOMER, body=body)
    recorded = await RecordInboundEvent(world.uow(), world.clock).execute(command)
    process = ProcessInboxEntry(world.uow(), world.clock, receiver, world.jobs)
    await process.execute(ProcessInboxEntryCommand(recorded.entry_id))
    while jobs := world.jobs.take_all():
        for job in jobs:
            assert isinstance(job, ProcessInboxJob)
            try:
                await process.execute(ProcessInboxEntryCommand(job.entry_id, in_job=True))
            except RetryLater:
                await world.jobs.enqueue(job)
    assert world.state.inbox[recorded.entry_id].status is InboxStatus.DONE
    return recorded.entry_id


async def _open_ticket(world: World) -> tuple[int, int, Viewer]:
    wa = await world.add_whatsapp()
    agent = await world.viewer()
    received = await world.inbound(wa.id, CUSTOMER, "help")
    ticket = world.state.tickets[received.ticket_id]
    ticket.status, ticket.user_id = TicketStatus.OPEN, agent.user_id
    return wa.id, received.ticket_id, agent


async def test_a_reply_through_the_inbox_cancels_a_cancel_if_replied_message(world: World) -> None:
    wa, ticket_id, agent = await _open_ticket(world)
    later = world.clock.now() + timedelta(hours=1)
    schedule = ScheduleMessage(world.uow(), world.clock, world.publisher, world.jobs)
    cancellable = await schedule.execute(ScheduleMessageCommand(ticket_id, agent, "Any news?", later, True))
    kept = await schedule.execute(ScheduleMessageCommand(ticket_id, agent, "Office closes at 6", later))
    world.jobs.take_all()  # the timed release jobs are not what this test runs

    await _through_inbox(world, FlakyReceiver(world, failures=1), wa, "WA-REPLY", "here is the news")

    assert world.state.messages[cancellable.id].is_deleted
    assert not world.state.messages[kept.id].is_deleted


async def test_a_digit_through_the_inbox_rates_the_closed_ticket(world: World) -> None:
    await world.set_setting(CSAT, "on")
    await world.set_setting(CSAT_QUESTION, "Rate us 1-5")
    wa, ticket_id, agent = await _open_ticket(world)
    await CloseTicket(world.uow(), world.clock, world.publisher, world.jobs).execute(
        CloseTicketCommand(ticket_id, agent)
    )
    world.jobs.take_all()  # the question's delivery

    await _through_inbox(world, FlakyReceiver(world, failures=1), wa, "WA-RATING", "4")

    ticket = world.state.tickets[ticket_id]
    assert (ticket.status, ticket.rating) == (TicketStatus.CLOSED, 4)
