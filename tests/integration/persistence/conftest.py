"""The ``backend`` fixture: the same contract tests run against the in-memory fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from whaticket_adapters.sql.database import (
    EncodedEvent,
    SqlApiTokenStore,
    SqlAuthUserQueries,
    SqlContactQueries,
    SqlMessageQueries,
    SqlReportQueries,
    SqlTicketQueries,
    SqlUnitOfWork,
    SqlWebhookStore,
    create_session_factory,
)
from whaticket_core.domain.events import DomainEvent, WhatsAppStatusChanged
from whaticket_core.domain.webhooks import WebhookDelivery
from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp
from whaticket_core.ports.unit_of_work import UnitOfWork
from whaticket_core.testing import (
    InMemoryApiTokenStore,
    InMemoryAuthUserQueries,
    InMemoryContactQueries,
    InMemoryMessageQueries,
    InMemoryReportQueries,
    InMemoryStore,
    InMemoryTicketQueries,
    InMemoryUnitOfWork,
)
from whaticket_core.testing.webhooks import InMemoryWebhookStore


@dataclass
class Backend:
    name: str
    new_uow: Callable[[], UnitOfWork]
    tickets: Any  # TicketQueries & TicketCounter
    messages: Any  # MessageQueries
    auth_users: Any  # AuthUserQueries
    reports: Any  # ReportQueries
    api_tokens: Any  # ApiTokenStore
    webhooks: Any  # WebhookRepository & WebhookDeliveryQueue
    # Writes one event of stream ``stream`` through the outbox (the fake: straight into its store).
    emit: Callable[..., Awaitable[None]]  # (stream, *, after_connection_read=False)
    contacts: Any  # ContactQueries


@pytest.fixture(params=["memory", "sqlite", "postgres"])
async def backend(
    request: pytest.FixtureRequest, sqlite_engine: AsyncEngine, pg_engine: AsyncEngine, db_reset: Any
) -> Backend:
    if request.param == "memory":
        store = InMemoryStore()
        webhooks = InMemoryWebhookStore()

        async def emit_fake(stream: int, *, after_connection_read: bool = False) -> None:
            now = datetime.now(UTC)
            for hook in webhooks.webhooks.values():
                if hook.active and hook.wants("whatsapp.connection"):
                    webhooks.add_delivery(
                        WebhookDelivery(hook.id, "e", "whatsapp.connection", f"s:{stream}", "{}", now, now)
                    )

        return Backend(
            "memory",
            lambda: InMemoryUnitOfWork(store),
            InMemoryTicketQueries(store),
            InMemoryMessageQueries(store),
            InMemoryAuthUserQueries(store),
            InMemoryReportQueries(store),
            InMemoryApiTokenStore(),
            webhooks,
            emit_fake,
            InMemoryContactQueries(store),
        )
    engine = sqlite_engine if request.param == "sqlite" else pg_engine
    await db_reset(engine)
    sessions = create_session_factory(engine)

    async def emit(stream: int, *, after_connection_read: bool = False) -> None:
        async with SqlUnitOfWork(sessions, StreamEncoder()) as uow:
            if after_connection_read:  # on PostgreSQL the active webhooks come with the connection (driver path)
                connection = await uow.whatsapps.add(
                    WhatsApp(f"Stream {stream}", ConnectionStatus.CONNECTED, False, datetime.now(UTC))
                )
                assert await uow.whatsapps.get(connection.id) is not None
            await uow.outbox.record([WhatsAppStatusChanged(stream, ConnectionStatus.CONNECTED, None)])
            await uow.commit()

    return Backend(
        request.param,
        lambda: SqlUnitOfWork(sessions),
        SqlTicketQueries(engine),
        SqlMessageQueries(engine),
        SqlAuthUserQueries(engine),
        SqlReportQueries(engine),
        SqlApiTokenStore(engine),
        SqlWebhookStore(engine),
        emit,
        SqlContactQueries(engine),
    )


class StreamEncoder:
    """A webhook encoder for store tests: a connection event becomes one event of stream ``s:<id>``."""

    def encode(self, event: DomainEvent) -> list[EncodedEvent]:
        assert isinstance(event, WhatsAppStatusChanged)
        return [EncodedEvent("whatsapp.connection", f"s:{event.whatsapp_id}", f'{{"n":{event.whatsapp_id}}}')]
