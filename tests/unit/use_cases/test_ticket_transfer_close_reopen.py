"""Ticket actions that move a ticket: transfer, close (farewell via the outbox) and reopen."""

from __future__ import annotations

import pytest
from fake_world import World
from ticket_actions_harness import (
    CLOSED,
    OPEN,
    PENDING,
    RacingUnitOfWork,
    close,
    reopen,
    stored,
    transfer,
)
from ticket_seed import add_contact, add_ticket, admin

from whaticket_core.domain.errors import (
    ActionForbidden,
    InvalidInput,
    InvalidTicketTransition,
    QueueNotFound,
    TicketAlreadyOpen,
    TicketIsClosed,
    TicketNotFound,
    UserNotFound,
)
from whaticket_core.domain.events import MessageCreated, TicketClosed, TicketUpdated
from whaticket_core.domain.message import MessageAck
from whaticket_core.domain.ticket import TicketPlacement
from whaticket_core.domain.user import Role
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.use_cases.tickets.close_ticket import CloseTicketCommand
from whaticket_core.use_cases.tickets.reopen_ticket import ReopenTicketCommand
from whaticket_core.use_cases.tickets.transfer_ticket import TransferTicketCommand

# --- transfer ------------------------------------------------------------------------------------------------


async def test_transfer_to_a_queue_only_makes_it_pending_and_unassigned(world: World) -> None:
    actor = await admin(world)
    queue = await world.add_queue()
    ticket = await add_ticket(world, status=OPEN, user_id=actor.user_id)

    view = await transfer(world).execute(TransferTicketCommand(ticket.id, actor, queue_id=queue.id))

    saved = stored(world, ticket.id)
    assert (saved.status, saved.queue_id, saved.user_id) == (PENDING, queue.id, None)
    assert view.status is PENDING
    [event] = world.publisher.events
    assert isinstance(event, TicketUpdated)
    assert event.previous == TicketPlacement(OPEN, None, actor.user_id)


async def test_transfer_to_a_user_opens_and_assigns_it(world: World) -> None:
    actor = await admin(world)
    agent = await world.add_user()
    ticket = await add_ticket(world)

    await transfer(world).execute(TransferTicketCommand(ticket.id, actor, user_id=agent.id))

    saved = stored(world, ticket.id)
    assert (saved.status, saved.user_id) == (OPEN, agent.id)


async def test_transfer_needs_a_user_or_a_queue(world: World) -> None:
    actor = await admin(world)
    ticket = await add_ticket(world)
    with pytest.raises(InvalidInput) as caught:
        await transfer(world).execute(TransferTicketCommand(ticket.id, actor))
    assert caught.value.details["fields"] == ["user_id", "queue_id"]


async def test_transfer_to_unknown_user_or_queue_is_not_found_and_changes_nothing(world: World) -> None:
    actor = await admin(world)
    ticket = await add_ticket(world)
    with pytest.raises(UserNotFound):
        await transfer(world).execute(TransferTicketCommand(ticket.id, actor, user_id=999))
    with pytest.raises(QueueNotFound):
        await transfer(world).execute(TransferTicketCommand(ticket.id, actor, queue_id=999))
    assert stored(world, ticket.id).placement == TicketPlacement(PENDING, None, None)
    assert world.publisher.events == []


async def test_transfer_of_a_closed_ticket_is_refused(world: World) -> None:
    actor = await admin(world)
    ticket = await add_ticket(world, status=CLOSED, user_id=actor.user_id)
    with pytest.raises(TicketIsClosed):
        await transfer(world).execute(TransferTicketCommand(ticket.id, actor, user_id=actor.user_id))


async def test_agent_cannot_transfer_a_ticket_they_cannot_see(world: World) -> None:
    queue = await world.add_queue()
    agent = await world.viewer()
    ticket = await add_ticket(world, queue_id=queue.id)
    with pytest.raises(TicketNotFound):
        await transfer(world).execute(TransferTicketCommand(ticket.id, agent, user_id=agent.user_id))


async def test_agent_may_transfer_only_to_members_of_the_target_queue(world: World) -> None:
    sales, support = await world.add_queue("Sales"), await world.add_queue("Support")
    agent = await world.viewer(queue_ids=(sales.id,))
    seller = await world.add_user(queue_ids=(sales.id,))
    supporter = await world.add_user(queue_ids=(support.id,))
    ticket = await add_ticket(world, status=OPEN, queue_id=sales.id, user_id=agent.user_id)

    with pytest.raises(ActionForbidden):  # not a member of the ticket's queue
        await transfer(world).execute(TransferTicketCommand(ticket.id, agent, user_id=supporter.id))
    with pytest.raises(ActionForbidden):  # not a member of the named target queue
        await transfer(world).execute(TransferTicketCommand(ticket.id, agent, user_id=seller.id, queue_id=support.id))
    assert stored(world, ticket.id).user_id == agent.user_id

    await transfer(world).execute(TransferTicketCommand(ticket.id, agent, user_id=supporter.id, queue_id=support.id))
    assert stored(world, ticket.id).placement == TicketPlacement(OPEN, support.id, supporter.id)


async def test_agent_cannot_hand_a_queueless_ticket_to_another_user(world: World) -> None:
    agent = await world.viewer()
    other = await world.add_user()
    ticket = await add_ticket(world)
    with pytest.raises(ActionForbidden):
        await transfer(world).execute(TransferTicketCommand(ticket.id, agent, user_id=other.id))
    # ...but may take it, or move it to any queue
    await transfer(world).execute(TransferTicketCommand(ticket.id, agent, user_id=agent.user_id))
    assert stored(world, ticket.id).user_id == agent.user_id


