"""Ticket actions: delete, agent-started create and the generic update (obeying the other actions' rules)."""

from __future__ import annotations

import pytest
from fake_world import World
from ticket_actions_harness import (
    CLOSED,
    OPEN,
    PENDING,
    RacingUnitOfWork,
    create,
    stored,
    update,
)
from ticket_seed import add_contact, add_message, add_ticket, admin

from whaticket_core.domain.errors import (
    ActionForbidden,
    ContactNotFound,
    InvalidInput,
    InvalidTicketTransition,
    NoWhatsAppConnection,
    QueueNotFound,
    TicketAlreadyOpen,
    TicketIsClosed,
    TicketNotFound,
    WhatsAppNotFound,
)
from whaticket_core.domain.events import TicketClosed, TicketCreated, TicketDeleted
from whaticket_core.domain.ticket import TicketPlacement
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.use_cases.tickets.create_ticket import CreateTicketCommand
from whaticket_core.use_cases.tickets.delete_ticket import DeleteTicket, DeleteTicketCommand
from whaticket_core.use_cases.tickets.update_ticket import UpdateTicketCommand

# --- delete --------------------------------------------------------------------------------------------------


async def test_admin_deletes_a_ticket_and_its_messages(world: World) -> None:
    actor = await admin(world)
    queue = await world.add_queue()
    ticket = await add_ticket(world, queue_id=queue.id)
    await add_message(world, ticket)

    await DeleteTicket(world.uow(), world.publisher).execute(DeleteTicketCommand(ticket.id, actor))

    assert ticket.id not in world.state.tickets
    assert world.state.messages == {}
    assert world.publisher.events == [TicketDeleted(ticket.id, TicketPlacement(PENDING, queue.id, None))]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.USER])
async def test_only_an_admin_deletes_tickets(world: World, role: Role) -> None:
    actor = await world.viewer(role=role)
    ticket = await add_ticket(world)
    with pytest.raises(ActionForbidden):
        await DeleteTicket(world.uow(), world.publisher).execute(DeleteTicketCommand(ticket.id, actor))
    assert ticket.id in world.state.tickets


async def test_deleting_an_unknown_ticket_is_not_found(world: World) -> None:
    actor = await admin(world)
    with pytest.raises(TicketNotFound):
        await DeleteTicket(world.uow(), world.publisher).execute(DeleteTicketCommand(42, actor))


# --- create --------------------------------------------------------------------------------------------------


async def test_create_opens_a_ticket_for_the_caller_on_the_default_connection(world: World) -> None:
    default = await world.add_whatsapp()
    await world.add_whatsapp()
    contact = await add_contact(world)
    agent = await world.viewer()

    view = await create(world).execute(CreateTicketCommand(contact.id, agent))

    saved = stored(world, view.id)
    assert (saved.status, saved.user_id, saved.whatsapp_id, saved.contact_id) == (
        OPEN,
        agent.user_id,
        default.id,
        contact.id,
    )
    assert world.publisher.events == [TicketCreated(view)]


async def test_create_prefers_the_given_connection_then_the_callers_own(world: World) -> None:
    await world.add_whatsapp()
    own = await world.add_whatsapp()
    chosen = await world.add_whatsapp()
    user = await world.add_user()
    async with world.uow() as uow:
        user.whatsapp_id = own.id
        await uow.users.save(user)
        await uow.commit()
    agent = await world.viewer()
    caller = Viewer.of(user)
    first = await create(world).execute(CreateTicketCommand((await add_contact(world)).id, caller))
    second = await create(world).execute(
        CreateTicketCommand((await add_contact(world)).id, agent, whatsapp_id=chosen.id)
    )
    assert (first.whatsapp_id, second.whatsapp_id) == (own.id, chosen.id)


async def test_create_without_any_connection_is_refused(world: World) -> None:
    contact = await add_contact(world)
    with pytest.raises(NoWhatsAppConnection):
        await create(world).execute(CreateTicketCommand(contact.id, await admin(world)))


async def test_create_refuses_a_second_active_ticket_and_names_the_first(world: World) -> None:
    contact = await add_contact(world)
    existing = await add_ticket(world, contact_id=contact.id)
    with pytest.raises(TicketAlreadyOpen) as caught:
        await create(world).execute(CreateTicketCommand(contact.id, await admin(world)))
    assert caught.value.details["ticket_id"] == existing.id
    assert len(world.state.tickets) == 1


async def test_create_maps_the_stores_refusal_after_a_lost_race(world: World) -> None:
    contact = await add_contact(world)
    rival = await add_ticket(world, contact_id=contact.id)
    with pytest.raises(TicketAlreadyOpen) as caught:
        await create(world, RacingUnitOfWork(world.store)).execute(CreateTicketCommand(contact.id, await admin(world)))
    assert caught.value.details["ticket_id"] == rival.id
    assert len(world.state.tickets) == 1


