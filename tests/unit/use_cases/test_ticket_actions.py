"""Ticket actions: transfer, close (farewell via the outbox), reopen, delete, agent-started create, generic update."""

from __future__ import annotations

from typing import Any, Self

import pytest
from fake_world import World
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
    UserNotFound,
    WhatsAppNotFound,
)
from whaticket_core.domain.events import MessageCreated, TicketClosed, TicketCreated, TicketDeleted, TicketUpdated
from whaticket_core.domain.message import MessageAck
from whaticket_core.domain.ticket import Ticket, TicketPlacement, TicketStatus, check_invariants
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.testing import InMemoryStore, InMemoryUnitOfWork
from whaticket_core.use_cases.tickets.close_ticket import CloseTicket, CloseTicketCommand
from whaticket_core.use_cases.tickets.create_ticket import CreateTicket, CreateTicketCommand
from whaticket_core.use_cases.tickets.delete_ticket import DeleteTicket, DeleteTicketCommand
from whaticket_core.use_cases.tickets.reopen_ticket import ReopenTicket, ReopenTicketCommand
from whaticket_core.use_cases.tickets.transfer_ticket import TransferTicket, TransferTicketCommand
from whaticket_core.use_cases.tickets.update_ticket import UpdateTicket, UpdateTicketCommand

OPEN, PENDING, CLOSED = TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.CLOSED


def stored(world: World, ticket_id: int) -> Ticket:
    ticket = world.state.tickets[ticket_id]
    assert check_invariants(ticket) == []
    return ticket


def transfer(world: Any) -> TransferTicket:
    return TransferTicket(world.uow(), world.clock, world.publisher)


def close(world: Any) -> CloseTicket:
    return CloseTicket(world.uow(), world.clock, world.publisher, world.jobs)


def reopen(world: Any, uow: InMemoryUnitOfWork | None = None) -> ReopenTicket:
    return ReopenTicket(uow or world.uow(), world.clock, world.publisher)


def create(world: Any, uow: InMemoryUnitOfWork | None = None) -> CreateTicket:
    return CreateTicket(uow or world.uow(), world.clock, world.publisher)


def update(world: Any) -> UpdateTicket:
    return UpdateTicket(world.uow(), world.clock, world.publisher, world.jobs)


class _BlindTickets:
    """The ticket repository as seen in the race window: a rival's active ticket, committed after our check, is
    not visible to ``get_active`` but the store still refuses the second active ticket on write."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def get_active(self, contact_id: int, whatsapp_id: int, *, for_update: bool = False) -> None:
        return None


class RacingUnitOfWork(InMemoryUnitOfWork):
    """Its first transaction loses the race described in :class:`_BlindTickets`; later ones see everything."""

    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(store)
        self._real = self.tickets
        self._blind_left = 1

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        if self._blind_left:
            self._blind_left -= 1
            self.tickets = _BlindTickets(self._real)
        else:
            self.tickets = self._real
        return self


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
