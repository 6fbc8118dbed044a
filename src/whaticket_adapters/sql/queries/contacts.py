"""The contacts page: the page and its total in one statement, outside any transaction."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, Select, String, any_, bindparam, func, or_, select
from sqlalchemy.dialects.postgresql import ARRAY

from whaticket_core.domain.contact import Contact, ExtraInfo
from whaticket_core.domain.pagination import OffsetPage, OffsetQuery
from whaticket_core.domain.tag import TagView

from ..base_repository import like_pattern
from ..models import ContactRow, table_of
from ..models_agent_tools import ContactTagRow, TagRow
from .reader import ROW_LIMIT, SqlReader
from .tag_arrays import tag_views, tags_array

_C = table_of(ContactRow)
_CT = table_of(ContactTagRow)
_TG = table_of(TagRow)
_COLUMNS = (
    _C.c.id,
    _C.c.name,
    _C.c.number,
    _C.c.lid,
    _C.c.email,
    _C.c.profile_pic_url,
    _C.c.is_group,
    _C.c.extra_info,
    _C.c.created_at,
)


def _where(search: bool) -> list[ColumnElement[bool]]:
    if not search:
        return []
    pattern = bindparam("search_pattern", type_=String)
    columns = (_C.c.name, _C.c.number, _C.c.email, _C.c.lid)
    return [or_(*(column.ilike(pattern, escape="\\") for column in columns))]


@functools.cache
def _page_statement(search: bool, postgres: bool) -> Select[Any]:
    # The total rides along as a scalar subquery: one round trip for the page and its count (it was four: BEGIN,
    # count, select, ROLLBACK). PostgreSQL counts the contacts' primary key index, not their rows.
    total = select(func.count()).select_from(_C).where(*_where(search)).scalar_subquery()
    return (
        select(*_COLUMNS, total.label("total"), *([tags_array(_CT, _CT.c.contact_id, _C.c.id)] if postgres else []))
        .where(*_where(search))
        .order_by(_C.c.id)
        .limit(ROW_LIMIT)
        .offset(bindparam("row_offset", type_=Integer))
    )


@functools.cache
def _count_statement(search: bool) -> Select[Any]:
    return select(func.count()).select_from(_C).where(*_where(search))


# The page's tags, by name: one more statement for the whole page (by the contact_tags primary key).
@functools.cache
def _tags_of_contacts(postgres: bool) -> Select[Any]:
    # asyncpg takes the ids as one array parameter (the raw path has no expanding IN); SQLite as an expanded list.
    ids = (
        _CT.c.contact_id == any_(bindparam("ids", type_=ARRAY(BigInteger)))
        if postgres
        else _CT.c.contact_id.in_(bindparam("ids", expanding=True, type_=_CT.c.contact_id.type))
    )
    return (
        select(_CT.c.contact_id, _TG.c.id, _TG.c.name, _TG.c.color)
        .select_from(_CT.join(_TG, _TG.c.id == _CT.c.tag_id))
        .where(ids)
        .order_by(func.lower(_TG.c.name), _TG.c.id)
    )


def _contact(row: Sequence[Any]) -> Contact:
    id_, name, number, lid, email, profile_pic_url, is_group, extra_info, created_at = row[:9]
    return Contact(
        id=id_,
        name=name,
        number=number,
        lid=lid,
        email=email,
        profile_pic_url=profile_pic_url,
        is_group=is_group,
        extra_info=[ExtraInfo(e["name"], e["value"]) for e in extra_info or ()],
        created_at=created_at,
    )


class SqlContactQueries(SqlReader):
    """Implements :class:`~whaticket_core.ports.queries.ContactQueries`."""

    async def list_contacts(self, query: OffsetQuery) -> OffsetPage[Contact]:
        search = bool(query.search)
        params: dict[str, Any] = {"row_limit": query.limit, "row_offset": query.offset}
        if query.search:
            params["search_pattern"] = like_pattern(query.search)
        rows = await self._rows(_page_statement(search, self._postgres), params)
        if rows:
            total = int(rows[0][9])
        elif query.offset == 0:
            total = 0
        else:  # past the last page: the count alone
            total = int((await self._rows(_count_statement(search), params))[0][0])
        contacts = [_contact(r) for r in rows]
        if self._postgres:
            for contact, row in zip(contacts, rows, strict=True):
                contact.tags = tag_views(row[10])
        elif contacts:
            tags: dict[int, list[TagView]] = defaultdict(list)
            for contact_id, tag_id, name, color in await self._rows(
                _tags_of_contacts(self._postgres), {"ids": [c.id for c in contacts]}
            ):
                tags[contact_id].append(TagView(tag_id, name, color))
            for contact in contacts:
                contact.tags = tuple(tags[contact.id])
        return OffsetPage(contacts, total, query.limit, query.offset)
