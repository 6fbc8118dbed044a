"""/messages: a ticket's page (cursor), one message, send (JSON or multipart, idempotent), edit, delete, media."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import Request, Response, delete, get, post, put
from litestar.openapi.spec import Encoding, OpenAPIMediaType, Operation, RequestBody, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.params import JSONBody, QueryParameter

from whaticket_core.domain.api_tokens import ApiScope
from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.message import MAX_BODY_LENGTH, MediaFile, media_type_of
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.auth.authenticate import Authenticate
from whaticket_core.use_cases.integrations.api_tokens import AuthenticateApiToken
from whaticket_core.use_cases.messages.delete_message import DeleteMessage, DeleteMessageCommand
from whaticket_core.use_cases.messages.edit_message import EditMessage, EditMessageCommand
from whaticket_core.use_cases.messages.media_links import OpenMediaLink, OpenMediaLinkCommand
from whaticket_core.use_cases.messages.message_queries import (
    GetMessage,
    GetMessageCommand,
    GetMessageMedia,
    GetMessageMediaCommand,
    ListMessages,
    ListMessagesCommand,
)
from whaticket_core.use_cases.messages.schedule_message import ScheduleMessage, ScheduleMessageCommand
from whaticket_core.use_cases.messages.send_message import SendMessage, SendMessageCommand

from .. import idempotency
from ..downloads import content_disposition
from ..errors import field_of
from ..idempotency import IdempotencyStore
from ..protection import RateLimiter
from ..providers import MediaLinks
from ..providers.auth import authenticate_caller
from ..settings import Settings
from ..uploads import ReceivedBody, read_json_body, read_multipart
from ..wire import MEDIA_LINK_PARAM, MessageOut, message_out
from .common import AUTHED, MAX_ID, BodyId, Cursor, Limit, PathId, errors
from .send_to_number import send_to_number

Body = Annotated[str, msgspec.Meta(max_length=MAX_BODY_LENGTH)]
TextBody = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_BODY_LENGTH, pattern=r"\S")]
TicketIdQuery = Annotated[int, QueryParameter(name="ticketId", ge=1, le=MAX_ID)]


class MessagePage(msgspec.Struct, rename="camel"):
    items: list[MessageOut]
    next_cursor: str | None


class SendMessageIn(msgspec.Struct, rename="camel"):
    ticket_id: BodyId
    body: TextBody
    quoted_message_id: BodyId | None = None
    # A scheduled message: sent at send_at (with an offset), cancelled by a customer's message first if asked.
    send_at: Annotated[datetime, msgspec.Meta(tz=True)] | None = None
    cancel_if_replied: bool = False


class EditMessageIn(msgspec.Struct, rename="camel"):
    body: TextBody


def _send_body_schema() -> RequestBody:
    """``POST /messages`` takes JSON or a multipart upload; Litestar documents one body type per handler, so the
    request body is described here."""
    ids = Schema(type=OpenAPIType.INTEGER, minimum=1, maximum=MAX_ID)
    text = Schema(type=OpenAPIType.STRING, max_length=MAX_BODY_LENGTH)
    json_schema = Schema(
        type=OpenAPIType.OBJECT,
        required=["ticketId", "body"],
        properties={
            "ticketId": ids,
            "body": Schema(type=OpenAPIType.STRING, min_length=1, max_length=MAX_BODY_LENGTH, pattern=r"\S"),
            "quotedMessageId": Schema(one_of=[ids, Schema(type=OpenAPIType.NULL)]),
            "sendAt": Schema(
                one_of=[Schema(type=OpenAPIType.STRING, format="date-time"), Schema(type=OpenAPIType.NULL)],  # type: ignore[arg-type]
                description="Schedule the message for this time (ISO 8601 with an offset): 201 with ack `scheduled`",
            ),
            "cancelIfReplied": Schema(
                type=OpenAPIType.BOOLEAN, description="A scheduled message is cancelled if the customer writes first"
            ),
        },
    )
    multipart_schema = Schema(
        type=OpenAPIType.OBJECT,
        required=["ticketId", "file"],
        properties={
            "ticketId": ids,
            "body": text,
            "quotedMessageId": ids,
            "file": Schema(type=OpenAPIType.STRING, format="binary", description="The media file"),  # type: ignore[arg-type]
        },
    )
    return RequestBody(
        required=True,
        content={
            "application/json": OpenAPIMediaType(schema=json_schema),
            "multipart/form-data": OpenAPIMediaType(schema=multipart_schema, encoding={"file": Encoding()}),
        },
    )


@dataclass
class SendOperation(Operation):
    def __post_init__(self) -> None:
        self.request_body = _send_body_schema()


def _form_int(value: Any, name: str, *, required: bool) -> int | None:
    if value is None or value == "":
        if required:
            raise InvalidInput(f"{name} is required", name)
        return None
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise InvalidInput(f"{name} must be a positive integer id", name)
    return int(text)


def _command_from_form(received: ReceivedBody, viewer: Viewer) -> SendMessageCommand:
    if received.fields.get("sendAt"):
        raise InvalidInput("a scheduled message is text: send it as JSON", "sendAt")
    upload = received.file
    if upload is None:
        raise InvalidInput("file is required in a multipart message", "file")
    if upload.size == 0:
        raise InvalidInput("file is empty", "file")
    body = received.fields.get("body") or ""
    if len(body) > MAX_BODY_LENGTH:
        raise InvalidInput(f"body holds at most {MAX_BODY_LENGTH} characters", "body")
    if "\x00" in body or "\x00" in (upload.filename or ""):
        raise InvalidInput("body and file name must not contain NUL characters", "body")
    mime = upload.content_type
    return SendMessageCommand(
        ticket_id=_form_int(received.fields.get("ticketId"), "ticketId", required=True) or 0,
        actor=viewer,
        body=body,
        quoted_message_id=_form_int(received.fields.get("quotedMessageId"), "quotedMessageId", required=False),
        media=MediaFile(
            data=upload.read(), media_type=media_type_of(mime), mime_type=mime, file_name=upload.filename or None
        ),
    )


def _command_from_json(received: ReceivedBody, viewer: Viewer) -> SendMessageCommand | ScheduleMessageCommand:
    try:
        payload = msgspec.json.decode(received.raw, type=SendMessageIn)
    except msgspec.ValidationError as exc:
        raise InvalidInput(str(exc), field_of(str(exc)) or "body") from None
    except msgspec.DecodeError:
        raise InvalidInput("Body is not valid JSON", "body") from None
    if "\x00" in payload.body:
        raise InvalidInput("body must not contain NUL characters", "body")
    if payload.send_at is not None:
        return ScheduleMessageCommand(
            ticket_id=payload.ticket_id,
            actor=viewer,
            body=payload.body,
            send_at=payload.send_at.astimezone(UTC),
            cancel_if_replied=payload.cancel_if_replied,
            quoted_message_id=payload.quoted_message_id,
        )
    if payload.cancel_if_replied:
        raise InvalidInput("cancelIfReplied needs sendAt", "cancel_if_replied")
    return SendMessageCommand(
        ticket_id=payload.ticket_id, actor=viewer, body=payload.body, quoted_message_id=payload.quoted_message_id
    )


async def _receive(request: Request[Any, Any, Any], settings: Settings) -> ReceivedBody:
    """The body, bounded: ``MAX_UPLOAD_BYTES`` for multipart (streamed, file spooled), ``MAX_BODY_BYTES`` for JSON."""
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        return await read_multipart(request, settings.max_upload_bytes)
    if content_type and not content_type.startswith("application/json"):
        raise InvalidInput("Send application/json or multipart/form-data", "body")
    return await read_json_body(request, settings.max_body_bytes)


def _command_from(received: ReceivedBody, viewer: Viewer) -> SendMessageCommand | ScheduleMessageCommand:
    if received.multipart:
        return _command_from_form(received, viewer)
    return _command_from_json(received, viewer)


@get("/", responses=errors(*AUTHED, 403, 404), token_scope=ApiScope.MESSAGES_READ)
async def list_messages(
    ticket_id: TicketIdQuery,
    viewer: FromDishka[Viewer],
    use_case: FromDishka[ListMessages],
    links: FromDishka[MediaLinks],
    limit: Limit = 20,
    cursor: Cursor = None,
) -> MessagePage:
    """A ticket's messages, newest first. `mediaUrl` is a signed link for the caller (works without a header)."""
    page = await use_case.execute(ListMessagesCommand(ticket_id, viewer, limit, cursor or None))
    return MessagePage([message_out(m, links.url) for m in page.items], page.next_cursor)


