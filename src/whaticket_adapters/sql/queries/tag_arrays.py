"""PostgreSQL: an owner's tags (a ticket's, a contact's) as one more column of the owner's own statement."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Table, func, select, tuple_
from sqlalchemy.dialects.postgresql import aggregate_order_by

from whaticket_core.domain.tag import TagView

from ..models import table_of
from ..models_agent_tools import TagRow

_TG = table_of(TagRow)


def tags_array(link: Table, link_owner: ColumnElement[Any], owner_id: ColumnElement[Any]) -> Any:
    """The owner's tags as an array of (id, name, color) rows in name order, NULL for none: a page needs no second
    statement for them. ``link`` is the assignment table (``ticket_tags``, ``contact_tags``), ``link_owner`` its
    owner column and ``owner_id`` the outer row's id. SQLite has no such arrays: its readers ask in a second
    statement."""
    tag = tuple_(_TG.c.id, _TG.c.name, _TG.c.color)
    return (
        select(func.array_agg(aggregate_order_by(tag, func.lower(_TG.c.name), _TG.c.id)))
        .select_from(link.join(_TG, _TG.c.id == link.c.tag_id))
        .where(link_owner == owner_id)
        .scalar_subquery()
        .label("tags")
    )


def tag_views(value: Sequence[Sequence[Any]] | None) -> tuple[TagView, ...]:
    """The column's value (asyncpg gives each row as a tuple) as the read models' tags."""
    return tuple(TagView(*tag) for tag in value) if value else ()
