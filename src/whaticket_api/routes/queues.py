"""/queues: everyone reads; admins write."""

from __future__ import annotations

from typing import Annotated

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import delete, get, post, put
from litestar.params import JSONBody

from whaticket_core.domain.queue import Queue
from whaticket_core.domain.visibility import Viewer
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

from .common import AUTHED, BodyId, Limit, Name, Offset, PathId, Search, errors, offset_query

Color = Annotated[str, msgspec.Meta(pattern=r"^#[0-9A-Fa-f]{6}$", description="#RRGGBB")]
Greeting = Annotated[str, msgspec.Meta(max_length=4096)]
IdList = Annotated[list[BodyId], msgspec.Meta(max_length=1000)]


class QueueOut(msgspec.Struct, rename="camel"):
    id: int
    name: str
    color: str
    greeting_message: str
    user_ids: list[int]


class QueuePage(msgspec.Struct, rename="camel"):
    items: list[QueueOut]
    total: int
    limit: int
    offset: int


class QueueCreateIn(msgspec.Struct, rename="camel"):
    name: Name
    color: Color
    greeting_message: Greeting = ""
    user_ids: IdList = []


class QueueUpdateIn(msgspec.Struct, rename="camel"):
    name: Name | None = None
    color: Color | None = None
    greeting_message: Greeting | None = None
    user_ids: IdList | None = None


def queue_out(q: Queue) -> QueueOut:
    return QueueOut(q.id, q.name, q.color, q.greeting_message, list(q.user_ids))


@get("/", responses=errors(*AUTHED))
async def list_queues(
    viewer: FromDishka[Viewer],
    use_case: FromDishka[ListQueues],
    limit: Limit = 20,
    offset: Offset = 0,
    search: Search = None,
) -> QueuePage:
    """Queues; `search` matches the name."""
    page = await use_case.execute(ListQueuesCommand(viewer, offset_query(limit, offset, search)))
    return QueuePage([queue_out(q) for q in page.items], page.total, page.limit, page.offset)


@get("/{queue_id:int}", responses=errors(*AUTHED, 404))
async def get_queue(queue_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[GetQueue]) -> QueueOut:
    """One queue."""
    return queue_out(await use_case.execute(GetQueueCommand(viewer, queue_id)))


@post("/", status_code=201, responses=errors(*AUTHED, 403, 404, 409))
async def create_queue(
    data: JSONBody[QueueCreateIn], viewer: FromDishka[Viewer], use_case: FromDishka[CreateQueue]
) -> QueueOut:
    """Create a queue (admin). Name and colour are unique."""
    command = CreateQueueCommand(viewer, data.name, data.color, data.greeting_message, tuple(data.user_ids))
    return queue_out(await use_case.execute(command))


@put("/{queue_id:int}", responses=errors(*AUTHED, 403, 404, 409))
async def update_queue(
    queue_id: PathId, data: JSONBody[QueueUpdateIn], viewer: FromDishka[Viewer], use_case: FromDishka[UpdateQueue]
) -> QueueOut:
    """Partial update (admin)."""
    command = UpdateQueueCommand(
        viewer,
        queue_id,
        data.name,
        data.color,
        data.greeting_message,
        None if data.user_ids is None else tuple(data.user_ids),
    )
    return queue_out(await use_case.execute(command))


@delete("/{queue_id:int}", status_code=204, responses=errors(*AUTHED, 403, 404))
async def delete_queue(queue_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[DeleteQueue]) -> None:
    """Delete a queue (admin)."""
    await use_case.execute(DeleteQueueCommand(viewer, queue_id))


router = DishkaRouter(
    "/queues", route_handlers=[list_queues, get_queue, create_queue, update_queue, delete_queue], tags=["queues"]
)
