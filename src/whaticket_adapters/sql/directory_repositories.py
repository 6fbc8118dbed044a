"""Repositories of the company's setup: queues, users, WhatsApp connections, quick answers, settings, tokens."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row

from whaticket_core.domain.auth import RefreshToken
from whaticket_core.domain.pagination import OffsetPage, OffsetQuery
from whaticket_core.domain.queue import Queue
from whaticket_core.domain.quick_answer import QuickAnswer
from whaticket_core.domain.user import Role, User
from whaticket_core.domain.whatsapp import WhatsApp

from .base_repository import SqlRepository, search_any
from .driver_path import DriverRow
from .mapping import (
    quick_answer_of,
    refresh_token_of,
    refresh_token_values,
    user_of,
    user_values,
    whatsapp_of,
    whatsapp_values,
)
from .models import (
    QueueRow,
    QuickAnswerRow,
    RefreshTokenRow,
    SettingRow,
    UserQueueRow,
    UserRow,
    WhatsAppQueueRow,
    WhatsAppRow,
    table_of,
)

_Q = table_of(QueueRow)
_U = table_of(UserRow)
_UQ = table_of(UserQueueRow)
_W = table_of(WhatsAppRow)
_WQ = table_of(WhatsAppQueueRow)
_QA = table_of(QuickAnswerRow)
_S = table_of(SettingRow)
_RT = table_of(RefreshTokenRow)


class SqlQueueRepository(SqlRepository):
    """Queue membership (``user_ids``) is the user_queues relation, listed by user id."""

    async def _members(self, queue_ids: list[int]) -> dict[int, list[int]]:
        members: dict[int, list[int]] = defaultdict(list)
        if queue_ids:
            rows = await self._all(
                select(_UQ.c.queue_id, _UQ.c.user_id).where(_UQ.c.queue_id.in_(queue_ids)).order_by(_UQ.c.user_id)
            )
            for queue_id, user_id in rows:
                members[queue_id].append(user_id)
        return members

    async def _hydrate(self, rows: Sequence[Row[Any]]) -> list[Queue]:
        members = await self._members([r.id for r in rows])
        return [
            Queue(id=r.id, name=r.name, color=r.color, greeting_message=r.greeting_message, user_ids=members[r.id])
            for r in rows
        ]

    async def get(self, queue_id: int) -> Queue | None:
        found = await self._hydrate(await self._all(select(_Q).where(_Q.c.id == queue_id)))
        return found[0] if found else None

    async def get_many(self, queue_ids: list[int]) -> list[Queue]:
        if not queue_ids:
            return []
        by_id = {q.id: q for q in await self._hydrate(await self._all(select(_Q).where(_Q.c.id.in_(queue_ids))))}
        return [by_id[i] for i in queue_ids if i in by_id]

    async def get_by_name(self, name: str) -> Queue | None:
        rows = await self._all(select(_Q).where(func.lower(_Q.c.name) == name.lower()))
        found = await self._hydrate(rows)
        return found[0] if found else None

    async def get_by_color(self, color: str) -> Queue | None:
        found = await self._hydrate(await self._all(select(_Q).where(_Q.c.color == color)))
        return found[0] if found else None

    def _values(self, queue: Queue) -> dict[str, object]:
        return {"name": queue.name, "color": queue.color, "greeting_message": queue.greeting_message}

    async def add(self, queue: Queue) -> Queue:
        result = await self._execute(insert(_Q).values(self._values(queue)).returning(_Q.c.id))
        queue.id = result.scalar_one()
        await self._set_members(queue)
        return queue

    async def save(self, queue: Queue) -> None:
        await self._execute(update(_Q).where(_Q.c.id == queue.id).values(self._values(queue)))
        await self._set_members(queue)

    async def _set_members(self, queue: Queue) -> None:
        await self._execute(delete(_UQ).where(_UQ.c.queue_id == queue.id))
        if queue.user_ids:
            rows = [{"queue_id": queue.id, "user_id": u} for u in dict.fromkeys(queue.user_ids)]
            await self._execute(insert(_UQ), rows)

    async def delete(self, queue_id: int) -> None:
        # Memberships and connection links go with it; its tickets lose the queue (foreign key actions).
        await self._execute(delete(_Q).where(_Q.c.id == queue_id))

    async def list_page(self, query: OffsetQuery) -> OffsetPage[Queue]:
        statement = select(_Q)
        condition = search_any(query.search, _Q.c.name)
        if condition is not None:
            statement = statement.where(condition)
        rows, total = await self._page(statement, query, _Q.c.id)
        return OffsetPage(await self._hydrate(rows), total, query.limit, query.offset)


# Key of the advisory lock behind ``lock_roles`` (any constant of our own; 0x77_68_74 is "wht").
ROLES_LOCK_KEY = 0x776874_0001


class SqlUserRepository(SqlRepository):
    """``queue_ids`` is the user_queues relation, listed by queue id."""

    async def _hydrate(self, rows: Sequence[Row[Any]]) -> list[User]:
        ids = [r.id for r in rows]
        queues: dict[int, list[int]] = defaultdict(list)
        if ids:
            links = await self._all(
                select(_UQ.c.user_id, _UQ.c.queue_id).where(_UQ.c.user_id.in_(ids)).order_by(_UQ.c.queue_id)
            )
            for user_id, queue_id in links:
                queues[user_id].append(queue_id)
        return [user_of(r, queues[r.id]) for r in rows]

    async def get(self, user_id: int) -> User | None:
        found = await self._hydrate(await self._all(select(_U).where(_U.c.id == user_id)))
        return found[0] if found else None

    async def get_by_email(self, email: str) -> User | None:
        found = await self._hydrate(await self._all(select(_U).where(_U.c.email == email)))
        return found[0] if found else None

    async def add(self, user: User) -> User:
        result = await self._execute(insert(_U).values(user_values(user)).returning(_U.c.id))
        user.id = result.scalar_one()
        await self._set_queues(user)
        return user

    async def save(self, user: User) -> None:
        await self._execute(update(_U).where(_U.c.id == user.id).values(user_values(user)))
        await self._set_queues(user)

    async def _set_queues(self, user: User) -> None:
        await self._execute(delete(_UQ).where(_UQ.c.user_id == user.id))
        if user.queue_ids:
            rows = [{"user_id": user.id, "queue_id": q} for q in dict.fromkeys(user.queue_ids)]
            await self._execute(insert(_UQ), rows)

    async def delete(self, user_id: int) -> None:
        await self._execute(delete(_U).where(_U.c.id == user_id))

    async def lock_for_assignment(self, user_ids: list[int]) -> list[User]:
        if not user_ids:
            return []
        statement = select(_U).where(_U.c.id.in_(user_ids)).order_by(_U.c.id)
        # SQLite: BEGIN IMMEDIATE already serialises writers (see lock_roles).
        if self._dialect == "postgresql":
            statement = statement.with_for_update(of=_U)
        return await self._hydrate(await self._all(statement))

    async def lock_roles(self) -> None:
        # PostgreSQL: a transaction-scoped advisory lock (released at commit or rollback); under READ COMMITTED the
        # counts that follow run after it is granted, so they see whatever the previous holder committed.
        # SQLite: units of work already BEGIN IMMEDIATE, which holds the database's single write lock throughout.
        if self._dialect == "postgresql":
            await self._execute(select(func.pg_advisory_xact_lock(ROLES_LOCK_KEY)))

    async def count(self) -> int:
        return int((await self._execute(select(func.count()).select_from(_U))).scalar_one())

    async def count_admins(self) -> int:
        statement = select(func.count()).select_from(_U).where(_U.c.role == Role.ADMIN.value)
        return int((await self._execute(statement)).scalar_one())

    async def list_page(self, query: OffsetQuery) -> OffsetPage[User]:
        statement = select(_U)
        condition = search_any(query.search, _U.c.name, _U.c.email)
        if condition is not None:
            statement = statement.where(condition)
        rows, total = await self._page(statement, query, _U.c.id)
        return OffsetPage(await self._hydrate(rows), total, query.limit, query.offset)


# PostgreSQL (driver path): the connection with its queue ids in saved order (an aggregate over no rows is null).
# Columns listed, never `*`: a column added by a migration must not change a statement prepared before it.
_PG_WITH_QUEUES = (
    f"SELECT {', '.join(f'w.{column.name}' for column in _W.columns)}, (SELECT array_agg(q.queue_id ORDER BY"
    " q.position) FROM whatsapp_queues q WHERE q.whatsapp_id = w.id) AS queue_ids,"
    # The active webhooks ride along for the event outbox (see DriverPath.active_webhooks): every inbound message
    # reads its connection first and records its events last, so this saves it a round trip.
    " ARRAY(SELECT ROW(h.id, h.events) FROM webhooks h WHERE h.active ORDER BY h.id) AS active_webhooks"
    " FROM whatsapps w WHERE w.id = $1"
)


class SqlWhatsAppRepository(SqlRepository):
    """``queue_ids`` keeps the order it was saved in (the routing bot numbers its menu by it)."""

    async def _hydrate(self, rows: Sequence[Row[Any]]) -> list[WhatsApp]:
        ids = [r.id for r in rows]
        queues: dict[int, list[int]] = defaultdict(list)
        if ids:
            links = await self._all(
                select(_WQ.c.whatsapp_id, _WQ.c.queue_id)
                .where(_WQ.c.whatsapp_id.in_(ids))
                .order_by(_WQ.c.whatsapp_id, _WQ.c.position)
            )
            for whatsapp_id, queue_id in links:
                queues[whatsapp_id].append(queue_id)
        return [whatsapp_of(r, queues[r.id]) for r in rows]

    async def _first(self, statement: Select[Any]) -> WhatsApp | None:
        found = await self._hydrate(await self._all(statement))
        return found[0] if found else None

    async def get(self, whatsapp_id: int, *, for_update: bool = False) -> WhatsApp | None:
        if (driver := self._uow.driver) is not None:
            # One round trip: every inbound message reads its connection and queues.
            record = await driver.fetchrow(_PG_WITH_QUEUES + (" FOR UPDATE OF w" if for_update else ""), whatsapp_id)
            if record is None:
                return None
            driver.active_webhooks = record["active_webhooks"]
            return whatsapp_of(DriverRow(record), list(record["queue_ids"] or ()))  # type: ignore[arg-type]
        statement = select(_W).where(_W.c.id == whatsapp_id)
        if for_update:
            statement = statement.with_for_update()
        return await self._first(statement)

    async def get_default(self) -> WhatsApp | None:
        return await self._first(select(_W).where(_W.c.is_default.is_(True)))

    async def get_by_name(self, name: str) -> WhatsApp | None:
        return await self._first(select(_W).where(func.lower(_W.c.name) == name.lower()))

    async def add(self, whatsapp: WhatsApp) -> WhatsApp:
        result = await self._execute(insert(_W).values(whatsapp_values(whatsapp)).returning(_W.c.id))
        whatsapp.id = result.scalar_one()
        await self._set_queues(whatsapp)
        return whatsapp

    async def save(self, whatsapp: WhatsApp) -> None:
        await self._execute(update(_W).where(_W.c.id == whatsapp.id).values(whatsapp_values(whatsapp)))
        await self._set_queues(whatsapp)

    async def _set_queues(self, whatsapp: WhatsApp) -> None:
        await self._execute(delete(_WQ).where(_WQ.c.whatsapp_id == whatsapp.id))
        if whatsapp.queue_ids:
            rows = [
                {"whatsapp_id": whatsapp.id, "queue_id": q, "position": i}
                for i, q in enumerate(dict.fromkeys(whatsapp.queue_ids))
            ]
            await self._execute(insert(_WQ), rows)

    async def delete(self, whatsapp_id: int) -> None:
        # Its tickets and messages go with it; users bound to it lose the binding (foreign key actions).
        await self._execute(delete(_W).where(_W.c.id == whatsapp_id))

    async def list_page(self, query: OffsetQuery) -> OffsetPage[WhatsApp]:
        statement = select(_W)
        condition = search_any(query.search, _W.c.name, _W.c.number)
        if condition is not None:
            statement = statement.where(condition)
        rows, total = await self._page(statement, query, _W.c.id)
        return OffsetPage(await self._hydrate(rows), total, query.limit, query.offset)

    async def list_all(self) -> list[WhatsApp]:
        return await self._hydrate(await self._all(select(_W).order_by(_W.c.id)))


class SqlQuickAnswerRepository(SqlRepository):
    async def get(self, quick_answer_id: int) -> QuickAnswer | None:
        row = await self._one(select(_QA).where(_QA.c.id == quick_answer_id))
        return None if row is None else quick_answer_of(row)

    async def get_by_shortcut(self, shortcut: str) -> QuickAnswer | None:
        row = await self._one(select(_QA).where(func.lower(_QA.c.shortcut) == shortcut.lower()))
        return None if row is None else quick_answer_of(row)

    async def add(self, quick_answer: QuickAnswer) -> QuickAnswer:
        values = {"shortcut": quick_answer.shortcut, "message": quick_answer.message}
        result = await self._execute(insert(_QA).values(values).returning(_QA.c.id))
        quick_answer.id = result.scalar_one()
        return quick_answer

    async def save(self, quick_answer: QuickAnswer) -> None:
        values = {"shortcut": quick_answer.shortcut, "message": quick_answer.message}
        await self._execute(update(_QA).where(_QA.c.id == quick_answer.id).values(values))

    async def delete(self, quick_answer_id: int) -> None:
        await self._execute(delete(_QA).where(_QA.c.id == quick_answer_id))

    async def list_page(self, query: OffsetQuery) -> OffsetPage[QuickAnswer]:
        statement = select(_QA)
        condition = search_any(query.search, _QA.c.shortcut, _QA.c.message)
        if condition is not None:
            statement = statement.where(condition)
        rows, total = await self._page(statement, query, _QA.c.id)
        return OffsetPage([quick_answer_of(r) for r in rows], total, query.limit, query.offset)


class SqlSettingRepository(SqlRepository):
    async def get(self, key: str) -> str | None:
        row = await self._one(select(_S.c.value).where(_S.c.key == key))
        return None if row is None else str(row[0])

    async def set(self, key: str, value: str) -> None:
        upsert = pg_insert(_S) if self._dialect == "postgresql" else sqlite_insert(_S)
        statement = upsert.values(key=key, value=value).on_conflict_do_update(
            index_elements=[_S.c.key], set_={"value": value}
        )
        await self._execute(statement)

    async def all(self) -> dict[str, str]:
        return {key: value for key, value in await self._all(select(_S.c.key, _S.c.value).order_by(_S.c.key))}


class SqlRefreshTokenRepository(SqlRepository):
    async def get(self, token_id: str, *, for_update: bool = False) -> RefreshToken | None:
        statement = select(_RT).where(_RT.c.token_id == token_id)
        if for_update:
            statement = statement.with_for_update()
        row = await self._one(statement)
        return None if row is None else refresh_token_of(row)

    async def add(self, token: RefreshToken) -> None:
        await self._execute(insert(_RT).values(refresh_token_values(token)))

    async def save(self, token: RefreshToken) -> None:
        values = refresh_token_values(token)
        await self._execute(update(_RT).where(_RT.c.token_id == token.token_id).values(values))

    async def revoke_family(self, family_id: str) -> None:
        await self._execute(update(_RT).where(_RT.c.family_id == family_id).values(revoked=True))

    async def revoke_all_of_user(self, user_id: int) -> None:
        await self._execute(update(_RT).where(_RT.c.user_id == user_id).values(revoked=True))