@get("/{message_id:int}", responses=errors(*AUTHED, 403, 404), token_scope=ApiScope.MESSAGES_READ)
async def get_message(
    message_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[GetMessage], links: FromDishka[MediaLinks]
) -> MessageOut:
    """One message (404 when its ticket is not visible to the caller), with a fresh signed `mediaUrl`."""
    return message_out(await use_case.execute(GetMessageCommand(message_id, viewer)), links.url)


@post(
    "/",
    status_code=201,
    operation_class=SendOperation,
    responses=errors(*AUTHED, 403, 404, 409, 413),
    token_scope=ApiScope.MESSAGES_WRITE,
    request_max_body_size=None,  # bounded by uploads.read_multipart / read_json_body (MAX_UPLOAD_BYTES)
)
async def send_message(
    request: Request[Any, Any, Any],
    viewer: FromDishka[Viewer],
    use_case: FromDishka[SendMessage],
    schedule: FromDishka[ScheduleMessage],
    store: FromDishka[IdempotencyStore],
    links: FromDishka[MediaLinks],
    settings: FromDishka[Settings],
    idempotency_key: idempotency.IdempotencyKeyHeader = None,
) -> Response[MessageOut]:
    """Send text (JSON) or media (multipart: `file`, `body` caption, `ticketId`). Stored `pending`, delivered in the
    background. A `user` writing on a pending ticket accepts it first; a closed ticket is 409 `ticket_closed`. With
    `sendAt` (JSON only) the message is scheduled: 201 with ack `scheduled`, sent at that time like any message,
    cancelled by `DELETE /messages/{id}` before then (or, with `cancelIfReplied`, by the customer writing first)."""
    received = await _receive(request, settings)
    try:
        key = fp = None
        if idempotency_key:
            key = idempotency.scoped_key(viewer.user_id, idempotency_key, api_token_id=viewer.api_token_id)
            fp = idempotency.fingerprint(request.headers.get("content-type", ""), received.digest)

        async def create() -> MessageOut:
            command = _command_from(received, viewer)
            if isinstance(command, ScheduleMessageCommand):
                return message_out(await schedule.execute(command), links.url)
            return message_out(await use_case.execute(command), links.url)

        return await idempotency.created_once(store, key, fp or "", create)
    finally:
        received.close()


