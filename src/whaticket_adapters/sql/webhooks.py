"""Webhook subscriptions and the dispatcher's side of their outbox: short statements and transactions of their own
(never one held while a receiver is waited for)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, exists, func, insert, or_, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from whaticket_core.domain.webhooks import ClaimedDelivery, DeliveryStatus, Webhook, WebhookDelivery
from whaticket_core.ports.webhooks import AttemptResult

from .engine_statements import EngineStatements
from .errors import DATABASE_ERRORS, translate
from .models import table_of
from .models_integrations import WebhookDeliveryRow, WebhookRow

_W = table_of(WebhookRow)
_D = table_of(WebhookDeliveryRow)
_E = aliased(_D, name="earlier")
_PENDING = DeliveryStatus.PENDING.value


def _webhook_of(row: Row[Any]) -> Webhook:
    return Webhook(
        id=row.id,
        url=row.url,
        events=frozenset(row.events.split()),
        secret=row.secret,
        description=row.description,
        active=row.active,
        consecutive_failures=row.consecutive_failures,
        created_at=row.created_at,
    )


def _delivery_of(row: Row[Any]) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.id,
        webhook_id=row.webhook_id,
        event_id=row.event_id,
        event=row.event,
        stream=row.stream,
        data=row.data,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        status=DeliveryStatus(row.status),
        attempt=row.attempt,
        response_status=row.response_status,
        duration_ms=row.duration_ms,
        response_excerpt=row.response_excerpt,
        last_attempt_at=row.last_attempt_at,
        actor=row.actor,
    )


def _webhook_values(webhook: Webhook) -> dict[str, Any]:
    return {
        "url": webhook.url,
        "events": " ".join(sorted(webhook.events)),
        "secret": webhook.secret,
        "description": webhook.description,
        "active": webhook.active,
        "consecutive_failures": webhook.consecutive_failures,
        "created_at": webhook.created_at,
    }


# The head of each stream: no earlier pending delivery of the same webhook and stream.
_IS_HEAD = ~exists(
    select(_E.c.id).where(
        _E.c.webhook_id == _D.c.webhook_id,
        _E.c.stream == _D.c.stream,
        _E.c.status == _PENDING,
        _E.c.id < _D.c.id,
    )
)
_ACTIVE_PENDING = and_(_D.c.status == _PENDING, _W.c.active.is_(True))


class SqlWebhookStore(EngineStatements):
    """Implements :class:`~whaticket_core.ports.webhooks.WebhookRepository` and
    :class:`~whaticket_core.ports.webhooks.WebhookDeliveryQueue`.

    Claims are one ``UPDATE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED)`` on PostgreSQL, so concurrent
    dispatchers never take the same delivery; on SQLite the statement runs under the database's single write lock.
    """

    async def _write(self, *statements: Any) -> list[Any]:
        try:
            async with self._engine.begin() as conn:
                return [await conn.execute(s) for s in statements]
        except DATABASE_ERRORS as error:
            raise translate(error) from error

    async def add(self, webhook: Webhook) -> Webhook:
        (result,) = await self._write(insert(_W).values(_webhook_values(webhook)).returning(_W.c.id))
        webhook.id = int(result.scalar_one())
        return webhook

    async def get(self, webhook_id: int) -> Webhook | None:
        rows = await self._rows(select(_W).where(_W.c.id == bindparam("id")), {"id": webhook_id})
        return _webhook_of(rows[0]) if rows else None

    async def list_all(self) -> list[Webhook]:
        return [_webhook_of(r) for r in await self._rows(select(_W).order_by(_W.c.id.desc()), {})]

    async def save(self, webhook: Webhook) -> None:
        await self._write(update(_W).where(_W.c.id == webhook.id).values(_webhook_values(webhook)))

    async def delete(self, webhook_id: int) -> bool:
        # Deliveries first: SQLite enforces the cascade only with foreign keys on, and this must not depend on it.
        _, result = await self._write(
            delete(_D).where(_D.c.webhook_id == webhook_id), delete(_W).where(_W.c.id == webhook_id)
        )
        return bool(result.rowcount)

    async def list_deliveries(self, webhook_id: int, limit: int, before_id: int | None) -> list[WebhookDelivery]:
        query = select(_D).where(_D.c.webhook_id == webhook_id)
        if before_id is not None:
            query = query.where(_D.c.id < before_id)
        rows = await self._rows(query.order_by(_D.c.id.desc()).limit(limit), {})
        return [_delivery_of(r) for r in rows]

    async def redeliver(self, webhook_id: int, delivery_id: int, at: datetime) -> bool:
        (result,) = await self._write(
            update(_D)
            .where(_D.c.id == delivery_id, _D.c.webhook_id == webhook_id)
            .values(status=_PENDING, next_attempt_at=at, claimed_until=None)
        )
        return bool(result.rowcount)

    async def claim_due(self, now: datetime, limit: int, lease: timedelta) -> list[ClaimedDelivery]:
        due = (
            select(_D.c.id)
            .select_from(_D.join(_W, _W.c.id == _D.c.webhook_id))
            .where(
                _ACTIVE_PENDING,
                _D.c.next_attempt_at <= now,
                or_(_D.c.claimed_until.is_(None), _D.c.claimed_until <= now),
                _IS_HEAD,
            )
            .order_by(_D.c.id)
            .limit(limit)
        )
        if self._engine.dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True, of=_D)
        claim = update(_D).where(_D.c.id.in_(due.scalar_subquery())).values(claimed_until=now + lease)
        try:
            async with self._engine.begin() as conn:
                ids = [r.id for r in (await conn.execute(claim.returning(_D.c.id))).all()]
                return await self._claimed(conn, ids)
        except DATABASE_ERRORS as error:
            raise translate(error) from error

    async def _claimed(self, conn: AsyncConnection, ids: list[int]) -> list[ClaimedDelivery]:
        if not ids:
            return []
        query = (
            select(_D, _W.c.url, _W.c.secret)
            .select_from(_D.join(_W, _W.c.id == _D.c.webhook_id))
            .where(_D.c.id.in_(ids))
            .order_by(_D.c.id)
        )
        return [ClaimedDelivery(_delivery_of(r), r.url, r.secret) for r in (await conn.execute(query)).all()]

    async def record_attempt(self, result: AttemptResult, max_failures: int) -> None:
        d = result.delivery
        record = (
            update(_D)
            .where(_D.c.id == d.id)
            .values(
                status=d.status.value,
                attempt=d.attempt,
                next_attempt_at=d.next_attempt_at,
                claimed_until=None,
                response_status=d.response_status,
                duration_ms=d.duration_ms,
                response_excerpt=d.response_excerpt,
                last_attempt_at=d.last_attempt_at,
            )
        )
        if result.succeeded:
            count = update(_W).where(_W.c.id == d.webhook_id).values(consecutive_failures=0)
        else:
            failures = _W.c.consecutive_failures + 1
            count = (
                update(_W)
                .where(_W.c.id == d.webhook_id)
                .values(
                    consecutive_failures=failures,
                    active=case((failures >= max_failures, False), else_=_W.c.active),
                )
            )
        await self._write(record, count)

    async def purge_finished(self, before: datetime, limit: int) -> int:
        old = (
            select(_D.c.id)
            .where(_D.c.created_at < before, _D.c.status != _PENDING)
            .order_by(_D.c.created_at)
            .limit(limit)
        )
        (result,) = await self._write(delete(_D).where(_D.c.id.in_(old.scalar_subquery())))
        return int(result.rowcount)

    async def next_due(self) -> datetime | None:
        # A claimed head is due again when its claim ends, not before.
        when = case(
            (and_(_D.c.claimed_until.is_not(None), _D.c.claimed_until > _D.c.next_attempt_at), _D.c.claimed_until),
            else_=_D.c.next_attempt_at,
        )
        query = (
            select(func.min(when)).select_from(_D.join(_W, _W.c.id == _D.c.webhook_id)).where(_ACTIVE_PENDING, _IS_HEAD)
        )
        rows = await self._rows(query, {})
        value = rows[0][0] if rows else None
        return value if value is None or isinstance(value, datetime) else None
