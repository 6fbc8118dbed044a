"""The plain baseline of the hot reads: what the same work costs written directly, without the project's layers.

A minimal Litestar app on an asyncpg pool with msgspec answers, for the agent's hot reads, exactly what
``whaticket serve`` answers (byte for byte; ``ab_hot_reads.py`` checks before it times anything):

- ``GET /api/v1/tickets?status=open&limit=N``, ``GET /api/v1/tickets/counts``, ``GET /api/v1/messages?ticketId=&limit=``
  and ``GET /api/v1/contacts?limit=&offset=``;
- each behind the same bearer check: the JWT decoded with PyJWT (HS256, same claims required), then the user and its
  queues read by one statement, the token version compared;
- the same SQL as the query adapters send, the ticket's visibility checked before its messages are listed.

Nothing else: no error mapping beyond 401/404, no search, no cursors on input, no request log, no metrics. Run by
``ab_hot_reads.py`` as ``uvicorn plain_baseline:app_from_env --factory`` with ``DATABASE_URL`` and ``JWT_SECRET``.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Annotated, Any

import asyncpg
import jwt
import msgspec
from litestar import Litestar, Request, get
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import Parameter

from whaticket_core.domain.pagination import encode_cursor

USER = """SELECT users.id, users.role, users.token_version, user_queues.queue_id
FROM users LEFT OUTER JOIN user_queues ON user_queues.user_id = users.id
WHERE users.id = $1::BIGINT ORDER BY user_queues.queue_id"""
TICKET_COLUMNS = """tickets.id, tickets.status, tickets.whatsapp_id, tickets.queue_id, tickets.user_id,
tickets.unread_messages, tickets.last_message, tickets.last_message_at, tickets.is_group, tickets.created_at,
tickets.updated_at, tickets.closed_at, tickets.rating, contacts.id, contacts.name, contacts.number,
contacts.profile_pic_url, contacts.is_group, contacts.lid"""
AGENT_SEES = """(tickets.user_id = $1::BIGINT OR tickets.queue_id = ANY ($2::BIGINT[])
OR tickets.queue_id IS NULL AND tickets.status = 'pending')"""
TICKET_LIST = f"""SELECT {TICKET_COLUMNS} FROM tickets JOIN contacts ON contacts.id = tickets.contact_id
WHERE {AGENT_SEES} AND tickets.status = $3::VARCHAR
ORDER BY tickets.updated_at DESC, tickets.id DESC LIMIT $4::INTEGER"""
TICKET_COUNTS = f"SELECT tickets.status, count(*) FROM tickets WHERE {AGENT_SEES} GROUP BY tickets.status"
ONE_TICKET = f"""SELECT {TICKET_COLUMNS} FROM tickets JOIN contacts ON contacts.id = tickets.contact_id
WHERE tickets.id = $1::BIGINT"""
MESSAGE_PAGE = """SELECT messages.id, messages.ticket_id, messages.contact_id, messages.from_me, messages.body,
messages.ack, messages.media_type, messages.media_key IS NOT NULL, messages.quoted_message_id, messages.is_edited,
messages.is_deleted, messages.error, messages.created_at, messages.participant, messages.participant_name,
messages.undecryptable, messages.reactions, messages.user_id, messages.send_at, messages.error_kind
FROM messages WHERE messages.ticket_id = $1::BIGINT ORDER BY messages.id DESC LIMIT $2::INTEGER"""
CONTACT_PAGE = """SELECT contacts.id, contacts.name, contacts.number, contacts.lid, contacts.email,
contacts.profile_pic_url, contacts.is_group, contacts.extra_info, contacts.created_at,
(SELECT count(*) FROM contacts) FROM contacts ORDER BY contacts.id LIMIT $1::INTEGER OFFSET $2::INTEGER"""
TICKET_TAGS = """SELECT ticket_tags.ticket_id, tags.id, tags.name, tags.color
FROM ticket_tags JOIN tags ON tags.id = ticket_tags.tag_id
WHERE ticket_tags.ticket_id = ANY ($1::BIGINT[]) ORDER BY lower(tags.name), tags.id"""
CONTACT_TAGS = """SELECT contact_tags.contact_id, tags.id, tags.name, tags.color
FROM contact_tags JOIN tags ON tags.id = contact_tags.tag_id
WHERE contact_tags.contact_id = ANY ($1::BIGINT[]) ORDER BY lower(tags.name), tags.id"""


class ContactSummary(msgspec.Struct, rename="camel"):
    id: int
    name: str
    number: str | None
    profile_pic_url: str | None
    is_group: bool
    lid: str | None = None


class Tag(msgspec.Struct):
    id: int
    name: str
    color: str


class Ticket(msgspec.Struct, rename="camel"):
    id: int
    status: str
    contact: ContactSummary
    whatsapp_id: int
    queue_id: int | None
    user_id: int | None
    unread_messages: int
    last_message: str
    last_message_at: datetime | None
    is_group: bool
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    tags: list[Tag]
    rating: int | None


class TicketPage(msgspec.Struct, rename="camel"):
    items: list[Ticket]
    next_cursor: str | None


class Counts(msgspec.Struct):
    pending: int
    open: int
    closed: int


class Reaction(msgspec.Struct, rename="camel"):
    emoji: str
    from_me: bool
    at: datetime


class Message(msgspec.Struct, rename="camel"):
    id: int
    ticket_id: int
    contact_id: int
    from_me: bool
    body: str
    ack: str
    media_type: str | None
    media_url: str | None
    quoted_message_id: int | None
    is_edited: bool
    is_deleted: bool
    error: str | None
    created_at: datetime
    participant: str | None = None
    participant_name: str | None = None
    undecryptable: bool = False
    reactions: list[Reaction] = []
    user_id: int | None = None
    send_at: datetime | None = None
    error_kind: str | None = None


class MessagePage(msgspec.Struct, rename="camel"):
    items: list[Message]
    next_cursor: str | None


class ExtraInfo(msgspec.Struct):
    name: str
    value: str


class Contact(msgspec.Struct, rename="camel"):
    id: int
    name: str
    number: str | None
    email: str | None
    profile_pic_url: str | None
    is_group: bool
    extra_info: list[ExtraInfo]
    created_at: datetime
    lid: str | None = None
    tags: list[Tag] = []


class ContactPage(msgspec.Struct):
    items: list[Contact]
    total: int
    limit: int
    offset: int


class Caller(msgspec.Struct):
    user_id: int
    staff: bool
    queue_ids: list[int]


def _tags(rows: Any) -> dict[int, list[Tag]]:
    tags: dict[int, list[Tag]] = {}
    for owner, tag_id, name, color in rows:
        tags.setdefault(owner, []).append(Tag(tag_id, name, color))
    return tags


def _ticket(r: Any, tags: dict[int, list[Tag]]) -> Ticket:
    contact = ContactSummary(r[13], r[14], r[15], r[16], r[17], r[18])
    return Ticket(r[0], r[1], contact, *r[2:12], tags.get(r[0], []), r[12])


def _reaction(x: dict[str, Any]) -> Reaction:
    at = datetime.fromisoformat(x["at"])
    return Reaction(x["emoji"], bool(x["fromMe"]), at if at.tzinfo else at.replace(tzinfo=UTC))


def _message(r: Any) -> Message:
    media_url = f"/api/v1/messages/{r[0]}/media" if r[7] else None
    body = "" if r[10] else r[4]
    reactions = [_reaction(x) for x in r[16] or ()]
    error_kind = r[19] if r[5] == "failed" else None
    return Message(*r[0:4], body, r[5], r[6], media_url, *r[8:15], bool(r[15]), reactions, r[17], r[18], error_kind)


def _contact(r: Any, tags: dict[int, list[Tag]]) -> Contact:
    extra = [ExtraInfo(e["name"], e["value"]) for e in r[7] or ()]
    return Contact(r[0], r[1], r[2], r[4], r[5], r[6], extra, r[8], r[3], tags.get(r[0], []))


async def _json_codecs(conn: asyncpg.Connection) -> None:
    for kind in ("json", "jsonb"):
        await conn.set_type_codec(
            kind, encoder=lambda v: msgspec.json.encode(v).decode(), decoder=msgspec.json.decode, schema="pg_catalog"
        )


def app_from_env() -> Litestar:
    secret = os.environ["JWT_SECRET"]
    dsn = os.environ["DATABASE_URL"]
    pools: list[asyncpg.Pool] = []

    async def start() -> None:
        pools.append(await asyncpg.create_pool(dsn, min_size=10, max_size=20, init=_json_codecs))

    async def stop() -> None:
        await pools[0].close()

    async def caller(request: Request[Any, Any, Any], conn: asyncpg.Connection) -> Caller:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        try:
            claims = jwt.decode(
                token.strip(),
                secret,
                algorithms=["HS256"],
                issuer="whaticket",
                options={"require": ["exp", "sub", "typ", "iss", "ver"]},
            )
        except jwt.PyJWTError:
            raise NotAuthorizedException() from None
        if scheme.lower() != "bearer" or claims["typ"] != "access":
            raise NotAuthorizedException()
        rows = await conn.fetch(USER, int(claims["sub"]))
        if not rows or rows[0][2] != claims["ver"]:
            raise NotAuthorizedException()
        return Caller(rows[0][0], rows[0][1] != "user", [r[3] for r in rows if r[3] is not None])

    def agent_only(who: Caller) -> None:
        if who.staff:  # the baseline serves the agent's reads only (the staff's SQL has no visibility filter)
            raise NotAuthorizedException()

    @get("/api/v1/tickets")
    async def tickets(request: Request[Any, Any, Any], status: str, limit: int = 20) -> TicketPage:
        async with pools[0].acquire() as conn:
            who = await caller(request, conn)
            agent_only(who)
            rows = await conn.fetch(TICKET_LIST, who.user_id, who.queue_ids, status, limit + 1)
            tags = _tags(await conn.fetch(TICKET_TAGS, [r[0] for r in rows])) if rows else {}
        items = [_ticket(r, tags) for r in rows[:limit]]
        more = len(rows) > limit
        return TicketPage(items, encode_cursor(items[-1].updated_at.isoformat(), items[-1].id) if more else None)

    @get("/api/v1/tickets/counts")
    async def counts(request: Request[Any, Any, Any]) -> Counts:
        async with pools[0].acquire() as conn:
            who = await caller(request, conn)
            agent_only(who)
            found = dict(await conn.fetch(TICKET_COUNTS, who.user_id, who.queue_ids))
        return Counts(found.get("pending", 0), found.get("open", 0), found.get("closed", 0))

    @get("/api/v1/messages")
    async def messages(
        request: Request[Any, Any, Any], ticket_id: Annotated[int, Parameter(query="ticketId")], limit: int = 20
    ) -> MessagePage:
        async with pools[0].acquire() as conn:
            who = await caller(request, conn)
            agent_only(who)
            ticket = await conn.fetchrow(ONE_TICKET, ticket_id)
            visible = ticket is not None and (
                ticket[4] == who.user_id or ticket[3] in who.queue_ids or (ticket[3] is None and ticket[1] == "pending")
            )
            if not visible:
                raise NotFoundException()
            rows = await conn.fetch(MESSAGE_PAGE, ticket_id, limit + 1)
        items = [_message(r) for r in rows[:limit]]
        more = len(rows) > limit
        return MessagePage(items, encode_cursor(items[-1].id) if more else None)

    @get("/api/v1/contacts")
    async def contacts(request: Request[Any, Any, Any], limit: int = 20, offset: int = 0) -> ContactPage:
        async with pools[0].acquire() as conn:
            await caller(request, conn)
            rows = await conn.fetch(CONTACT_PAGE, limit, offset)
            tags = _tags(await conn.fetch(CONTACT_TAGS, [r[0] for r in rows])) if rows else {}
        items = [_contact(r, tags) for r in rows]
        return ContactPage(items, rows[0][9] if rows else 0, limit, offset)

    return Litestar(
        route_handlers=[tickets, counts, messages, contacts], on_startup=[start], on_shutdown=[stop], debug=False
    )
