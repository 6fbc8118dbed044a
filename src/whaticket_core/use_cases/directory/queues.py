"""Queues (departments): everyone reads them, admins write them. Names (case-insensitively) and colours are unique."""

from __future__ import annotations

from dataclasses import dataclass, field

from whaticket_core.domain.contact import validate_name
from whaticket_core.domain.errors import QueueColorTaken, QueueNameTaken, QueueNotFound
from whaticket_core.domain.message import validate_body
from whaticket_core.domain.pagination import OffsetPage, OffsetQuery
from whaticket_core.domain.queue import Queue, normalize_color
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict, UnitOfWork
from whaticket_core.use_cases.shared.conflicts import explain_conflict
from whaticket_core.use_cases.shared.guards import require_admin, require_users


async def _load(uow: UnitOfWork, queue_id: int) -> Queue:
    queue = await uow.queues.get(queue_id)
    if queue is None:
        raise QueueNotFound(f"Queue {queue_id} not found", queue_id=queue_id)
    return queue


async def _check_unique(uow: UnitOfWork, queue: Queue) -> None:
    other = await uow.queues.get_by_name(queue.name)
    if other is not None and other.id != queue.id:
        raise QueueNameTaken(f"Queue name {queue.name!r} is taken", queue_id=other.id, fields=["name"])
    other = await uow.queues.get_by_color(queue.color)
    if other is not None and other.id != queue.id:
        raise QueueColorTaken(f"Queue colour {queue.color} is taken", queue_id=other.id, fields=["color"])


async def _conflict(exc: StoreConflict, queue: Queue) -> Exception:
    return await explain_conflict(
        exc,
        {
            Constraint.QUEUE_NAME: lambda: QueueNameTaken(f"Queue name {queue.name!r} is taken", fields=["name"]),
            Constraint.QUEUE_COLOR: lambda: QueueColorTaken(f"Queue colour {queue.color} is taken", fields=["color"]),
        },
    )


@dataclass(frozen=True, slots=True)
class CreateQueueCommand:
    actor: Viewer
    name: str
    color: str
    greeting_message: str = ""
    user_ids: tuple[int, ...] = ()


class CreateQueue:
    """Admin only. Rules: name 1..200, colour ``#RRGGBB`` (stored upper-case); ``queue_name_taken`` /
    ``queue_color_taken`` on duplicates; every user id must exist (``user_not_found``)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: CreateQueueCommand) -> Queue:
        require_admin(command.actor, "create queues")
        queue = Queue(
            validate_name(command.name), normalize_color(command.color), validate_body(command.greeting_message)
        )
        try:
            async with self._uow as uow:
                queue.user_ids = await require_users(uow, command.user_ids)
                await _check_unique(uow, queue)
                await uow.queues.add(queue)
                await uow.commit()
        except StoreConflict as exc:
            raise await _conflict(exc, queue) from None
        return queue


@dataclass(frozen=True, slots=True)
class UpdateQueueCommand:
    """None means absent."""

    actor: Viewer
    queue_id: int
    name: str | None = None
    color: str | None = None
    greeting_message: str | None = None
    user_ids: tuple[int, ...] | None = None


class UpdateQueue:
    """Admin only; a partial update with the create rules."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: UpdateQueueCommand) -> Queue:
        require_admin(command.actor, "change queues")
        name = None if command.name is None else validate_name(command.name)
        color = None if command.color is None else normalize_color(command.color)
        greeting = None if command.greeting_message is None else validate_body(command.greeting_message)
        try:
            async with self._uow as uow:
                queue = await _load(uow, command.queue_id)
                queue.name = name if name is not None else queue.name
                queue.color = color if color is not None else queue.color
                queue.greeting_message = greeting if greeting is not None else queue.greeting_message
                if command.user_ids is not None:
                    queue.user_ids = await require_users(uow, command.user_ids)
                await _check_unique(uow, queue)
                await uow.queues.save(queue)
                await uow.commit()
        except StoreConflict as exc:
            raise await _conflict(exc, queue) from None
        return queue


@dataclass(frozen=True, slots=True)
class DeleteQueueCommand:
    actor: Viewer
    queue_id: int


class DeleteQueue:
    """Admin only. Its tickets lose their queue; users and connections lose their membership."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: DeleteQueueCommand) -> None:
        require_admin(command.actor, "delete queues")
        async with self._uow as uow:
            queue = await _load(uow, command.queue_id)
            await uow.queues.delete(queue.id)
            await uow.commit()


@dataclass(frozen=True, slots=True)
class GetQueueCommand:
    actor: Viewer
    queue_id: int


class GetQueue:
    """One queue; ``queue_not_found`` for an unknown id."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetQueueCommand) -> Queue:
        async with self._uow as uow:
            return await _load(uow, command.queue_id)


@dataclass(frozen=True, slots=True)
class ListQueuesCommand:
    actor: Viewer
    query: OffsetQuery = field(default_factory=OffsetQuery)


class ListQueues:
    """An offset page of queues, by id; ``search`` matches the name."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListQueuesCommand) -> OffsetPage[Queue]:
        async with self._uow as uow:
            return await uow.queues.list_page(command.query)
