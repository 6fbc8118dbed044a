"""The calls one process makes on a WhatsApp session held by another, as typed messages, and the one table that runs
each on the holder's transport.

A call travels as JSON (msgspec) inside a SAQ job; its answer comes back the same way. Each call is named by its
``op`` tag and mirrors one method of the core's transport ports.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from whaticket_core.domain.message import MediaFile, SendErrorKind
from whaticket_core.ports.transport import Recipient, TransportError

from ..ports import WhatsAppPorts


class SendText(msgspec.Struct, frozen=True, tag_field="op", tag="send_text"):
    to: Recipient
    body: str
    quoted_wa_message_id: str | None = None


class SendMedia(msgspec.Struct, frozen=True, tag_field="op", tag="send_media"):
    to: Recipient
    media: MediaFile
    caption: str = ""
    quoted_wa_message_id: str | None = None


class EditText(msgspec.Struct, frozen=True, tag_field="op", tag="edit_text"):
    to: Recipient
    wa_message_id: str
    body: str


class DeleteForEveryone(msgspec.Struct, frozen=True, tag_field="op", tag="delete_for_everyone"):
    to: Recipient
    wa_message_id: str


class MarkRead(msgspec.Struct, frozen=True, tag_field="op", tag="mark_read"):
    chat: Recipient
    wa_message_ids: tuple[str, ...]


class RejectCall(msgspec.Struct, frozen=True, tag_field="op", tag="reject_call"):
    caller: Recipient
    call_id: str


class Fetch(msgspec.Struct, frozen=True, tag_field="op", tag="fetch"):
    media_ref: str


class StartSession(msgspec.Struct, frozen=True, tag_field="op", tag="start_session"):
    pass


class RequestPairCode(msgspec.Struct, frozen=True, tag_field="op", tag="request_pair_code"):
    phone_number: str


class Logout(msgspec.Struct, frozen=True, tag_field="op", tag="logout"):
    pass


SessionCall = (
    SendText
    | SendMedia
    | EditText
    | DeleteForEveryone
    | MarkRead
    | RejectCall
    | Fetch
    | StartSession
    | RequestPairCode
    | Logout
)


class Answer(msgspec.Struct, frozen=True, omit_defaults=True):
    """What the holder answers: a call's text (a message id, a pair code) or bytes (media), or its failure."""

    text: str | None = None
    data: bytes | None = None
    error: str | None = None
    retryable: bool = True
    # The failure's SendErrorKind value and, for an unknown outcome, the id the message may have gone out under.
    error_kind: str | None = None
    wa_message_id: str | None = None

    def raise_error(self) -> None:
        if self.error is not None:
            kind = SendErrorKind(self.error_kind) if self.error_kind is not None else None
            raise TransportError(self.error, retryable=self.retryable, kind=kind, wa_message_id=self.wa_message_id)

    def require_text(self) -> str:
        self.raise_error()
        if self.text is None:
            raise TransportError("the session call answered no text", retryable=True)
        return self.text

    def require_data(self) -> bytes:
        self.raise_error()
        if self.data is None:
            raise TransportError("the session call answered no data", retryable=True)
        return self.data


_call_decoder = msgspec.json.Decoder(SessionCall)
_answer_decoder = msgspec.json.Decoder(Answer)


def encode(message: SessionCall | Answer) -> str:
    return msgspec.json.encode(message).decode()


def decode_call(raw: str) -> SessionCall:
    try:
        call: SessionCall = _call_decoder.decode(raw)
    except msgspec.ValidationError as error:
        raise TransportError(f"unknown session call: {error}", retryable=False) from None
    return call


def decode_answer(raw: object) -> Answer:
    if not isinstance(raw, str | bytes):
        raise TransportError("the session call answered nothing", retryable=True)
    return _answer_decoder.decode(raw)


Perform = Callable[[WhatsAppPorts, int, Any], Awaitable[Answer]]


async def _send_text(ports: WhatsAppPorts, whatsapp_id: int, call: SendText) -> Answer:
    return Answer(
        text=await ports.send_text(whatsapp_id, call.to, call.body, quoted_wa_message_id=call.quoted_wa_message_id)
    )


async def _send_media(ports: WhatsAppPorts, whatsapp_id: int, call: SendMedia) -> Answer:
    wa_id = await ports.send_media(
        whatsapp_id, call.to, call.media, caption=call.caption, quoted_wa_message_id=call.quoted_wa_message_id
    )
    return Answer(text=wa_id)


async def _edit_text(ports: WhatsAppPorts, whatsapp_id: int, call: EditText) -> Answer:
    await ports.edit_text(whatsapp_id, call.to, call.wa_message_id, call.body)
    return Answer()


async def _delete_for_everyone(ports: WhatsAppPorts, whatsapp_id: int, call: DeleteForEveryone) -> Answer:
    await ports.delete_for_everyone(whatsapp_id, call.to, call.wa_message_id)
    return Answer()


async def _mark_read(ports: WhatsAppPorts, whatsapp_id: int, call: MarkRead) -> Answer:
    await ports.mark_read(whatsapp_id, call.chat, call.wa_message_ids)
    return Answer()


async def _reject_call(ports: WhatsAppPorts, whatsapp_id: int, call: RejectCall) -> Answer:
    await ports.reject_call(whatsapp_id, call.caller, call.call_id)
    return Answer()


async def _fetch(ports: WhatsAppPorts, whatsapp_id: int, call: Fetch) -> Answer:
    return Answer(data=await ports.fetch(whatsapp_id, call.media_ref))


async def _start_session(ports: WhatsAppPorts, whatsapp_id: int, _call: StartSession) -> Answer:
    await ports.start_session(whatsapp_id)
    return Answer()


async def _request_pair_code(ports: WhatsAppPorts, whatsapp_id: int, call: RequestPairCode) -> Answer:
    return Answer(text=await ports.request_pair_code(whatsapp_id, call.phone_number))


async def _logout(ports: WhatsAppPorts, whatsapp_id: int, _call: Logout) -> Answer:
    await ports.logout(whatsapp_id)
    return Answer()


PERFORM: dict[type[SessionCall], Perform] = {
    SendText: _send_text,
    SendMedia: _send_media,
    EditText: _edit_text,
    DeleteForEveryone: _delete_for_everyone,
    MarkRead: _mark_read,
    RejectCall: _reject_call,
    Fetch: _fetch,
    StartSession: _start_session,
    RequestPairCode: _request_pair_code,
    Logout: _logout,
}
"""Each call to the port method that serves it (one entry per call type)."""


async def perform(ports: WhatsAppPorts, whatsapp_id: int, call: SessionCall) -> Answer:
    """Run ``call`` on ``ports``; a :class:`TransportError` becomes the answer's error."""
    try:
        return await PERFORM[type(call)](ports, whatsapp_id, call)
    except TransportError as error:
        return Answer(
            error=error.reason,
            retryable=error.retryable,
            error_kind=error.kind.value,
            wa_message_id=error.wa_message_id,
        )
