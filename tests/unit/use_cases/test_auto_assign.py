"""Round-robin auto-assignment with capacity, among the online members of a queue."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from fake_world import World
from hypothesis import given, settings
from hypothesis import strategies as st

from whaticket_core.domain.events import TicketUpdated
from whaticket_core.domain.queue import Queue
from whaticket_core.domain.settings import AUTO_ASSIGN
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.user import User
from whaticket_core.use_cases.automation.assign_tickets import (
    AssignPendingTickets,
    AssignPendingTicketsCommand,
)


async def assign(world: World, **fields: object) -> int:
    use_case = AssignPendingTickets(world.uow(), world.clock, world.publisher, world.presence)
    return (await use_case.execute(AssignPendingTicketsCommand(**fields))).assigned  # type: ignore[arg-type]


async def agent(world: World, queue: Queue, capacity: int = 0) -> User:
    user = await world.add_user(queue_ids=(queue.id,))
    async with world.uow() as uow:
        stored = await uow.users.get(user.id)
        assert stored is not None
        stored.max_open_tickets = capacity
        await uow.users.save(stored)
        await uow.commit()
    return stored


async def backlog(world: World, queue: Queue, count: int) -> list[int]:
    """``count`` pending tickets in ``queue`` (a connection with that one queue: the bot routes them), oldest first."""
    wa = await world.add_whatsapp(queue_ids=(queue.id,))
    ids = []
    for n in range(count):
        ids.append((await world.inbound(wa.id, f"5511988{n:06d}")).ticket_id)
        world.clock.advance(timedelta(seconds=1))
    return ids


def assignees(world: World, ids: list[int]) -> list[int | None]:
    return [world.state.tickets[i].user_id for i in ids]


async def test_off_by_default(world: World) -> None:
    queue = await world.add_queue()
    ana = await agent(world, queue)
    world.presence.connect(ana.id)
    ids = await backlog(world, queue, 2)
    assert await assign(world) == 0
    assert assignees(world, ids) == [None, None]


async def test_pending_tickets_go_to_the_online_member_with_the_fewest_open(world: World) -> None:
    await world.set_setting(AUTO_ASSIGN, "round_robin")
    queue = await world.add_queue()
    ana, bia, caio = await agent(world, queue), await agent(world, queue), await agent(world, queue)
    world.presence.connect(ana.id)
    world.presence.connect(bia.id)  # caio is offline
    ids = await backlog(world, queue, 5)
    assert await assign(world) == 5
    assert assignees(world, ids) == [ana.id, bia.id, ana.id, bia.id, ana.id]
    assert caio.id not in assignees(world, ids)
    ticket = world.state.tickets[ids[0]]
    assert ticket.status is TicketStatus.OPEN
    updates = world.publisher.of_type(TicketUpdated)
    assert [e.ticket.id for e in updates[-5:]] == ids
    assert updates[-1].previous is not None  # moved out of the queue's pending list


async def test_capacity_is_respected_and_the_rest_waits(world: World) -> None:
    await world.set_setting(AUTO_ASSIGN, "round_robin")
    queue = await world.add_queue()
    ana, bia = await agent(world, queue, capacity=1), await agent(world, queue, capacity=2)
    world.presence.connect(ana.id)
    world.presence.connect(bia.id)
    ids = await backlog(world, queue, 5)
    assert await assign(world) == 3
    assert assignees(world, ids) == [ana.id, bia.id, bia.id, None, None]
    assert world.state.tickets[ids[3]].status is TicketStatus.PENDING


async def test_open_tickets_elsewhere_count_against_capacity(world: World) -> None:
    await world.set_setting(AUTO_ASSIGN, "round_robin")
    sales, support = await world.add_queue(), await world.add_queue()
    ana = await agent(world, sales, capacity=2)
    world.presence.connect(ana.id)
    async with world.uow() as uow:
        user = await uow.users.get(ana.id)
        assert user is not None
        user.queue_ids = [sales.id, support.id]
        await uow.users.save(user)
        await uow.commit()
    first = await backlog(world, support, 1)
    assert await assign(world) == 1
    assert assignees(world, first) == [ana.id]
    later = await backlog(world, sales, 3)
    assert await assign(world) == 1
    assert assignees(world, later) == [ana.id, None, None]


async def test_a_ticket_without_queue_is_left_to_the_routing_bot(world: World) -> None:
    await world.set_setting(AUTO_ASSIGN, "round_robin")
    sales, support = await world.add_queue(), await world.add_queue()
    ana = await agent(world, sales)
    world.presence.connect(ana.id)
    wa = await world.add_whatsapp(queue_ids=(sales.id, support.id))  # two queues: the menu, no queue yet
    ticket_id = (await world.inbound(wa.id, "5511977770000")).ticket_id
    assert await assign(world, ticket_id=ticket_id) == 0
    assert await assign(world) == 0
    await world.inbound(wa.id, "5511977770000", "1")  # picks Sales
    assert await assign(world, ticket_id=ticket_id) == 1
    assert world.state.tickets[ticket_id].user_id == ana.id


async def test_an_agent_coming_online_gets_the_backlog_oldest_first(world: World) -> None:
    await world.set_setting(AUTO_ASSIGN, "round_robin")
    queue = await world.add_queue()
    ana = await agent(world, queue, capacity=2)
    ids = await backlog(world, queue, 3)
    assert await assign(world, ticket_id=ids[0]) == 0  # nobody online: the tickets wait
    world.presence.connect(ana.id)
    assert await assign(world, user_id=ana.id) == 2
    assert assignees(world, ids) == [ana.id, ana.id, None]


async def test_a_member_who_left_the_queue_gets_nothing(world: World) -> None:
    await world.set_setting(AUTO_ASSIGN, "round_robin")
    queue, other = await world.add_queue(), await world.add_queue()
    ana = await agent(world, other)
    world.presence.connect(ana.id)
    ids = await backlog(world, queue, 1)
    assert await assign(world, queue_ids=(queue.id,)) == 0
    assert assignees(world, ids) == [None]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.booleans(), st.integers(0, 3)), min_size=1, max_size=5),
    st.integers(0, 12),
)
def test_round_robin_invariants(agents: list[tuple[int, bool, int]], backlog_size: int) -> None:
    """For any team (capacity, online, open tickets already held) and backlog: nobody goes over capacity, offline
    agents get nothing, the oldest tickets go first, and the hand-out stops only when no online agent has room."""
    asyncio.run(_round_robin_invariants(agents, backlog_size))


async def _round_robin_invariants(agents: list[tuple[int, bool, int]], backlog_size: int) -> None:
    world = World()
    await world.set_setting(AUTO_ASSIGN, "round_robin")
    queue, elsewhere = await world.add_queue(), await world.add_queue()
    users = []
    for capacity, online, held in agents:
        user = await agent(world, queue, capacity)
        if online:
            world.presence.connect(user.id)
        for ticket_id in await backlog(world, elsewhere, held):  # open tickets of another queue count too
            async with world.uow() as uow:
                ticket = await uow.tickets.get(ticket_id)
                assert ticket is not None
                ticket.accept(user.id, world.clock.now())
                await uow.tickets.save(ticket)
                await uow.commit()
        users.append((user, capacity, online, held))
    ids = await backlog(world, queue, backlog_size)

    assigned = await assign(world, queue_ids=(queue.id,))

    got = assignees(world, ids)
    assert got == [u for u in got if u is not None] + [None] * got.count(None)  # oldest first
    assert assigned == len(ids) - got.count(None)
    for user, capacity, online, held in users:
        mine = got.count(user.id)
        if not online:
            assert mine == 0
        if capacity:
            assert held + mine <= max(capacity, held)
    room = any(online and (capacity == 0 or held + got.count(u.id) < capacity) for u, capacity, online, held in users)
    assert None not in got or not room
