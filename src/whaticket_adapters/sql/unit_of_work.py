"""The unit of work: one database transaction (one pooled connection) over every repository."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from whaticket_core.ports.outbox import EventOutbox
from whaticket_core.ports.repositories import (
    BusinessHoursRepository,
    ContactRepository,
    InboxRepository,
    MessageRepository,
    QueueRepository,
    QuickAnswerRepository,
    RefreshTokenRepository,
    ReportEventRepository,
    SettingRepository,
    TagAssignments,
    TagRepository,
    TicketRepository,
    UserRepository,
    WhatsAppRepository,
)

from .automation_repositories import SqlBusinessHoursRepository
from .conversation_repositories import SqlContactRepository, SqlMessageRepository, SqlTicketRepository
from .directory_repositories import (
    SqlQueueRepository,
    SqlQuickAnswerRepository,
    SqlRefreshTokenRepository,
    SqlSettingRepository,
    SqlUserRepository,
    SqlWhatsAppRepository,
)
from .driver_path import DriverPath
from .errors import DATABASE_ERRORS, translate
from .event_outbox import SqlEventOutbox, WebhookEventEncoder
from .inbox_repository import SqlInboxRepository
from .report_repositories import SqlReportEventRepository
from .tag_repositories import SqlTagAssignments, SqlTagRepository

# SQLite has one writer at a time; in-process transactions queue on this lock (one per database and event loop)
# instead of failing with "database is locked".
_sqlite_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _sqlite_lock(database: str) -> asyncio.Lock:
    locks = _sqlite_locks.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(database, asyncio.Lock())


class SqlUnitOfWork:
    """Implements :class:`whaticket_core.ports.unit_of_work.UnitOfWork`.

    ``async with`` checks out a connection and begins a transaction (``BEGIN IMMEDIATE`` on SQLite with the factory of
    :func:`~whaticket_adapters.sql.engine.create_session_factory`; on PostgreSQL ``BEGIN`` goes with the first
    statement); leaving without :meth:`commit` rolls back. It may be entered again once it has ended, never by two
    tasks at once: give each task its own instance.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        event_encoder: WebhookEventEncoder | None = None,
        *,
        before_begin: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """``before_begin`` runs each time a transaction is about to begin: the request's read connection is given
        back then, so a request holds one pooled connection at a time."""
        self._factory = session_factory
        # The repositories send Core statements only: a bare connection of the factory's engine runs them without
        # an ORM session's bookkeeping on every statement (the factory keeps the engine's execution options).
        bind = session_factory.kw.get("bind")
        if not isinstance(bind, AsyncEngine):
            raise TypeError("the session factory must be bound to an AsyncEngine (see create_session_factory)")
        self._engine = bind
        self._before_begin = before_begin
        self.dialect: str = bind.dialect.name
        # SQLite: SQLAlchemy's connection and transaction.
        self._connection: AsyncConnection | None = None
        # PostgreSQL: the pooled connection, its transaction held on the driver, and the hottest statements sent
        # straight to it (see driver_path); SQLAlchemy's connection is built over it only when a statement needs it.
        self.driver: DriverPath | None = None
        self._lock: asyncio.Lock | None = None
        self.tickets: TicketRepository = SqlTicketRepository(self)
        self.messages: MessageRepository = SqlMessageRepository(self)
        self.contacts: ContactRepository = SqlContactRepository(self)
        self.queues: QueueRepository = SqlQueueRepository(self)
        self.users: UserRepository = SqlUserRepository(self)
        self.whatsapps: WhatsAppRepository = SqlWhatsAppRepository(self)
        self.quick_answers: QuickAnswerRepository = SqlQuickAnswerRepository(self)
        self.settings: SettingRepository = SqlSettingRepository(self)
        self.refresh_tokens: RefreshTokenRepository = SqlRefreshTokenRepository(self)
        self.tags: TagRepository = SqlTagRepository(self)
        self.tag_assignments: TagAssignments = SqlTagAssignments(self)
        self.report_events: ReportEventRepository = SqlReportEventRepository(self)
        self.inbox: InboxRepository = SqlInboxRepository(self)
        self.business_hours: BusinessHoursRepository = SqlBusinessHoursRepository(self)
        # Webhook deliveries join this transaction; without an encoder (tools, tests) nothing is recorded.
        self.outbox: EventOutbox = SqlEventOutbox(self, event_encoder)

    @property
    def connection(self) -> AsyncConnection:
        if self.driver is not None:
            return self.driver.sqlalchemy()
        if self._connection is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._connection

    def _sqlite_database(self) -> str | None:
        # The dialect's name first: reading the engine's URL costs more, and every unit of work asks.
        if self.dialect != "sqlite":
            return None
        return str(self._engine.url.database)

    async def __aenter__(self) -> Self:
        if self._connection is not None or self.driver is not None:
            raise RuntimeError("the unit of work is already in a transaction")
        if self._before_begin is not None:
            await self._before_begin()
        if self.dialect == "postgresql":
            self.driver = await DriverPath.checkout(self._engine)
            return self
        database = self._sqlite_database()
        lock = _sqlite_lock(database) if database is not None else None
        if lock is not None:
            await lock.acquire()
        connection = self._engine.connect()
        try:
            await connection.start()
            await connection.begin()  # begins now, so the transaction spans every read of the block
        except BaseException as error:
            if connection.sync_connection is not None:  # a failed connect leaves nothing to close
                await connection.close()
            if lock is not None:
                lock.release()
            if isinstance(error, DATABASE_ERRORS):
                raise translate(error) from error
            raise
        self._connection, self._lock = connection, lock
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        driver, connection, lock = self.driver, self._connection, self._lock
        self.driver, self._connection, self._lock = None, None, None
        try:
            if driver is not None:
                await driver.close()  # safe against cancellation too (see DriverPath.close)
            elif connection is not None:
                # Shielded so a cancelled task still returns its connection to the pool in a clean state (closing
                # rolls back a transaction not committed).
                await asyncio.shield(connection.close())
        finally:
            if lock is not None:
                lock.release()

    async def commit(self) -> None:
        if self.driver is not None:
            await self.driver.commit()
            return
        try:
            await self.connection.commit()
        except DATABASE_ERRORS as error:
            raise translate(error) from error

    async def rollback(self) -> None:
        if self.driver is not None:
            await self.driver.rollback()
            return
        try:
            await self.connection.rollback()
        except DATABASE_ERRORS as error:
            raise translate(error) from error