@put("/{message_id:int}", responses=errors(*AUTHED, 403, 404, 409), token_scope=ApiScope.MESSAGES_WRITE)
async def edit_message(
    message_id: PathId,
    data: JSONBody[EditMessageIn],
    viewer: FromDishka[Viewer],
    use_case: FromDishka[EditMessage],
    links: FromDishka[MediaLinks],
) -> MessageOut:
    """Edit one's own sent text message within 15 minutes (`isEdited: true`)."""
    return message_out(await use_case.execute(EditMessageCommand(message_id, viewer, data.body)), links.url)


@delete(
    "/{message_id:int}", status_code=204, responses=errors(*AUTHED, 403, 404, 409), token_scope=ApiScope.MESSAGES_WRITE
)
async def delete_message(message_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[DeleteMessage]) -> None:
    """Delete for everyone: `isDeleted: true`; the row is kept. On a scheduled message: cancels it."""
    await use_case.execute(DeleteMessageCommand(message_id, viewer))


SignedLink = Annotated[
    str | None,
    QueryParameter(
        name=MEDIA_LINK_PARAM,
        max_length=512,
        description="The signature of a signed `mediaUrl` (then no Authorization header is needed)",
    ),
]


@get(
    "/{message_id:int}/media",
    responses=errors(*AUTHED, 403, 404),
    token_scope=ApiScope.MESSAGES_READ,
    media_type="application/octet-stream",
    # Either a bearer token or a signed link (`mediaUrl` as listed), so `<img src>` works without a header.
    security=[{"BearerToken": []}, {}],
)
async def get_media(
    message_id: PathId,
    request: Request[Any, Any, Any],
    authenticate: FromDishka[Authenticate],
    authenticate_api_token: FromDishka[AuthenticateApiToken],
    limiter: FromDishka[RateLimiter],
    settings: FromDishka[Settings],
    media: FromDishka[GetMessageMedia],
    by_link: FromDishka[OpenMediaLink],
    sig: SignedLink = None,
) -> Response[bytes]:
    """The media bytes with their content type; the ticket's visibility rules apply. Images, audio and video of common
    types are `inline`, anything else (HTML, SVG, PDF...) `attachment`; the file name is sent per RFC 6266. With
    `?sig=` (the signed `mediaUrl` of a listed message) no header is needed; the link lasts `MEDIA_LINK_SECONDS` and
    ends with the user's sessions."""
    if sig and not request.headers.get("authorization"):
        found = await by_link.execute(OpenMediaLinkCommand(message_id, sig))
    else:
        caller = await authenticate_caller(request, authenticate, authenticate_api_token, limiter, settings)
        viewer = caller.viewer
        found = await media.execute(GetMessageMediaCommand(message_id, viewer))
    headers = {
        "Cache-Control": "private, max-age=3600",
        "Content-Disposition": content_disposition(found.mime_type, found.file_name),
    }
    return Response(found.data, media_type=found.mime_type, headers=headers)


router = DishkaRouter(
    "/messages",
    route_handlers=[
        list_messages,
        get_message,
        send_message,
        send_to_number,
        edit_message,
        delete_message,
        get_media,
    ],
    tags=["messages"],
)
