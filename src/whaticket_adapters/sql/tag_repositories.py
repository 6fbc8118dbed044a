"""Tags and their assignments to tickets and contacts (the ticket_tags and contact_tags relations)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Row

from whaticket_core.domain.tag import Tag

from .base_repository import SqlRepository
from .driver_path import DriverRow
from .models import table_of
from .models_agent_tools import ContactTagRow, TagRow, TicketTagRow

_TG = table_of(TagRow)
_TT = table_of(TicketTagRow)
_CT = table_of(ContactTagRow)
_BY_NAME = (func.lower(_TG.c.name), _TG.c.id)
# Built once: every inbound message on an existing ticket reads its tags.
_PG_OF_TICKET = (
    "SELECT tags.id, tags.name, tags.color FROM tags JOIN ticket_tags ON ticket_tags.tag_id = tags.id"
    " WHERE ticket_tags.ticket_id = $1 ORDER BY lower(tags.name), tags.id"
)
_OF_TICKET = (
    select(_TG).join(_TT, _TT.c.tag_id == _TG.c.id).where(_TT.c.ticket_id == bindparam("ticket_id")).order_by(*_BY_NAME)
)


def _tag_of(row: Row[Any]) -> Tag:
    return Tag(id=row.id, name=row.name, color=row.color)


def _tags(rows: Sequence[Row[Any]]) -> list[Tag]:
    return [_tag_of(r) for r in rows]


class SqlTagRepository(SqlRepository):
    async def get(self, tag_id: int) -> Tag | None:
        row = await self._one(select(_TG).where(_TG.c.id == tag_id))
        return None if row is None else _tag_of(row)

    async def get_by_name(self, name: str) -> Tag | None:
        row = await self._one(select(_TG).where(func.lower(_TG.c.name) == name.lower()))
        return None if row is None else _tag_of(row)

    async def get_many(self, tag_ids: list[int]) -> list[Tag]:
        if not tag_ids:
            return []
        return _tags(await self._all(select(_TG).where(_TG.c.id.in_(tag_ids)).order_by(*_BY_NAME)))

    async def add(self, tag: Tag) -> Tag:
        result = await self._execute(insert(_TG).values(name=tag.name, color=tag.color).returning(_TG.c.id))
        tag.id = result.scalar_one()
        return tag

    async def save(self, tag: Tag) -> None:
        await self._execute(update(_TG).where(_TG.c.id == tag.id).values(name=tag.name, color=tag.color))

    async def delete(self, tag_id: int) -> None:
        # Assignments go with it (ON DELETE CASCADE).
        await self._execute(delete(_TG).where(_TG.c.id == tag_id))

    async def list_all(self) -> list[Tag]:
        return _tags(await self._all(select(_TG).order_by(*_BY_NAME)))


class SqlTagAssignments(SqlRepository):
    async def of_ticket(self, ticket_id: int) -> list[Tag]:
        if (driver := self._uow.driver) is not None:
            return _tags([DriverRow(r) for r in await driver.fetch(_PG_OF_TICKET, ticket_id)])  # type: ignore[misc]
        return _tags((await self._execute(_OF_TICKET, {"ticket_id": ticket_id})).all())

    async def set_for_ticket(self, ticket_id: int, tag_ids: list[int]) -> None:
        await self._execute(delete(_TT).where(_TT.c.ticket_id == ticket_id))
        if tag_ids:
            await self._execute(insert(_TT), [{"ticket_id": ticket_id, "tag_id": t} for t in dict.fromkeys(tag_ids)])

    async def of_contact(self, contact_id: int) -> list[Tag]:
        return (await self.of_contacts([contact_id])).get(contact_id, [])

    async def of_contacts(self, contact_ids: list[int]) -> dict[int, list[Tag]]:
        found: dict[int, list[Tag]] = defaultdict(list)
        if contact_ids:
            statement = (
                select(_CT.c.contact_id, _TG.c.id, _TG.c.name, _TG.c.color)
                .join(_TG, _TG.c.id == _CT.c.tag_id)
                .where(_CT.c.contact_id.in_(contact_ids))
                .order_by(*_BY_NAME)
            )
            for row in await self._all(statement):
                found[row.contact_id].append(_tag_of(row))
        return dict(found)

    async def set_for_contact(self, contact_id: int, tag_ids: list[int]) -> None:
        await self._execute(delete(_CT).where(_CT.c.contact_id == contact_id))
        if tag_ids:
            await self._execute(insert(_CT), [{"contact_id": contact_id, "tag_id": t} for t in dict.fromkeys(tag_ids)])
