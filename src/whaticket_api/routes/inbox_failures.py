"""/whatsapps/:id/inbox-failures: inbound WhatsApp events whose processing failed, kept for an admin to see and retry
(the durable inbox: nothing WhatsApp delivered is dropped)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import get, post

from whaticket_core.domain.inbox import InboxEntry, InboxKind
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.inbound.inbox import (
    ListInboxFailures,
    ListInboxFailuresCommand,
    RetryInboxFailure,
    RetryInboxFailureCommand,
)

from .common import AUTHED, Cursor, Limit, PathId, errors


class InboxFailureOut(msgspec.Struct, rename="camel"):
    id: int
    received_at: datetime
    kind: InboxKind
    error: str | None
    attempts: int


class InboxFailurePage(msgspec.Struct, rename="camel"):
    items: list[InboxFailureOut]
    next_cursor: str | None


class RetryAccepted(msgspec.Struct, rename="camel"):
    status: str = "accepted"


def failure_out(entry: InboxEntry) -> InboxFailureOut:
    return InboxFailureOut(entry.id, entry.received_at, entry.kind, entry.error, entry.attempts)


@get("/{whatsapp_id:int}/inbox-failures", responses=errors(*AUTHED, 403, 404))
async def list_inbox_failures(
    whatsapp_id: PathId,
    viewer: FromDishka[Viewer],
    use_case: FromDishka[ListInboxFailures],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> InboxFailurePage:
    """Inbound events of the connection (messages, edits, deletions, receipts, reactions, calls) whose processing
    failed after its retries, newest first (admin). `kind` says what WhatsApp delivered, `error` why it failed."""
    page = await use_case.execute(ListInboxFailuresCommand(viewer, whatsapp_id, limit, cursor or None))
    return InboxFailurePage([failure_out(e) for e in page.items], page.next_cursor)


@post("/{whatsapp_id:int}/inbox-failures/{failure_id:int}/retry", status_code=202, responses=errors(*AUTHED, 403, 404))
async def retry_inbox_failure(
    whatsapp_id: PathId, failure_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[RetryInboxFailure]
) -> RetryAccepted:
    """Process a failed inbound event again, in the background (admin). It is stored once whatever happens: the
    event keeps its WhatsApp id. 404 `inbox_failure_not_found` unless it is a failed event of that connection."""
    await use_case.execute(RetryInboxFailureCommand(viewer, whatsapp_id, failure_id))
    return RetryAccepted()


router = DishkaRouter("/whatsapps", tags=["whatsapps"], route_handlers=[list_inbox_failures, retry_inbox_failure])
