"""Queues: admin-only writes, unique names and colours, colour normalisation, validated members."""

from __future__ import annotations

import pytest
from fake_world import World
from ticket_seed import admin

from whaticket_core.domain.errors import (
    ActionForbidden,
    InvalidInput,
    QueueColorTaken,
    QueueNameTaken,
    QueueNotFound,
    UserNotFound,
)
from whaticket_core.domain.pagination import OffsetQuery
from whaticket_core.domain.user import Role
from whaticket_core.use_cases.directory.queues import (
    CreateQueue,
    CreateQueueCommand,
    DeleteQueue,
    DeleteQueueCommand,
    GetQueue,
    GetQueueCommand,
    ListQueues,
    ListQueuesCommand,
    UpdateQueue,
    UpdateQueueCommand,
)


async def test_create_normalises_the_colour_and_links_members(world: World) -> None:
    actor = await admin(world)
    agent = await world.add_user()
    queue = await CreateQueue(world.uow()).execute(
        CreateQueueCommand(actor, " Sales ", "#ff00aa", "Hi {{name}}", (agent.id,))
    )
    saved = world.state.queues[queue.id]
    assert (saved.name, saved.color, saved.greeting_message, saved.user_ids) == (
        "Sales",
        "#FF00AA",
        "Hi {{name}}",
        [agent.id],
    )
    assert world.state.users[agent.id].queue_ids == [queue.id]


async def test_names_and_colours_are_unique(world: World) -> None:
    actor = await admin(world)
    sales = await CreateQueue(world.uow()).execute(CreateQueueCommand(actor, "Sales", "#FF0000"))
    with pytest.raises(QueueNameTaken) as caught:
        await CreateQueue(world.uow()).execute(CreateQueueCommand(actor, "SALES", "#00FF00"))
    assert caught.value.details["queue_id"] == sales.id
    with pytest.raises(QueueColorTaken):
        await CreateQueue(world.uow()).execute(CreateQueueCommand(actor, "Support", "#ff0000"))
    assert len(world.state.queues) == 1


async def test_create_validates_colour_and_members(world: World) -> None:
    actor = await admin(world)
    with pytest.raises(InvalidInput):
        await CreateQueue(world.uow()).execute(CreateQueueCommand(actor, "Sales", "red"))
    with pytest.raises(UserNotFound):
        await CreateQueue(world.uow()).execute(CreateQueueCommand(actor, "Sales", "#FF0000", user_ids=(999,)))
    assert world.state.queues == {}


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.USER])
async def test_writes_are_admin_only(world: World, role: Role) -> None:
    actor = await world.viewer(role=role)
    queue = await world.add_queue("Kept")
    with pytest.raises(ActionForbidden):
        await CreateQueue(world.uow()).execute(CreateQueueCommand(actor, "Sales", "#FF0000"))
    with pytest.raises(ActionForbidden):
        await UpdateQueue(world.uow()).execute(UpdateQueueCommand(actor, queue.id, name="Changed"))
    with pytest.raises(ActionForbidden):
        await DeleteQueue(world.uow()).execute(DeleteQueueCommand(actor, queue.id))
    assert world.state.queues[queue.id].name == "Kept"
    assert (await GetQueue(world.uow()).execute(GetQueueCommand(actor, queue.id))).name == "Kept"


async def test_update_is_partial_and_keeps_uniqueness(world: World) -> None:
    actor = await admin(world)
    sales = await CreateQueue(world.uow()).execute(CreateQueueCommand(actor, "Sales", "#FF0000", "hello"))
    await CreateQueue(world.uow()).execute(CreateQueueCommand(actor, "Support", "#00FF00"))
    use_case = UpdateQueue(world.uow())

    await use_case.execute(UpdateQueueCommand(actor, sales.id, name="sales", color="#0000ff"))
    saved = world.state.queues[sales.id]
    assert (saved.name, saved.color, saved.greeting_message) == ("sales", "#0000FF", "hello")
    with pytest.raises(QueueNameTaken):
        await use_case.execute(UpdateQueueCommand(actor, sales.id, name="support"))
    with pytest.raises(QueueColorTaken):
        await use_case.execute(UpdateQueueCommand(actor, sales.id, color="#00ff00"))
    with pytest.raises(QueueNotFound):
        await use_case.execute(UpdateQueueCommand(actor, 999, name="x"))


async def test_delete_and_list(world: World) -> None:
    actor = await admin(world)
    member = await world.add_user()
    sales = await CreateQueue(world.uow()).execute(CreateQueueCommand(actor, "Sales", "#FF0000", user_ids=(member.id,)))
    await CreateQueue(world.uow()).execute(CreateQueueCommand(actor, "Support", "#00FF00"))
    page = await ListQueues(world.uow()).execute(ListQueuesCommand(actor, OffsetQuery(search="sup")))
    assert [q.name for q in page.items] == ["Support"]

    await DeleteQueue(world.uow()).execute(DeleteQueueCommand(actor, sales.id))
    assert sales.id not in world.state.queues
    assert world.state.users[member.id].queue_ids == []
    with pytest.raises(QueueNotFound):
        await DeleteQueue(world.uow()).execute(DeleteQueueCommand(actor, sales.id))
