"""Role rules shared by the management use cases, enforced in the core so every front (HTTP, CLI, sockets) agrees."""

from __future__ import annotations

from whaticket_core.domain.errors import ActionForbidden, QueueNotFound, UserNotFound, WhatsAppNotFound
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.unit_of_work import UnitOfWork


def require_admin(actor: Viewer, action: str) -> None:
    if actor.role is not Role.ADMIN:
        raise ActionForbidden(f"Only an admin may {action}")


def require_staff(actor: Viewer, action: str) -> None:
    if not actor.is_staff:
        raise ActionForbidden(f"Only an admin or a supervisor may {action}")


async def require_queues(uow: UnitOfWork, queue_ids: tuple[int, ...]) -> list[int]:
    """The ids, deduplicated in order; QueueNotFound naming the first id that names no queue."""
    wanted = list(dict.fromkeys(queue_ids))
    found = {q.id for q in await uow.queues.get_many(wanted)}
    for queue_id in wanted:
        if queue_id not in found:
            raise QueueNotFound(f"Queue {queue_id} not found", queue_id=queue_id)
    return wanted


async def require_users(uow: UnitOfWork, user_ids: tuple[int, ...]) -> list[int]:
    wanted = list(dict.fromkeys(user_ids))
    for user_id in wanted:
        if await uow.users.get(user_id) is None:
            raise UserNotFound(f"User {user_id} not found", user_id=user_id)
    return wanted


async def require_whatsapp(uow: UnitOfWork, whatsapp_id: int) -> None:
    if await uow.whatsapps.get(whatsapp_id) is None:
        raise WhatsAppNotFound(f"WhatsApp connection {whatsapp_id} not found", whatsapp_id=whatsapp_id)
