"""WhatsApp connections: everyone reads them, admins write them. Exactly one connection is the default."""

from __future__ import annotations

from dataclasses import dataclass, field

from whaticket_core.domain.contact import validate_name
from whaticket_core.domain.errors import ConcurrentUpdate, DefaultWhatsAppRequired, WhatsAppNameTaken, WhatsAppNotFound
from whaticket_core.domain.message import validate_body
from whaticket_core.domain.pagination import OffsetPage, OffsetQuery
from whaticket_core.domain.visibility import Viewer
from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp
from whaticket_core.ports.clock import Clock
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict, UnitOfWork
from whaticket_core.use_cases.shared.conflicts import explain_conflict
from whaticket_core.use_cases.shared.guards import require_admin, require_queues


async def load_whatsapp(uow: UnitOfWork, whatsapp_id: int, *, for_update: bool = False) -> WhatsApp:
    whatsapp = await uow.whatsapps.get(whatsapp_id, for_update=for_update)
    if whatsapp is None:
        raise WhatsAppNotFound(f"WhatsApp connection {whatsapp_id} not found", whatsapp_id=whatsapp_id)
    return whatsapp


def _taken(name: str, other_id: int | None = None) -> WhatsAppNameTaken:
    if other_id is None:
        return WhatsAppNameTaken(f"Connection name {name!r} is taken", fields=["name"])
    return WhatsAppNameTaken(f"Connection name {name!r} is taken", whatsapp_id=other_id, fields=["name"])


async def _check_name(uow: UnitOfWork, whatsapp: WhatsApp) -> None:
    other = await uow.whatsapps.get_by_name(whatsapp.name)
    if other is not None and other.id != whatsapp.id:
        raise _taken(whatsapp.name, other.id)


async def _undefault_others(uow: UnitOfWork, keep_id: int) -> None:
    current = await uow.whatsapps.get_default()
    if current is not None and current.id != keep_id:
        current.is_default = False
        await uow.whatsapps.save(current)


async def _store_conflict(exc: StoreConflict, name: str) -> Exception:
    def default_changed() -> Exception:  # another admin changed the default at the same moment
        return ConcurrentUpdate("The default connection changed meanwhile; try again", constraint=exc.constraint.value)

    return await explain_conflict(
        exc, {Constraint.WHATSAPP_NAME: lambda: _taken(name), Constraint.DEFAULT_WHATSAPP: default_changed}
    )


@dataclass(frozen=True, slots=True)
class CreateWhatsAppCommand:
    actor: Viewer
    name: str
    is_default: bool = False
    greeting_message: str = ""
    farewell_message: str = ""
    queue_ids: tuple[int, ...] = ()


class CreateWhatsApp:
    """Admin only. Rules: name 1..200 and unique (``whatsapp_name_taken``); every queue id must exist
    (``queue_not_found``). The first connection becomes the default whatever was asked; making a new one default
    un-defaults the previous one. New connections start ``DISCONNECTED``."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: CreateWhatsAppCommand) -> WhatsApp:
        require_admin(command.actor, "create connections")
        whatsapp = WhatsApp(
            name=validate_name(command.name),
            status=ConnectionStatus.DISCONNECTED,
            is_default=command.is_default,
            updated_at=self._clock.now(),
            greeting_message=validate_body(command.greeting_message),
            farewell_message=validate_body(command.farewell_message),
        )
        try:
            async with self._uow as uow:
                whatsapp.queue_ids = await require_queues(uow, command.queue_ids)
                await _check_name(uow, whatsapp)
                if await uow.whatsapps.get_default() is None:
                    whatsapp.is_default = True
                elif whatsapp.is_default:
                    await _undefault_others(uow, keep_id=0)
                await uow.whatsapps.add(whatsapp)
                await uow.commit()
        except StoreConflict as exc:
            raise await _store_conflict(exc, whatsapp.name) from None
        return whatsapp


@dataclass(frozen=True, slots=True)
class UpdateWhatsAppCommand:
    """None means absent."""

    actor: Viewer
    whatsapp_id: int
    name: str | None = None
    is_default: bool | None = None
    greeting_message: str | None = None
    farewell_message: str | None = None
    queue_ids: tuple[int, ...] | None = None


class UpdateWhatsApp:
    """Admin only; a partial update with the create rules. Making it the default un-defaults the previous
    one; un-defaulting the default itself is ``default_whatsapp_required`` (make another one default instead)."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: UpdateWhatsAppCommand) -> WhatsApp:
        require_admin(command.actor, "change connections")
        name = None if command.name is None else validate_name(command.name)
        greeting = None if command.greeting_message is None else validate_body(command.greeting_message)
        farewell = None if command.farewell_message is None else validate_body(command.farewell_message)
        try:
            async with self._uow as uow:
                whatsapp = await load_whatsapp(uow, command.whatsapp_id, for_update=True)
                if name is not None:
                    whatsapp.name = name
                    await _check_name(uow, whatsapp)
                if greeting is not None:
                    whatsapp.greeting_message = greeting
                if farewell is not None:
                    whatsapp.farewell_message = farewell
                if command.queue_ids is not None:
                    whatsapp.queue_ids = await require_queues(uow, command.queue_ids)
                if command.is_default is False and whatsapp.is_default:
                    raise DefaultWhatsAppRequired(
                        "One connection must stay the default: make another one default instead",
                        whatsapp_id=whatsapp.id,
                    )
                if command.is_default and not whatsapp.is_default:
                    await _undefault_others(uow, keep_id=whatsapp.id)
                    whatsapp.is_default = True
                whatsapp.updated_at = self._clock.now()
                await uow.whatsapps.save(whatsapp)
                await uow.commit()
        except StoreConflict as exc:
            raise await _store_conflict(exc, name or "") from None
        return whatsapp


@dataclass(frozen=True, slots=True)
class DeleteWhatsAppCommand:
    actor: Viewer
    whatsapp_id: int


class DeleteWhatsApp:
    """Admin only. Its tickets and their messages go with it. Deleting the default promotes the oldest remaining
    connection, so there is always exactly one default while any connection exists."""

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def execute(self, command: DeleteWhatsAppCommand) -> None:
        require_admin(command.actor, "delete connections")
        async with self._uow as uow:
            whatsapp = await load_whatsapp(uow, command.whatsapp_id, for_update=True)
            await uow.whatsapps.delete(whatsapp.id)
            if whatsapp.is_default:
                remaining = await uow.whatsapps.list_all()
                if remaining:
                    heir = remaining[0]
                    heir.is_default = True
                    heir.updated_at = self._clock.now()
                    await uow.whatsapps.save(heir)
            await uow.commit()


@dataclass(frozen=True, slots=True)
class GetWhatsAppCommand:
    actor: Viewer
    whatsapp_id: int


class GetWhatsApp:
    """One connection; ``whatsapp_not_found`` for an unknown id."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: GetWhatsAppCommand) -> WhatsApp:
        async with self._uow as uow:
            return await load_whatsapp(uow, command.whatsapp_id)


@dataclass(frozen=True, slots=True)
class ListWhatsAppsCommand:
    actor: Viewer
    query: OffsetQuery = field(default_factory=OffsetQuery)


class ListWhatsApps:
    """An offset page of connections, by id; ``search`` matches name or number."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    async def execute(self, command: ListWhatsAppsCommand) -> OffsetPage[WhatsApp]:
        async with self._uow as uow:
            return await uow.whatsapps.list_page(command.query)