async def test_staff_may_transfer_to_anyone(world: World) -> None:
    supervisor = await world.viewer(role=Role.SUPERVISOR)
    queue = await world.add_queue()
    outsider = await world.add_user()
    ticket = await add_ticket(world, queue_id=queue.id)
    await transfer(world).execute(TransferTicketCommand(ticket.id, supervisor, user_id=outsider.id))
    assert stored(world, ticket.id).placement == TicketPlacement(OPEN, queue.id, outsider.id)


# --- close ---------------------------------------------------------------------------------------------------


async def test_close_without_farewell_closes_and_publishes_updated_and_closed(world: World) -> None:
    actor = await admin(world)
    ticket = await add_ticket(world, status=OPEN, user_id=actor.user_id)

    view = await close(world).execute(CloseTicketCommand(ticket.id, actor))

    saved = stored(world, ticket.id)
    assert saved.status is CLOSED
    assert saved.closed_at == world.clock.now()
    assert view.closed_at == world.clock.now()
    assert [type(e) for e in world.publisher.events] == [TicketUpdated, TicketClosed]
    assert world.state.messages == {}
    assert world.jobs.waiting == []


async def test_close_stores_the_rendered_farewell_and_enqueues_its_delivery(world: World) -> None:
    wa = await world.add_whatsapp(farewell="Bye {{name}}, thanks!")
    contact = await add_contact(world, "Bruna")
    actor = await admin(world)
    ticket = await add_ticket(world, contact_id=contact.id, whatsapp_id=wa.id, status=OPEN, user_id=actor.user_id)

    view = await close(world).execute(CloseTicketCommand(ticket.id, actor))

    [message] = world.state.messages.values()
    assert (message.body, message.from_me, message.ack, message.ticket_id) == (
        "Bye Bruna, thanks!",
        True,
        MessageAck.PENDING,
        ticket.id,
    )
    assert world.jobs.waiting == [DeliverMessageJob(message.id)]
    assert stored(world, ticket.id).last_message == "Bye Bruna, thanks!"
    assert view.last_message == "Bye Bruna, thanks!"
    created = world.publisher.of_type(MessageCreated)
    assert len(created) == 1
    assert created[0].message.id == message.id
    assert created[0].ticket.status is CLOSED
    assert len(world.publisher.of_type(TicketClosed)) == 1


async def test_closing_a_closed_ticket_is_an_invalid_transition(world: World) -> None:
    actor = await admin(world)
    ticket = await add_ticket(world, status=CLOSED, user_id=actor.user_id)
    with pytest.raises(InvalidTicketTransition):
        await close(world).execute(CloseTicketCommand(ticket.id, actor))
    assert world.publisher.events == []


async def test_close_of_an_invisible_ticket_is_not_found(world: World) -> None:
    queue = await world.add_queue()
    other = await world.add_user(queue_ids=(queue.id,))
    ticket = await add_ticket(world, status=OPEN, queue_id=queue.id, user_id=other.id)
    agent = await world.viewer()
    with pytest.raises(TicketNotFound):
        await close(world).execute(CloseTicketCommand(ticket.id, agent))
    assert stored(world, ticket.id).status is OPEN


# --- reopen --------------------------------------------------------------------------------------------------


async def test_reopen_opens_the_ticket_assigned_to_the_caller(world: World) -> None:
    actor = await admin(world)
    ticket = await add_ticket(world, status=CLOSED, user_id=None)

    view = await reopen(world).execute(ReopenTicketCommand(ticket.id, actor))

    saved = stored(world, ticket.id)
    assert (saved.status, saved.user_id, saved.closed_at) == (OPEN, actor.user_id, None)
    assert view.status is OPEN
    [event] = world.publisher.events
    assert isinstance(event, TicketUpdated)
    assert event.previous == TicketPlacement(CLOSED, None, None)


async def test_reopen_refuses_when_another_ticket_is_active_and_names_it(world: World) -> None:
    actor = await admin(world)
    contact = await add_contact(world)
    old = await add_ticket(world, contact_id=contact.id, status=CLOSED)
    active = await add_ticket(world, contact_id=contact.id)

    with pytest.raises(TicketAlreadyOpen) as caught:
        await reopen(world).execute(ReopenTicketCommand(old.id, actor))

    assert caught.value.details["ticket_id"] == active.id
    assert stored(world, old.id).status is CLOSED
    assert world.publisher.events == []


async def test_reopen_maps_the_stores_refusal_after_a_lost_race(world: World) -> None:
    actor = await admin(world)
    contact = await add_contact(world)
    old = await add_ticket(world, contact_id=contact.id, status=CLOSED)
    rival = await add_ticket(world, contact_id=contact.id)

    with pytest.raises(TicketAlreadyOpen) as caught:
        await reopen(world, RacingUnitOfWork(world.store)).execute(ReopenTicketCommand(old.id, actor))

    assert caught.value.details["ticket_id"] == rival.id
    assert stored(world, old.id).status is CLOSED


async def test_reopen_of_an_active_ticket_is_an_invalid_transition(world: World) -> None:
    actor = await admin(world)
    ticket = await add_ticket(world)
    with pytest.raises(InvalidTicketTransition):
        await reopen(world).execute(ReopenTicketCommand(ticket.id, actor))
