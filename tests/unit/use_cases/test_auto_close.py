"""Auto-close on inactivity, with its warning, on a controllable clock."""

from __future__ import annotations

from datetime import timedelta

from fake_world import World

from whaticket_core.domain.events import MessageCreated, TicketClosed, TicketUpdated
from whaticket_core.domain.settings import AUTO_CLOSE_MINUTES, AUTO_CLOSE_WARNING, AUTO_CLOSE_WARNING_MINUTES
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.use_cases.automation.auto_close import (
    AutoCloseIdleTickets,
    AutoCloseIdleTicketsCommand,
    AutoCloseIdleTicketsResult,
)
from whaticket_core.use_cases.messages.send_message import SendMessage, SendMessageCommand

NUMBER = "5511999990001"


async def sweep(world: World, batch: int = 50) -> AutoCloseIdleTicketsResult:
    use_case = AutoCloseIdleTickets(world.uow(), world.clock, world.publisher, world.jobs)
    return await use_case.execute(AutoCloseIdleTicketsCommand(batch))


def outbound(world: World, ticket_id: int) -> list[str]:
    return [
        m.body
        for m in sorted(world.state.messages.values(), key=lambda m: m.id)
        if m.ticket_id == ticket_id and m.from_me
    ]


async def enable(world: World, minutes: int, warning_minutes: int = 0, warning: str = "") -> None:
    await world.set_setting(AUTO_CLOSE_MINUTES, str(minutes))
    await world.set_setting(AUTO_CLOSE_WARNING_MINUTES, str(warning_minutes))
    await world.set_setting(AUTO_CLOSE_WARNING, warning)


async def test_off_by_default(world: World) -> None:
    wa = await world.add_whatsapp()
    ticket_id = (await world.inbound(wa.id, NUMBER)).ticket_id
    world.clock.advance(timedelta(days=30))
    assert await sweep(world) == AutoCloseIdleTicketsResult(0, 0)
    assert world.state.tickets[ticket_id].status is TicketStatus.PENDING


async def test_a_silent_customer_ticket_closes_after_the_minutes(world: World) -> None:
    wa = await world.add_whatsapp(farewell="Bye {{name}}")
    await enable(world, 60)
    ticket_id = (await world.inbound(wa.id, NUMBER, push_name="Ana")).ticket_id
    world.clock.advance(timedelta(minutes=59))
    assert await sweep(world) == AutoCloseIdleTicketsResult(0, 0)
    world.clock.advance(timedelta(minutes=1))
    assert await sweep(world) == AutoCloseIdleTicketsResult(0, 1)
    ticket = world.state.tickets[ticket_id]
    assert (ticket.status, ticket.closed_at) == (TicketStatus.CLOSED, world.clock.now())
    assert outbound(world, ticket_id) == ["Bye Ana"]
    assert [e.ticket.id for e in world.publisher.of_type(TicketClosed)] == [ticket_id]
    assert any(isinstance(j, DeliverMessageJob) for j in world.jobs.waiting)
    assert await sweep(world) == AutoCloseIdleTicketsResult(0, 0)  # once


async def test_the_customer_writing_restarts_the_clock_but_the_agent_does_not(world: World) -> None:
    wa = await world.add_whatsapp()
    agent = await world.viewer()
    await enable(world, 60)
    ticket_id = (await world.inbound(wa.id, NUMBER)).ticket_id
    world.clock.advance(timedelta(minutes=50))
    await world.inbound(wa.id, NUMBER, "still here")
    world.clock.advance(timedelta(minutes=50))
    assert (await sweep(world)).closed == 0
    send = SendMessage(world.uow(), world.clock, world.publisher, world.jobs, world.media)
    await send.execute(SendMessageCommand(ticket_id, agent, "Are you there?"))  # accepts it; not the customer
    world.clock.advance(timedelta(minutes=10))
    assert (await sweep(world)).closed == 1
    assert world.state.tickets[ticket_id].status is TicketStatus.CLOSED


