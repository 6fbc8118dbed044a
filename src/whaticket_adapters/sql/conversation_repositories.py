"""Repositories of the conversation aggregates: tickets, messages and contacts."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, bindparam, delete, exists, func, insert, or_, select, text, update
from sqlalchemy.sql.elements import TextClause

from whaticket_core.domain.contact import Contact
from whaticket_core.domain.message import Message, MessageAck
from whaticket_core.domain.pagination import OffsetPage, OffsetQuery
from whaticket_core.domain.tag import Tag
from whaticket_core.domain.ticket import Ticket
from whaticket_core.ports.repositories import ActiveTicket, IdleClaim

from .base_repository import SqlRepository, search_any
from .driver_path import DriverRow
from .mapping import (
    TICKET_FIELDS,
    contact_of,
    contact_values,
    message_of,
    message_values,
    ticket_of,
    ticket_values,
)
from .models import ACTIVE_WHERE, ContactRow, MessageRow, TicketRow, table_of

_T = table_of(TicketRow)
_M = table_of(MessageRow)
_C = table_of(ContactRow)
_ACTIVE = ("pending", "open")
# The statements every inbound message runs, built once: building a statement and computing its cache key on
# every call cost more than sending it. Columns to write come with each call's parameters.
_ACTIVE_TICKET = select(_T).where(
    _T.c.contact_id == bindparam("contact_id"), _T.c.whatsapp_id == bindparam("whatsapp_id"), ACTIVE_WHERE
)
_ACTIVE_TICKET_LOCKED = _ACTIVE_TICKET.with_for_update()
_LAST_CLOSED_TICKET = (
    select(_T)
    .where(
        _T.c.contact_id == bindparam("contact_id"),
        _T.c.whatsapp_id == bindparam("whatsapp_id"),
        _T.c.closed_at.is_not(None),
    )
    .order_by(_T.c.closed_at.desc(), _T.c.id.desc())
    .limit(1)
)
_ADD_TICKET = insert(_T).returning(_T.c.id)
_SAVE_TICKET = update(_T).where(_T.c.id == bindparam("where_id"))
_ADD_MESSAGE = insert(_M).returning(_M.c.id)
_SAVE_MESSAGE = update(_M).where(_M.c.id == bindparam("where_id"))
_CONTACT_BY = {
    (column, locked): select(_C).where(_C.c[column] == bindparam("key")).with_for_update()
    if locked
    else select(_C).where(_C.c[column] == bindparam("key"))
    for column in ("id", "number", "lid")
    for locked in (False, True)
}
_ADD_CONTACT = insert(_C).returning(_C.c.id)
_SAVE_CONTACT = update(_C).where(_C.c.id == bindparam("where_id"))


def _add_if_new_statement(keys: tuple[str, ...]) -> TextClause:
    """``INSERT ... ON CONFLICT (whatsapp_id, wa_message_id) DO NOTHING RETURNING id`` for columns ``keys``, as text
    with typed parameters: the dialects' ``insert().on_conflict_do_nothing()`` cannot be cached, so it would be
    compiled again on every message. PostgreSQL and SQLite (3.35+) both read it."""
    columns = ", ".join(keys)
    values = ", ".join(f":{key}" for key in keys)
    sql = (
        f"INSERT INTO {_M.name} ({columns}) VALUES ({values}) "
        "ON CONFLICT (whatsapp_id, wa_message_id) DO NOTHING RETURNING id"
    )
    return text(sql).bindparams(*(bindparam(key, type_=_M.c[key].type) for key in keys))


# The same statements as SQL text for the driver path on PostgreSQL (see driver_path). Columns are listed, never
# `*`: a column added by a migration must not change the result of a statement prepared before it.
_PG_T, _PG_M, _PG_C = (", ".join(column.name for column in table.columns) for table in (_T, _M, _C))
_PG_ACTIVE_TICKET = (
    f"SELECT {_PG_T} FROM tickets WHERE contact_id = $1 AND whatsapp_id = $2 AND status IN ('pending', 'open')"
)
# The active ticket with its tags and whether a reply cancels a scheduled message of it, in one round trip (the
# tags and the scheduled messages were two more reads on every inbound message). Both subqueries use the indexes
# the separate reads use: ticket_tags' key, and ix_messages_scheduled (its predicate spelt the same).
_PG_ACTIVE_FOR_INBOUND = (
    f"SELECT {_PG_T},"
    " ARRAY(SELECT ROW(tags.id, tags.name, tags.color) FROM tags JOIN ticket_tags ON ticket_tags.tag_id = tags.id"
    "  WHERE ticket_tags.ticket_id = tickets.id ORDER BY lower(tags.name), tags.id) AS inbound_tags,"
    " EXISTS (SELECT 1 FROM messages WHERE ack = 'scheduled' AND NOT is_deleted AND ticket_id = tickets.id"
    "  AND cancel_if_replied) AS inbound_reply_cancels"
    " FROM tickets WHERE contact_id = $1 AND whatsapp_id = $2 AND status IN ('pending', 'open') FOR UPDATE OF tickets"
)
_PG_TICKET_COLUMNS = (*TICKET_FIELDS, "status")
_PG_SAVE_TICKET = "UPDATE tickets SET {} WHERE id = $1".format(
    ", ".join(f"{name} = ${n}" for n, name in enumerate(_PG_TICKET_COLUMNS, start=2))
)
_PG_CONTACT_BY = {
    (column, locked): f"SELECT {_PG_C} FROM contacts WHERE {column} = $1" + (" FOR UPDATE" if locked else "")
    for column in ("id", "number", "lid")
    for locked in (False, True)
}
_PG_SCHEDULED_OF_TICKET = (
    f"SELECT {_PG_M} FROM messages WHERE ack = 'scheduled' AND NOT is_deleted AND ticket_id = $1 ORDER BY id"
)
_PG_ADD_TICKET = "INSERT INTO tickets ({}) VALUES ({}) RETURNING id".format(
    ", ".join(_PG_TICKET_COLUMNS), ", ".join(f"${n}" for n in range(1, len(_PG_TICKET_COLUMNS) + 1))
)
_PG_CONTACT_COLUMNS = ("name", "number", "lid", "email", "profile_pic_url", "is_group", "extra_info", "created_at")
_PG_ADD_CONTACT = "INSERT INTO contacts ({}) VALUES ({}) RETURNING id".format(
    ", ".join(_PG_CONTACT_COLUMNS), ", ".join(f"${n}" for n in range(1, len(_PG_CONTACT_COLUMNS) + 1))
)
_PG_ADD_IF_NEW: dict[tuple[str, ...], str] = {}


def _pg_add_if_new(keys: tuple[str, ...]) -> str:
    statement = _PG_ADD_IF_NEW.get(keys)
    if statement is None:
        statement = _PG_ADD_IF_NEW[keys] = (
            f"INSERT INTO messages ({', '.join(keys)}) VALUES ({', '.join(f'${n}' for n in range(1, len(keys) + 1))})"
            " ON CONFLICT (whatsapp_id, wa_message_id) DO NOTHING RETURNING id"
        )
    return statement


_ADD_IF_NEW: dict[tuple[str, ...], TextClause] = {}  # by column keys (always the same ones, from message_values)
# The predicate of ix_messages_scheduled, spelt the same so the planner uses the partial index.
_SCHEDULED = and_(_M.c.ack == MessageAck.SCHEDULED.value, ~_M.c.is_deleted)
_SCHEDULED_OF_TICKET = select(_M).where(_SCHEDULED, _M.c.ticket_id == bindparam("ticket_id")).order_by(_M.c.id)


class SqlTicketRepository(SqlRepository):
    async def get(self, ticket_id: int, *, for_update: bool = False) -> Ticket | None:
        statement = select(_T).where(_T.c.id == ticket_id)
        if for_update:
            statement = statement.with_for_update()
        row = await self._one(statement)
        return None if row is None else ticket_of(row)

    async def get_active(self, contact_id: int, whatsapp_id: int, *, for_update: bool = False) -> Ticket | None:
        if (driver := self._uow.driver) is not None:
            sql = _PG_ACTIVE_TICKET + (" FOR UPDATE" if for_update else "")
            record = await driver.fetchrow(sql, contact_id, whatsapp_id)
            return None if record is None else ticket_of(DriverRow(record))  # type: ignore[arg-type]
        statement = _ACTIVE_TICKET_LOCKED if for_update else _ACTIVE_TICKET
        row = (await self._execute(statement, {"contact_id": contact_id, "whatsapp_id": whatsapp_id})).first()
        return None if row is None else ticket_of(row)

    async def get_active_for_inbound(self, contact_id: int, whatsapp_id: int) -> ActiveTicket | None:
        if (driver := self._uow.driver) is not None:
            record = await driver.fetchrow(_PG_ACTIVE_FOR_INBOUND, contact_id, whatsapp_id)
            if record is None:
                return None
            tags = [Tag(id=tag_id, name=name, color=color) for tag_id, name, color in record["inbound_tags"]]
            ticket = ticket_of(DriverRow(record))  # type: ignore[arg-type]
            return ActiveTicket(ticket, tags, record["inbound_reply_cancels"])
        # Elsewhere (SQLite) the three reads, as the port describes them.
        found = await self.get_active(contact_id, whatsapp_id, for_update=True)
        if found is None:
            return None
        scheduled = await self._uow.messages.list_scheduled_of_ticket(found.id)
        tags = await self._uow.tag_assignments.of_ticket(found.id)
        return ActiveTicket.of(found, tags, scheduled)

    async def get_last_closed(self, contact_id: int, whatsapp_id: int) -> Ticket | None:
        params = {"contact_id": contact_id, "whatsapp_id": whatsapp_id}
        row = (await self._execute(_LAST_CLOSED_TICKET, params)).first()
        return None if row is None else ticket_of(row)

    async def add(self, ticket: Ticket) -> Ticket:
        if (driver := self._uow.driver) is not None:
            values = ticket_values(ticket)
            record = await driver.fetchrow(_PG_ADD_TICKET, *(values[name] for name in _PG_TICKET_COLUMNS))
            assert record is not None  # RETURNING of an insert
            ticket.id = record["id"]
            return ticket
        ticket.id = (await self._execute(_ADD_TICKET, ticket_values(ticket))).scalar_one()
        return ticket

    async def save(self, ticket: Ticket) -> None:
        if (driver := self._uow.driver) is not None:
            values = ticket_values(ticket)
            await driver.execute(_PG_SAVE_TICKET, ticket.id, *(values[name] for name in _PG_TICKET_COLUMNS))
            return
        await self._execute(_SAVE_TICKET, {"where_id": ticket.id, **ticket_values(ticket)})

    async def delete(self, ticket_id: int) -> None:
        # Messages go with it (ON DELETE CASCADE).
        await self._execute(delete(_T).where(_T.c.id == ticket_id))

    def _claiming(self, statement: Select[tuple[object, ...]]) -> Select[tuple[object, ...]]:
        # PostgreSQL: lock the rows, skipping those another claimer holds. SQLite has no row locks; its units of work
        # hold the database's one write lock from BEGIN IMMEDIATE, so claimers run one after another anyway.
        if self._dialect == "postgresql":
            return statement.with_for_update(skip_locked=True)
        return statement

    async def claim_idle(self, claim: IdleClaim) -> list[Ticket]:
        conditions: list[ColumnElement[bool]] = [_T.c.status.in_(_ACTIVE), _T.c.idle_since <= claim.idle_before]
        warned = and_(_T.c.close_warned_at.is_not(None), _T.c.close_warned_at > _T.c.idle_since)
        if claim.warned is False:
            conditions.append(or_(_T.c.close_warned_at.is_(None), _T.c.close_warned_at <= _T.c.idle_since))
        elif claim.warned is True:
            conditions.append(warned)
            if claim.warned_before is not None:
                conditions.append(_T.c.close_warned_at <= claim.warned_before)
        statement = select(_T).where(*conditions).order_by(_T.c.idle_since, _T.c.id).limit(claim.limit)
        return [ticket_of(row) for row in await self._all(self._claiming(statement))]

    async def claim_pending(self, queue_id: int, limit: int) -> list[Ticket]:
        statement = (
            select(_T)
            .where(_T.c.status == "pending", _T.c.user_id.is_(None), _T.c.queue_id == queue_id)
            .order_by(_T.c.created_at, _T.c.id)
            .limit(limit)
        )
        return [ticket_of(row) for row in await self._all(self._claiming(statement))]

    async def count_open(self, user_ids: list[int]) -> dict[int, int]:
        counts = dict.fromkeys(user_ids, 0)
        if user_ids:
            statement = (
                select(_T.c.user_id, func.count())
                .where(_T.c.status == "open", _T.c.user_id.in_(user_ids))
                .group_by(_T.c.user_id)
            )
            for user_id, count in await self._all(statement):
                counts[int(user_id)] = int(count)
        return counts

    async def list_assigned_active(self, user_id: int) -> list[Ticket]:
        statement = select(_T).where(_T.c.user_id == user_id, _T.c.status.in_(_ACTIVE)).order_by(_T.c.id)
        return [ticket_of(row) for row in await self._all(statement)]

    async def list_active_of_contact(self, contact_id: int) -> list[Ticket]:
        statement = select(_T).where(_T.c.contact_id == contact_id, _T.c.status.in_(_ACTIVE)).order_by(_T.c.id)
        return [ticket_of(row) for row in await self._all(statement)]

    async def contact_has_tickets(self, contact_id: int) -> bool:
        row = await self._one(select(exists().where(_T.c.contact_id == contact_id)))
        return bool(row and row[0])

    async def list_of_contact(self, contact_id: int, *, for_update: bool = False) -> list[Ticket]:
        statement = select(_T).where(_T.c.contact_id == contact_id).order_by(_T.c.id)
        if for_update:
            statement = statement.with_for_update()
        return [ticket_of(row) for row in await self._all(statement)]


class SqlMessageRepository(SqlRepository):
    async def get(self, message_id: int, *, for_update: bool = False) -> Message | None:
        statement = select(_M).where(_M.c.id == message_id)
        if for_update:
            statement = statement.with_for_update()
        row = await self._one(statement)
        return None if row is None else message_of(row)

    async def get_by_wa_id(self, whatsapp_id: int, wa_message_id: str, *, for_update: bool = False) -> Message | None:
        statement = select(_M).where(_M.c.whatsapp_id == whatsapp_id, _M.c.wa_message_id == wa_message_id)
        if for_update:
            statement = statement.with_for_update()
        row = await self._one(statement)
        return None if row is None else message_of(row)

    async def add(self, message: Message) -> Message:
        message.id = (await self._execute(_ADD_MESSAGE, message_values(message))).scalar_one()
        return message

    async def add_if_new(self, message: Message) -> bool:
        values = message_values(message)
        keys = tuple(values)
        if (driver := self._uow.driver) is not None:
            reactions = values["reactions"]
            values["reactions"] = json.dumps(reactions) if reactions else "[]"  # a new message has none
            record = await driver.fetchrow(_pg_add_if_new(keys), *values.values())
            if record is None:
                return False
            message.id = record["id"]
            return True
        statement = _ADD_IF_NEW.get(keys)
        if statement is None:
            statement = _ADD_IF_NEW[keys] = _add_if_new_statement(keys)
        row = (await self._execute(statement, values)).first()
        if row is None:
            return False
        message.id = row[0]
        return True

    async def save(self, message: Message) -> None:
        await self._execute(_SAVE_MESSAGE, {"where_id": message.id, **message_values(message)})

    async def latest_inbound(self, ticket_id: int, limit: int) -> list[Message]:
        statement = (
            select(_M).where(_M.c.ticket_id == ticket_id, _M.c.from_me.is_(False)).order_by(_M.c.id.desc()).limit(limit)
        )
        return [message_of(row) for row in await self._all(statement)]

    async def list_stale_pending(self, older_than: datetime, limit: int) -> list[Message]:
        statement = (
            select(_M)
            .where(_M.c.from_me.is_(True), _M.c.ack == MessageAck.PENDING.value, _M.c.created_at < older_than)
            .order_by(_M.c.id)
            .limit(limit)
        )
        return [message_of(row) for row in await self._all(statement)]

    async def list_due_scheduled(self, now: datetime, limit: int) -> list[Message]:
        statement = select(_M).where(_SCHEDULED, _M.c.send_at <= now).order_by(_M.c.send_at, _M.c.id).limit(limit)
        return [message_of(row) for row in await self._all(statement)]

    async def list_scheduled_of_ticket(self, ticket_id: int) -> list[Message]:
        if (driver := self._uow.driver) is not None:
            records = await driver.fetch(_PG_SCHEDULED_OF_TICKET, ticket_id)
            return [message_of(DriverRow(r)) for r in records]  # type: ignore[arg-type]
        rows = (await self._execute(_SCHEDULED_OF_TICKET, {"ticket_id": ticket_id})).all()
        return [message_of(row) for row in rows]

    async def move_to_ticket(self, from_ticket_id: int, to_ticket_id: int) -> int:
        statement = update(_M).where(_M.c.ticket_id == from_ticket_id).values(ticket_id=to_ticket_id)
        result = await self._execute(statement)
        return int(getattr(result, "rowcount", 0) or 0)

    async def reassign_contact(self, from_contact_id: int, to_contact_id: int) -> None:
        await self._execute(update(_M).where(_M.c.contact_id == from_contact_id).values(contact_id=to_contact_id))


class SqlContactRepository(SqlRepository):
    async def _find(self, column: str, key: object, for_update: bool) -> Contact | None:
        if (driver := self._uow.driver) is not None:
            record = await driver.fetchrow(_PG_CONTACT_BY[column, for_update], key)
            return None if record is None else contact_of(DriverRow(record))  # type: ignore[arg-type]
        row = (await self._execute(_CONTACT_BY[column, for_update], {"key": key})).first()
        return None if row is None else contact_of(row)

    async def get(self, contact_id: int, *, for_update: bool = False) -> Contact | None:
        return await self._find("id", contact_id, for_update)

    async def get_by_number(self, number: str, *, for_update: bool = False) -> Contact | None:
        return await self._find("number", number, for_update)

    async def get_by_lid(self, lid: str, *, for_update: bool = False) -> Contact | None:
        return await self._find("lid", lid, for_update)

    async def add(self, contact: Contact) -> Contact:
        if (driver := self._uow.driver) is not None:
            values = contact_values(contact)
            values["extra_info"] = json.dumps(values["extra_info"])
            record = await driver.fetchrow(_PG_ADD_CONTACT, *(values[name] for name in _PG_CONTACT_COLUMNS))
            assert record is not None  # RETURNING of an insert
            contact.id = record["id"]
            return contact
        contact.id = (await self._execute(_ADD_CONTACT, contact_values(contact))).scalar_one()
        return contact

    async def save(self, contact: Contact) -> None:
        await self._execute(_SAVE_CONTACT, {"where_id": contact.id, **contact_values(contact)})

    async def delete(self, contact_id: int) -> None:
        # Tickets and messages go with it (ON DELETE CASCADE).
        await self._execute(delete(_C).where(_C.c.id == contact_id))

    async def list_page(self, query: OffsetQuery) -> OffsetPage[Contact]:
        statement = select(_C)
        condition = search_any(query.search, _C.c.name, _C.c.number, _C.c.email, _C.c.lid)
        if condition is not None:
            statement = statement.where(condition)
        rows, total = await self._page(statement, query, _C.c.id)
        return OffsetPage([contact_of(r) for r in rows], total, query.limit, query.offset)
