"""User management: who may do what, the last admin, validation, and what deleting a user does to their tickets."""

from __future__ import annotations

import pytest
from fake_world import World
from ticket_seed import add_ticket, admin

from whaticket_core.domain.auth import RefreshToken
from whaticket_core.domain.errors import (
    ActionForbidden,
    CurrentPasswordInvalid,
    EmailTaken,
    LastAdmin,
    QueueNotFound,
    UserNotFound,
    WhatsAppNotFound,
)
from whaticket_core.domain.events import TicketUpdated, UserAccessChanged, UserSessionsRevoked
from whaticket_core.domain.pagination import OffsetQuery
from whaticket_core.domain.ticket import TicketPlacement, TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.testing import FakePasswordHasher
from whaticket_core.use_cases.directory.users import (
    CreateUser,
    CreateUserCommand,
    DeleteUser,
    DeleteUserCommand,
    GetUser,
    GetUserCommand,
    ListUsers,
    ListUsersCommand,
    UpdateUser,
    UpdateUserCommand,
)
from whaticket_core.use_cases.shared.unset import UNSET

hasher = FakePasswordHasher()


def create(world: World) -> CreateUser:
    return CreateUser(world.uow(), world.clock, hasher)


def update(world: World) -> UpdateUser:
    return UpdateUser(world.uow(), hasher, world.publisher)


def delete(world: World) -> DeleteUser:
    return DeleteUser(world.uow(), world.clock, world.publisher)


async def test_admin_creates_users_with_validated_queues_and_connection(world: World) -> None:
    actor = await admin(world)
    queue = await world.add_queue()
    wa = await world.add_whatsapp()

    view = await create(world).execute(
        CreateUserCommand(actor, "Bob", "Bob@Example.com", "password1", Role.SUPERVISOR, (queue.id,), wa.id)
    )

    saved = world.state.users[view.id]
    assert (saved.email, saved.role, saved.queue_ids, saved.whatsapp_id) == (
        "bob@example.com",
        Role.SUPERVISOR,
        [queue.id],
        wa.id,
    )
    assert hasher.verify(saved.password_hash, "password1")
    assert world.state.queues[queue.id].user_ids == [view.id]
    with pytest.raises(QueueNotFound) as caught:
        await create(world).execute(CreateUserCommand(actor, "C", "c@example.com", "password1", queue_ids=(999,)))
    assert caught.value.details["queue_id"] == 999
    with pytest.raises(WhatsAppNotFound):
        await create(world).execute(CreateUserCommand(actor, "C", "c@example.com", "password1", whatsapp_id=999))
    with pytest.raises(EmailTaken):
        await create(world).execute(CreateUserCommand(actor, "B2", "BOB@example.com", "password1"))


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.USER])
async def test_only_admins_create_users(world: World, role: Role) -> None:
    actor = await world.viewer(role=role)
    with pytest.raises(ActionForbidden):
        await create(world).execute(CreateUserCommand(actor, "Bob", "bob@example.com", "password1"))
    assert len(world.state.users) == 1


async def test_a_new_password_ends_every_session_of_that_user(world: World) -> None:
    agent = await world.viewer()
    before = world.state.users[agent.user_id].token_version
    world.state.refresh_tokens["t1"] = RefreshToken("t1", "f1", agent.user_id, world.clock.now(), world.clock.now())

    await update(world).execute(UpdateUserCommand(agent, agent.user_id, name="Renamed"))
    assert world.state.users[agent.user_id].token_version == before
    assert not world.state.refresh_tokens["t1"].revoked

    await update(world).execute(
        UpdateUserCommand(agent, agent.user_id, password="another secret", current_password="x")
    )
    assert world.state.users[agent.user_id].token_version == before + 1
    assert world.state.refresh_tokens["t1"].revoked
    assert world.publisher.events[-1] == UserSessionsRevoked(agent.user_id)


async def test_a_user_may_change_only_their_own_name_and_password(world: World) -> None:
    agent = await world.viewer()
    other = await world.add_user()
    queue = await world.add_queue()

    view = await update(world).execute(
        UpdateUserCommand(agent, agent.user_id, name="New", password="new secret", current_password="x")
    )
    assert view.name == "New"
    assert hasher.verify(world.state.users[agent.user_id].password_hash, "new secret")

    forbidden = [
        UpdateUserCommand(agent, agent.user_id, email="me@example.com"),
        UpdateUserCommand(agent, agent.user_id, role=Role.ADMIN),
        UpdateUserCommand(agent, agent.user_id, queue_ids=(queue.id,)),
        UpdateUserCommand(agent, agent.user_id, whatsapp_id=None),
        UpdateUserCommand(agent, other.id, name="Hacked"),
    ]
    for command in forbidden:
        with pytest.raises(ActionForbidden):
            await update(world).execute(command)
    assert world.state.users[agent.user_id].role is Role.USER
    assert world.state.users[other.id].name != "Hacked"


@pytest.mark.parametrize("role", [Role.USER, Role.ADMIN])
async def test_changing_ones_own_password_needs_the_current_one(world: World, role: Role) -> None:
    me = await world.viewer(role=role)
    for current in (None, "wrong"):
        with pytest.raises(CurrentPasswordInvalid):
            await update(world).execute(
                UpdateUserCommand(me, me.user_id, password="stolen token", current_password=current)
            )
    assert hasher.verify(world.state.users[me.user_id].password_hash, "x")
    assert world.publisher.events == []