async def test_warning_first_then_close_after_the_announced_minutes(world: World) -> None:
    wa = await world.add_whatsapp()
    await enable(world, 60, 15, "{{name}}, this chat closes in 15 minutes")
    ticket_id = (await world.inbound(wa.id, NUMBER, push_name="Ana")).ticket_id
    world.clock.advance(timedelta(minutes=44))
    assert await sweep(world) == AutoCloseIdleTicketsResult(0, 0)
    world.clock.advance(timedelta(minutes=1))
    assert await sweep(world) == AutoCloseIdleTicketsResult(1, 0)
    assert outbound(world, ticket_id) == ["Ana, this chat closes in 15 minutes"]
    warning = world.publisher.of_type(MessageCreated)[-1]
    assert warning.ticket.id == ticket_id
    assert world.publisher.of_type(TicketUpdated)[-1].ticket.last_message.startswith("Ana, this chat")
    world.clock.advance(timedelta(minutes=14))
    assert await sweep(world) == AutoCloseIdleTicketsResult(0, 0)  # one warning only
    world.clock.advance(timedelta(minutes=1))
    assert await sweep(world) == AutoCloseIdleTicketsResult(0, 1)


async def test_an_answer_after_the_warning_cancels_the_close_and_rearms_the_warning(world: World) -> None:
    wa = await world.add_whatsapp()
    await enable(world, 60, 15, "closing soon")
    ticket_id = (await world.inbound(wa.id, NUMBER)).ticket_id
    world.clock.advance(timedelta(minutes=45))
    await sweep(world)
    await world.inbound(wa.id, NUMBER, "wait!")
    world.clock.advance(timedelta(minutes=30))
    assert await sweep(world) == AutoCloseIdleTicketsResult(0, 0)
    world.clock.advance(timedelta(minutes=15))
    assert await sweep(world) == AutoCloseIdleTicketsResult(1, 0)
    assert outbound(world, ticket_id) == ["closing soon", "closing soon"]


async def test_a_late_scheduler_still_gives_the_warning_time(world: World) -> None:
    wa = await world.add_whatsapp()
    await enable(world, 60, 15, "closing soon")
    ticket_id = (await world.inbound(wa.id, NUMBER)).ticket_id
    world.clock.advance(timedelta(hours=5))  # the scheduler was down
    assert await sweep(world) == AutoCloseIdleTicketsResult(1, 0)
    world.clock.advance(timedelta(minutes=15))
    assert await sweep(world) == AutoCloseIdleTicketsResult(0, 1)
    assert world.state.tickets[ticket_id].status is TicketStatus.CLOSED


async def test_a_warning_not_shorter_than_the_close_is_ignored(world: World) -> None:
    wa = await world.add_whatsapp()
    await enable(world, 30, 30, "closing soon")
    ticket_id = (await world.inbound(wa.id, NUMBER)).ticket_id
    world.clock.advance(timedelta(minutes=30))
    assert await sweep(world) == AutoCloseIdleTicketsResult(0, 1)
    assert outbound(world, ticket_id) == []


async def test_batches_take_the_longest_silent_first_and_cover_everyone(world: World) -> None:
    wa = await world.add_whatsapp()
    await enable(world, 10)
    ids = []
    for n in range(7):
        ids.append((await world.inbound(wa.id, f"55119999900{n:02d}")).ticket_id)
        world.clock.advance(timedelta(minutes=1))
    world.clock.advance(timedelta(minutes=10))
    assert await sweep(world, batch=3) == AutoCloseIdleTicketsResult(0, 7)
    assert [e.ticket.id for e in world.publisher.of_type(TicketClosed)] == ids


async def test_a_ticket_reopened_by_an_agent_starts_a_new_silence(world: World) -> None:
    wa = await world.add_whatsapp()
    agent = await world.add_user()
    await enable(world, 60)
    ticket_id = (await world.inbound(wa.id, NUMBER)).ticket_id
    world.clock.advance(timedelta(minutes=60))
    await sweep(world)
    world.clock.advance(timedelta(days=1))
    async with world.uow() as uow:
        ticket = await uow.tickets.get(ticket_id)
        assert ticket is not None
        ticket.reopen(agent.id, world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    assert (await sweep(world)).closed == 0
