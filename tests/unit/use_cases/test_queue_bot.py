"""The queue routing bot inside ReceiveMessage: single queue, menu, choice, wrong replies, anti-loop."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_world import World

from whaticket_core.domain.events import MessageCreated, TicketCreated
from whaticket_core.domain.message import MessageAck
from whaticket_core.domain.queue import Queue
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.whatsapp import WhatsApp
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.use_cases.inbound.queue_bot_steps import parse_choice

NUMBER = "5511999990001"
MENU = "Welcome {{name}}! Pick one:"

TwoQueues = tuple[WhatsApp, Queue, Queue]


def bot_messages(world: World, ticket_id: int) -> list[str]:
    return [
        m.body
        for m in sorted(world.state.messages.values(), key=lambda m: m.id)
        if m.ticket_id == ticket_id and m.from_me
    ]


@pytest.fixture
async def two_queues(world: World) -> TwoQueues:
    sales = await world.add_queue("Sales", greeting="Sales here, {{name}}.")
    support = await world.add_queue("Support", greeting="Support here.")
    wa = await world.add_whatsapp(queue_ids=(sales.id, support.id), greeting=MENU)
    return wa, sales, support


async def test_single_queue_is_assigned_silently_and_its_greeting_sent(world: World) -> None:
    queue = await world.add_queue("Sales", greeting="Hello {{name}}, Sales speaking.")
    wa = await world.add_whatsapp(queue_ids=(queue.id,), greeting="ignored with one queue")
    result = await world.inbound(wa.id, NUMBER, "hi", push_name="Ana")

    ticket = world.state.tickets[result.ticket_id]
    assert (ticket.queue_id, ticket.status, ticket.user_id) == (queue.id, TicketStatus.PENDING, None)
    assert bot_messages(world, ticket.id) == ["Hello Ana, Sales speaking."]
    [greeting] = [m for m in world.state.messages.values() if m.from_me]
    assert greeting.ack is MessageAck.PENDING
    assert world.jobs.waiting == [DeliverMessageJob(greeting.id)]
    assert ticket.unread_messages == 1  # the bot's own message is not unread
    assert ticket.last_message == "Hello Ana, Sales speaking."
    created = world.publisher.of_type(TicketCreated)
    assert created[0].ticket.queue_id == queue.id
    assert [e.message.id for e in world.publisher.of_type(MessageCreated)] == [result.message_id, greeting.id]


async def test_single_queue_without_greeting_sends_nothing(world: World) -> None:
    queue = await world.add_queue("Sales")
    wa = await world.add_whatsapp(queue_ids=(queue.id,))
    result = await world.inbound(wa.id, NUMBER)
    assert world.state.tickets[result.ticket_id].queue_id == queue.id
    assert bot_messages(world, result.ticket_id) == []
    assert world.jobs.waiting == []


async def test_several_queues_send_greeting_and_numbered_menu(world: World, two_queues: TwoQueues) -> None:
    wa, _, _ = two_queues
    result = await world.inbound(wa.id, NUMBER, "hi", push_name="Ana")

    ticket = world.state.tickets[result.ticket_id]
    assert ticket.queue_id is None
    assert ticket.bot_menu_sent_at == world.clock.now()
    assert bot_messages(world, ticket.id) == ["Welcome Ana! Pick one:\n\n*1* - Sales\n*2* - Support"]


async def test_menu_without_connection_greeting_is_just_the_list(world: World) -> None:
    a, b = await world.add_queue("A"), await world.add_queue("B")
    wa = await world.add_whatsapp(queue_ids=(a.id, b.id))
    result = await world.inbound(wa.id, NUMBER)
    assert bot_messages(world, result.ticket_id) == ["*1* - A\n*2* - B"]


@pytest.mark.parametrize("reply", ["2", " 2 ", "2\n"])
async def test_reply_picks_the_queue_and_sends_its_greeting(world: World, two_queues: TwoQueues, reply: str) -> None:
    wa, _, support = two_queues
    first = await world.inbound(wa.id, NUMBER, "hi")
    world.clock.advance(timedelta(seconds=5))
    await world.inbound(wa.id, NUMBER, reply)

    ticket = world.state.tickets[first.ticket_id]
    assert ticket.queue_id == support.id
    assert (ticket.bot_menu_sent_at, ticket.bot_attempts) == (None, 0)
    assert bot_messages(world, ticket.id)[-1] == "Support here."
    assert len(bot_messages(world, ticket.id)) == 2


async def test_choice_renders_name_in_queue_greeting(world: World, two_queues: TwoQueues) -> None:
    wa, sales, _ = two_queues
    first = await world.inbound(wa.id, NUMBER, "hi", push_name="Bia")
    await world.inbound(wa.id, NUMBER, "1")
    assert world.state.tickets[first.ticket_id].queue_id == sales.id
    assert bot_messages(world, first.ticket_id)[-1] == "Sales here, Bia."


async def test_a_first_message_that_looks_like_a_choice_gets_the_menu(world: World, two_queues: TwoQueues) -> None:
    wa, _, _ = two_queues
    result = await world.inbound(wa.id, NUMBER, "1")
    assert world.state.tickets[result.ticket_id].queue_id is None
    assert len(bot_messages(world, result.ticket_id)) == 1


async def test_wrong_reply_resends_the_menu(world: World, two_queues: TwoQueues) -> None:
    wa, _, _ = two_queues
    first = await world.inbound(wa.id, NUMBER, "hi")
    world.clock.advance(timedelta(seconds=31))
    await world.inbound(wa.id, NUMBER, "3")  # out of range

    ticket = world.state.tickets[first.ticket_id]
    assert ticket.queue_id is None
    assert ticket.bot_attempts == 1
    sent = bot_messages(world, ticket.id)
    assert len(sent) == 2
    assert sent[0] == sent[1]


async def test_menu_is_never_sent_twice_within_30_seconds(world: World, two_queues: TwoQueues) -> None:
    wa, _, _ = two_queues
    first = await world.inbound(wa.id, NUMBER, "hi")
    for _ in range(5):
        world.clock.advance(timedelta(seconds=5))
        await world.inbound(wa.id, NUMBER, "what?")
    assert len(bot_messages(world, first.ticket_id)) == 1
    world.clock.advance(timedelta(seconds=5))  # 30 s after the menu
    await world.inbound(wa.id, NUMBER, "what?")
    assert len(bot_messages(world, first.ticket_id)) == 2


async def test_wrong_replies_resend_the_menu_at_most_three_times(world: World, two_queues: TwoQueues) -> None:
    wa, _, support = two_queues
    first = await world.inbound(wa.id, NUMBER, "hi")
    for _ in range(6):
        world.clock.advance(timedelta(minutes=1))
        await world.inbound(wa.id, NUMBER, "nonsense")
    ticket = world.state.tickets[first.ticket_id]
    assert len(bot_messages(world, ticket.id)) == 1 + 3
    assert ticket.bot_attempts == 3
    assert ticket.unread_messages == 7
    # The customer can still pick a queue afterwards.
    await world.inbound(wa.id, NUMBER, "2")
    assert world.state.tickets[ticket.id].queue_id == support.id


async def test_bot_leaves_tickets_with_a_queue_alone(world: World, two_queues: TwoQueues) -> None:
    wa, sales, _ = two_queues
    first = await world.inbound(wa.id, NUMBER, "hi")
    await world.inbound(wa.id, NUMBER, "1")
    count = len(bot_messages(world, first.ticket_id))
    world.clock.advance(timedelta(minutes=5))
    await world.inbound(wa.id, NUMBER, "2")
    assert world.state.tickets[first.ticket_id].queue_id == sales.id
    assert len(bot_messages(world, first.ticket_id)) == count


async def test_bot_leaves_tickets_an_agent_accepted_alone(world: World, two_queues: TwoQueues) -> None:
    wa, _, _ = two_queues
    first = await world.inbound(wa.id, NUMBER, "hi")
    async with world.uow() as uow:
        ticket = await uow.tickets.get(first.ticket_id)
        assert ticket is not None
        ticket.accept(3, world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    world.clock.advance(timedelta(minutes=5))
    await world.inbound(wa.id, NUMBER, "1")
    assert world.state.tickets[first.ticket_id].queue_id is None
    assert len(bot_messages(world, first.ticket_id)) == 1


async def test_bot_ignores_messages_from_the_companys_phone(world: World, two_queues: TwoQueues) -> None:
    wa, _, _ = two_queues
    result = await world.inbound(wa.id, NUMBER, "hello from our phone", from_me=True)
    assert world.state.tickets[result.ticket_id].bot_menu_sent_at is None
    assert len([m for m in world.state.messages.values() if m.from_me]) == 1  # only the phone's own message


async def test_connection_without_queues_has_no_bot(world: World) -> None:
    wa = await world.add_whatsapp(greeting="Hi {{name}}")
    result = await world.inbound(wa.id, NUMBER)
    assert bot_messages(world, result.ticket_id) == []


async def test_reopened_ticket_without_queue_gets_the_menu_again(world: World, two_queues: TwoQueues) -> None:
    wa, _, _ = two_queues
    first = await world.inbound(wa.id, NUMBER, "hi")
    async with world.uow() as uow:
        ticket = await uow.tickets.get(first.ticket_id)
        assert ticket is not None
        ticket.close(world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    world.clock.advance(timedelta(minutes=10))
    await world.inbound(wa.id, NUMBER, "back")
    assert len(bot_messages(world, first.ticket_id)) == 2


@pytest.mark.parametrize(
    ("body", "options", "expected"),
    [("1", 2, 0), (" 2 ", 2, 1), ("3", 2, None), ("0", 2, None), ("-1", 2, None), ("1.", 2, None), ("\u0661", 2, None)],
)
def test_parse_choice(body: str, options: int, expected: int | None) -> None:
    assert parse_choice(body, options) == expected