async def test_an_admin_resets_anothers_password_without_knowing_it(world: World) -> None:
    actor = await admin(world)
    user = await world.add_user()
    await update(world).execute(UpdateUserCommand(actor, user.id, password="temporary1"))
    assert hasher.verify(world.state.users[user.id].password_hash, "temporary1")


async def test_admin_updates_anything_partially(world: World) -> None:
    actor = await admin(world)
    wa = await world.add_whatsapp()
    queue = await world.add_queue()
    user = await world.add_user("Old")

    await update(world).execute(
        UpdateUserCommand(actor, user.id, email="x@example.com", queue_ids=(queue.id,), whatsapp_id=wa.id)
    )
    saved = world.state.users[user.id]
    assert (saved.name, saved.email, saved.queue_ids, saved.whatsapp_id) == ("Old", "x@example.com", [queue.id], wa.id)

    await update(world).execute(UpdateUserCommand(actor, user.id, whatsapp_id=None))
    assert world.state.users[user.id].whatsapp_id is None
    await update(world).execute(UpdateUserCommand(actor, user.id, whatsapp_id=UNSET, name="Kept"))
    assert world.state.users[user.id].queue_ids == [queue.id]
    with pytest.raises(EmailTaken):
        await update(world).execute(UpdateUserCommand(actor, user.id, email=world.state.users[actor.user_id].email))
    with pytest.raises(UserNotFound):
        await update(world).execute(UpdateUserCommand(actor, 999, name="x"))


async def test_a_new_role_or_new_queues_regroup_the_users_sockets(world: World) -> None:
    actor = await admin(world)
    queue = await world.add_queue()
    user = await world.add_user("Agent")
    await update(world).execute(UpdateUserCommand(actor, user.id, name="Renamed", queue_ids=()))
    assert world.publisher.events == []  # nothing that decides what the user may see changed

    await update(world).execute(UpdateUserCommand(actor, user.id, queue_ids=(queue.id,)))
    await update(world).execute(UpdateUserCommand(actor, user.id, role=Role.SUPERVISOR))
    assert world.publisher.events == [UserAccessChanged(user.id), UserAccessChanged(user.id)]


async def test_the_last_admin_cannot_be_demoted(world: World) -> None:
    actor = await admin(world)
    with pytest.raises(LastAdmin):
        await update(world).execute(UpdateUserCommand(actor, actor.user_id, role=Role.USER))
    assert world.state.users[actor.user_id].role is Role.ADMIN

    second = await world.add_user(role=Role.ADMIN)
    await update(world).execute(UpdateUserCommand(actor, second.id, role=Role.SUPERVISOR))
    assert world.state.users[second.id].role is Role.SUPERVISOR


async def test_the_last_admin_cannot_be_deleted(world: World) -> None:
    actor = await admin(world)
    with pytest.raises(LastAdmin):
        await delete(world).execute(DeleteUserCommand(actor, actor.user_id))
    assert actor.user_id in world.state.users


async def test_deleting_a_user_releases_their_tickets_and_ends_their_sessions(world: World) -> None:
    actor = await admin(world)
    queue = await world.add_queue()
    user = await world.add_user(queue_ids=(queue.id,))
    open_ticket = await add_ticket(world, status=TicketStatus.OPEN, queue_id=queue.id, user_id=user.id)
    closed_ticket = await add_ticket(world, status=TicketStatus.CLOSED, user_id=user.id)
    world.state.refresh_tokens["t1"] = RefreshToken("t1", "f1", user.id, world.clock.now(), world.clock.now())

    await delete(world).execute(DeleteUserCommand(actor, user.id))

    assert user.id not in world.state.users
    released = world.state.tickets[open_ticket.id]
    assert released.placement == TicketPlacement(TicketStatus.PENDING, queue.id, None)
    assert world.state.tickets[closed_ticket.id].status is TicketStatus.CLOSED
    assert world.state.refresh_tokens["t1"].revoked
    updated, revoked = world.publisher.events
    assert isinstance(updated, TicketUpdated)
    assert updated.ticket.id == open_ticket.id
    assert updated.previous == TicketPlacement(TicketStatus.OPEN, queue.id, user.id)
    assert revoked == UserSessionsRevoked(user.id)


async def test_only_admins_delete_users(world: World) -> None:
    supervisor = await world.viewer(role=Role.SUPERVISOR)
    user = await world.add_user()
    with pytest.raises(ActionForbidden):
        await delete(world).execute(DeleteUserCommand(supervisor, user.id))
    assert user.id in world.state.users


async def test_get_user_for_staff_or_self(world: World) -> None:
    agent = await world.viewer()
    other = await world.add_user()
    supervisor = await world.viewer(role=Role.SUPERVISOR)
    assert (await GetUser(world.uow()).execute(GetUserCommand(agent, agent.user_id))).id == agent.user_id
    assert (await GetUser(world.uow()).execute(GetUserCommand(supervisor, other.id))).id == other.id
    with pytest.raises(ActionForbidden):
        await GetUser(world.uow()).execute(GetUserCommand(agent, other.id))
    with pytest.raises(UserNotFound):
        await GetUser(world.uow()).execute(GetUserCommand(supervisor, 999))


async def test_list_users_is_for_staff(world: World) -> None:
    supervisor = await world.viewer(role=Role.SUPERVISOR)
    await world.add_user("Zed")
    page = await ListUsers(world.uow()).execute(ListUsersCommand(supervisor, OffsetQuery(search="zed")))
    assert [u.name for u in page.items] == ["Zed"]
    assert page.total == 1
    agent = Viewer(99, Role.USER, frozenset())
    with pytest.raises(ActionForbidden):
        await ListUsers(world.uow()).execute(ListUsersCommand(agent))
