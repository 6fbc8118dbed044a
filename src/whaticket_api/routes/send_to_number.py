"""``POST /messages/send``: write to a phone number (integrations' way in); the ticket is found or started."""

from __future__ import annotations

import binascii
from typing import Annotated

import msgspec
from dishka import FromDishka
from litestar import Response, post
from litestar.params import JSONBody

from whaticket_core.domain.api_tokens import ApiScope
from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.message import MAX_BODY_LENGTH, MediaFile, media_type_of
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.messages.send_to_number import SendToNumber, SendToNumberCommand

from .. import idempotency
from ..idempotency import IdempotencyStore
from ..providers import MediaLinks
from ..settings import DEFAULT_MAX_UPLOAD_BYTES
from ..wire import MessageOut, TicketOut, message_out, ticket_out
from .common import AUTHED, BodyId, errors

Number = Annotated[str, msgspec.Meta(min_length=1, max_length=64, examples=["+55 11 99999-0001"])]
MimeType = Annotated[str, msgspec.Meta(min_length=3, max_length=255, pattern=r"^[\w.+-]+/[\w.+-]+$")]


class MediaIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    """A file sent inline: its bytes as standard base64."""

    mime_type: MimeType
    base64: str
    file_name: Annotated[str, msgspec.Meta(min_length=1, max_length=255)] | None = None


class SendToNumberIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    number: Number
    body: Annotated[str, msgspec.Meta(max_length=MAX_BODY_LENGTH)] = ""
    whatsapp_id: BodyId | None = None
    media: MediaIn | None = None


class SentToNumberOut(msgspec.Struct, rename="camel"):
    message: MessageOut
    ticket: TicketOut


def _media(media: MediaIn | None) -> MediaFile | None:
    if media is None:
        return None
    try:
        data = binascii.a2b_base64(media.base64, strict_mode=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("media.base64 is not valid base64", "media") from None
    if "\x00" in (media.file_name or ""):
        raise InvalidInput("media.fileName must not contain NUL characters", "media")
    return MediaFile(
        data=data, media_type=media_type_of(media.mime_type), mime_type=media.mime_type, file_name=media.file_name
    )


@post(
    "/send",
    status_code=201,
    responses=errors(*AUTHED, 403, 404, 409, 413),
    token_scope=ApiScope.MESSAGES_WRITE,
    # Media travel inline as base64: the bound of an upload, not of a JSON body.
    request_max_body_size=DEFAULT_MAX_UPLOAD_BYTES * 4 // 3,
)
async def send_to_number(
    data: JSONBody[SendToNumberIn],
    viewer: FromDishka[Viewer],
    use_case: FromDishka[SendToNumber],
    store: FromDishka[IdempotencyStore],
    links: FromDishka[MediaLinks],
    idempotency_key: idempotency.IdempotencyKeyHeader = None,
) -> Response[SentToNumberOut]:
    """Send to a phone number: the contact is found or created, and so is its ticket (an open one assigned to the
    caller, like an agent-started conversation); then the message goes out like `POST /messages`. `media` carries a
    file inline as base64 (`body` is then its caption)."""
    key = fp = None
    if idempotency_key:
        key = idempotency.scoped_key(viewer.user_id, idempotency_key, api_token_id=viewer.api_token_id)
        fp = idempotency.fingerprint("send", msgspec.json.encode(data))

    async def create() -> SentToNumberOut:
        if "\x00" in data.body:
            raise InvalidInput("body must not contain NUL characters", "body")
        command = SendToNumberCommand(viewer, data.number, data.body, data.whatsapp_id, _media(data.media))
        sent = await use_case.execute(command)
        return SentToNumberOut(message_out(sent.message, links.url), ticket_out(sent.ticket))

    return await idempotency.created_once(store, key, fp or "", create)