async def test_create_with_ids_that_name_nothing_is_not_found(world: World) -> None:
    await world.add_whatsapp()
    actor = await admin(world)
    contact = await add_contact(world)
    with pytest.raises(ContactNotFound):
        await create(world).execute(CreateTicketCommand(999, actor))
    with pytest.raises(QueueNotFound):
        await create(world).execute(CreateTicketCommand(contact.id, actor, queue_id=999))
    with pytest.raises(WhatsAppNotFound):
        await create(world).execute(CreateTicketCommand(contact.id, actor, whatsapp_id=999))
    assert world.state.tickets == {}


# --- generic update ------------------------------------------------------------------------------------------


async def test_update_status_open_on_pending_accepts_it_for_the_caller(world: World) -> None:
    agent = await world.viewer()
    ticket = await add_ticket(world)
    view = await update(world).execute(UpdateTicketCommand(ticket.id, agent, status=OPEN))
    assert (view.status, view.user_id) == (OPEN, agent.user_id)
    assert stored(world, ticket.id).user_id == agent.user_id


async def test_update_close_with_own_user_id_closes_and_sends_the_farewell(world: World) -> None:
    wa = await world.add_whatsapp(farewell="Bye")
    agent = await world.viewer()
    ticket = await add_ticket(world, whatsapp_id=wa.id, status=OPEN, user_id=agent.user_id)

    await update(world).execute(UpdateTicketCommand(ticket.id, agent, status=CLOSED, user_id=agent.user_id))

    assert stored(world, ticket.id).status is CLOSED
    [message] = world.state.messages.values()
    assert world.jobs.waiting == [DeliverMessageJob(message.id)]
    assert len(world.publisher.of_type(TicketClosed)) == 1


async def test_update_status_pending_returns_an_open_ticket_unassigned(world: World) -> None:
    agent = await world.viewer()
    ticket = await add_ticket(world, status=OPEN, user_id=agent.user_id)
    await update(world).execute(UpdateTicketCommand(ticket.id, agent, status=PENDING))
    assert stored(world, ticket.id).placement == TicketPlacement(PENDING, None, None)
    with pytest.raises(InvalidInput):
        await update(world).execute(UpdateTicketCommand(ticket.id, agent, status=PENDING, user_id=agent.user_id))


async def test_update_reopens_closed_tickets_open_or_pending(world: World) -> None:
    actor = await admin(world)
    queue = await world.add_queue()
    first = await add_ticket(world, status=CLOSED, queue_id=queue.id)
    second = await add_ticket(world, status=CLOSED, queue_id=queue.id)

    await update(world).execute(UpdateTicketCommand(first.id, actor, status=OPEN))
    await update(world).execute(UpdateTicketCommand(second.id, actor, status=PENDING))

    assert stored(world, first.id).placement == TicketPlacement(OPEN, queue.id, actor.user_id)
    assert stored(world, second.id).placement == TicketPlacement(PENDING, queue.id, None)


async def test_update_reopen_obeys_the_one_active_ticket_rule(world: World) -> None:
    actor = await admin(world)
    contact = await add_contact(world)
    old = await add_ticket(world, contact_id=contact.id, status=CLOSED)
    active = await add_ticket(world, contact_id=contact.id)
    with pytest.raises(TicketAlreadyOpen) as caught:
        await update(world).execute(UpdateTicketCommand(old.id, actor, status=OPEN))
    assert caught.value.details["ticket_id"] == active.id


async def test_update_on_a_closed_ticket_refuses_close_and_bare_moves(world: World) -> None:
    actor = await admin(world)
    queue = await world.add_queue()
    ticket = await add_ticket(world, status=CLOSED)
    with pytest.raises(InvalidTicketTransition):
        await update(world).execute(UpdateTicketCommand(ticket.id, actor, status=CLOSED))
    with pytest.raises(TicketIsClosed):
        await update(world).execute(UpdateTicketCommand(ticket.id, actor, queue_id=queue.id))
    assert stored(world, ticket.id).status is CLOSED


async def test_update_moves_follow_the_transfer_rules(world: World) -> None:
    queue = await world.add_queue()
    agent = await world.viewer(queue_ids=(queue.id,))
    outsider = await world.add_user()
    ticket = await add_ticket(world, status=OPEN, queue_id=queue.id, user_id=agent.user_id)
    with pytest.raises(ActionForbidden):
        await update(world).execute(UpdateTicketCommand(ticket.id, agent, user_id=outsider.id))
    other_queue = await world.add_queue()
    await update(world).execute(UpdateTicketCommand(ticket.id, agent, queue_id=other_queue.id))
    assert stored(world, ticket.id).placement == TicketPlacement(PENDING, other_queue.id, None)


async def test_update_with_nothing_changes_nothing(world: World) -> None:
    actor = await admin(world)
    ticket = await add_ticket(world)
    view = await update(world).execute(UpdateTicketCommand(ticket.id, actor))
    assert view.status is PENDING
    assert world.publisher.events == []
