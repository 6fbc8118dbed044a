"""AuthUserQueries (the bearer check's user lookup): the same tests on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from persistence_builders import T0, queue, user

from whaticket_core.domain.read_models import UserView
from whaticket_core.domain.user import Role
from whaticket_core.ports.queries import AuthUser


async def test_a_user_with_queues_and_its_token_version(backend) -> None:
    async with backend.new_uow() as uow:
        sales = await uow.queues.add(queue("Sales", "#FF0000"))
        support = await uow.queues.add(queue("Support", "#00FF00"))
        agent = await uow.users.add(user("agent@example.com", queue_ids=[support.id, sales.id], token_version=3))
        await uow.commit()
    found = await backend.auth_users.auth_user(agent.id)
    queues = tuple(sorted([sales.id, support.id]))
    assert found == AuthUser(UserView(agent.id, "Agent", "agent@example.com", Role.USER, queues, None, T0), 3)


async def test_a_user_without_queues_and_one_that_does_not_exist(backend) -> None:
    async with backend.new_uow() as uow:
        admin = await uow.users.add(user("admin@example.com", Role.ADMIN))
        await uow.commit()
    found = await backend.auth_users.auth_user(admin.id)
    assert found == AuthUser(
        UserView(admin.id, "Agent", "admin@example.com", Role.ADMIN, (), None, T0), admin.token_version
    )
    assert await backend.auth_users.auth_user(admin.id + 1000) is None


async def test_uncommitted_changes_are_not_seen(backend) -> None:
    async with backend.new_uow() as uow:
        ghost = await uow.users.add(user("ghost@example.com"))
    assert await backend.auth_users.auth_user(ghost.id) is None
