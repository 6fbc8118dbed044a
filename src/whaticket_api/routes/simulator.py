"""/dev/simulator: drive the simulated WhatsApp (only with ``WHATSAPP_TRANSPORT=simulator``; admin only).

Everything behind the transport is the real pipeline: an inbound message goes through ReceiveMessage exactly as one
from neonize would, and the outbox shows what the business sent through the real delivery jobs.
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Literal, cast

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import get, post
from litestar.params import JSONBody, QueryParameter

from whaticket_adapters.whatsapp.simulator.inbound import SimulatedGroup
from whaticket_adapters.whatsapp.simulator.state import SimulatedMedia
from whaticket_adapters.whatsapp.simulator.transport import SimulatorTransport
from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.message import MAX_BODY_LENGTH, MediaType, MessageAck
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.connections.whatsapps import GetWhatsApp, GetWhatsAppCommand
from whaticket_core.use_cases.shared.guards import require_admin

from ..transport import Transport
from .common import AUTHED, MAX_ID, BodyId, PathId, errors

MediaKind = Literal["image", "video", "audio", "voice", "document", "sticker", "location", "contact"]
Short = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class MediaIO(msgspec.Struct, rename="camel"):
    type: MediaKind
    mime_type: Short
    base64: Annotated[str, msgspec.Meta(max_length=30_000_000)]
    file_name: Short | None = None


class GroupIn(msgspec.Struct, rename="camel"):
    id: Short
    name: Short
    participant: Short


Lid = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]


class ReactionIn(msgspec.Struct, rename="camel"):
    wa_message_id: Short
    emoji: Annotated[str, msgspec.Meta(max_length=32)] = ""


class InboundIn(msgspec.Struct, rename="camel"):
    whatsapp_id: BodyId
    from_: Annotated[str, msgspec.Meta(max_length=64)] = msgspec.field(name="from", default="")
    from_lid: Lid | None = None
    name: Short | None = None
    body: Annotated[str, msgspec.Meta(max_length=MAX_BODY_LENGTH)] = ""
    wa_message_id: Short | None = None
    quoted_wa_message_id: Short | None = None
    media: MediaIO | None = None
    group: GroupIn | None = None
    from_me: bool = False
    undecryptable: bool = False
    reaction: ReactionIn | None = None


class InboundOut(msgspec.Struct, rename="camel"):
    wa_message_id: str


class ReceiptIn(msgspec.Struct, rename="camel"):
    whatsapp_id: BodyId
    wa_message_ids: Annotated[list[Short], msgspec.Meta(min_length=1, max_length=1000)]
    type: Literal["delivered", "read"]


class FailNextIn(msgspec.Struct, rename="camel"):
    whatsapp_id: BodyId
    count: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    error: Short = "simulated failure"
    error_kind: Literal["permanent", "rate_limited", "transient", "timeout"] = "transient"


class FailInboundIn(msgspec.Struct, rename="camel"):
    whatsapp_id: BodyId
    count: Annotated[int, msgspec.Meta(ge=1, le=1000)]
    error: Short = "simulated handler failure"


class OutboxItemOut(msgspec.Struct, rename="camel"):
    seq: int
    whatsapp_id: int
    kind: str
    to: str
    body: str
    media: MediaIO | None
    quoted_wa_message_id: str | None
    wa_message_id: str | None
    wa_message_ids: list[str]


class OutboxOut(msgspec.Struct, rename="camel"):
    items: list[OutboxItemOut]


class ScanOut(msgspec.Struct, rename="camel"):
    whatsapp_id: int
    number: str


class Accepted(msgspec.Struct, rename="camel"):
    status: str = "accepted"


async def _simulator(
    transport: Transport, viewer: Viewer, connections: GetWhatsApp, whatsapp_id: int | None
) -> SimulatorTransport:
    """The simulator, for an admin, once ``whatsapp_id`` (when given) names a connection (else whatsapp_not_found)."""
    require_admin(viewer, "drive the simulator")
    if not isinstance(transport.local, SimulatorTransport):  # the router is mounted only in simulator mode
        raise InvalidInput("The simulator is not running", "whatsappId")
    if whatsapp_id is not None:
        await connections.execute(GetWhatsAppCommand(viewer, whatsapp_id))
    return transport.local


def _decode(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("media.base64 is not valid base64", "media") from None


@post("/inbound", status_code=202, responses=errors(*AUTHED, 403, 404, 409))
async def inbound(
    data: JSONBody[InboundIn],
    viewer: FromDishka[Viewer],
    transport: FromDishka[Transport],
    connections: FromDishka[GetWhatsApp],
) -> InboundOut:
    """A customer's message as WhatsApp delivers it (a `waMessageId` is generated when absent); the same
    `waMessageId` twice is a redelivery, stored once. The sender is `from` (a number), `fromLid` (a hidden-number
    id: the customer is kept by LID until its number is revealed) or both. `undecryptable: true` stores a
    placeholder that `POST /dev/simulator/decrypt` completes. With `reaction` the sender reacts to the message
    `reaction.waMessageId` (an empty emoji removes their reaction) instead of writing. 409
    `whatsapp_not_connected` before the scan."""
    sim = await _simulator(transport, viewer, connections, data.whatsapp_id)
    if not data.from_ and data.from_lid is None and data.group is None:
        raise InvalidInput("from or fromLid is required", "from")
    if data.reaction is not None:
        member = data.group.participant if data.group is not None else None
        await sim.react(
            data.whatsapp_id, data.reaction.wa_message_id, data.reaction.emoji, from_me=data.from_me, sender=member
        )
        return InboundOut(data.reaction.wa_message_id)
    media = None
    if data.media is not None:
        m = data.media
        media = SimulatedMedia(MediaType(m.type), m.mime_type, _decode(m.base64), m.file_name)
    group = SimulatedGroup(data.group.id, data.group.name, data.group.participant) if data.group else None
    command = await sim.inbound(
        data.whatsapp_id,
        sender=data.from_,
        sender_lid=data.from_lid,
        undecryptable=data.undecryptable,
        body=data.body,
        name=data.name,
        wa_message_id=data.wa_message_id,
        quoted_wa_message_id=data.quoted_wa_message_id,
        media=media,
        group=group,
        from_me=data.from_me,
    )
    return InboundOut(command.wa_message_id)


@post("/receipt", status_code=202, responses=errors(*AUTHED, 403, 404))
async def receipt(
    data: JSONBody[ReceiptIn],
    viewer: FromDishka[Viewer],
    transport: FromDishka[Transport],
    connections: FromDishka[GetWhatsApp],
) -> Accepted:
    """WhatsApp reports messages of the business as delivered or read (each ack change is a `message:updated`)."""
    ack = MessageAck.DELIVERED if data.type == "delivered" else MessageAck.READ
    sim = await _simulator(transport, viewer, connections, data.whatsapp_id)
    await sim.receipt(data.whatsapp_id, tuple(data.wa_message_ids), ack)
    return Accepted()


@get("/outbox", responses=errors(*AUTHED, 403, 404))
async def outbox(
    viewer: FromDishka[Viewer],
    transport: FromDishka[Transport],
    connections: FromDishka[GetWhatsApp],
    whatsapp_id: Annotated[int | None, QueryParameter(name="whatsappId", ge=1, le=MAX_ID)] = None,
    after: Annotated[int, QueryParameter(ge=0, description="Only items with a larger seq")] = 0,
) -> OutboxOut:
    """What the business sent, in send order; `after` a `seq` already seen gives only what came since."""
    items = await (await _simulator(transport, viewer, connections, whatsapp_id)).outbox(whatsapp_id, after)
    return OutboxOut(
        [
            OutboxItemOut(
                seq=i.seq,
                whatsapp_id=i.whatsapp_id,
                kind=i.kind,
                to=i.to,
                body=i.body,
                media=None
                if i.media is None
                else MediaIO(
                    # What the business sent: never a call record (MediaType.CALL is only ever received).
                    cast(MediaKind, i.media.media_type.value),
                    i.media.mime_type,
                    base64.b64encode(i.media.data).decode(),
                    i.media.file_name,
                ),
                quoted_wa_message_id=i.quoted_wa_message_id,
                wa_message_id=i.wa_message_id,
                wa_message_ids=list(i.wa_message_ids),
            )
            for i in items
        ]
    )


@post("/whatsapps/{whatsapp_id:int}/scan", status_code=202, responses=errors(*AUTHED, 403, 404, 409))
async def scan(
    whatsapp_id: PathId,
    viewer: FromDishka[Viewer],
    transport: FromDishka[Transport],
    connections: FromDishka[GetWhatsApp],
) -> ScanOut:
    """Complete a pending QR (or pair-code) login: the connection becomes CONNECTED with a number
    (`whatsapp:connection`). 409 `whatsapp_not_connected` when no session was started."""
    number = await (await _simulator(transport, viewer, connections, whatsapp_id)).scan(whatsapp_id)
    return ScanOut(whatsapp_id, number)


@post("/whatsapps/{whatsapp_id:int}/drop", status_code=202, responses=errors(*AUTHED, 403, 404, 409))
async def drop(
    whatsapp_id: PathId,
    viewer: FromDishka[Viewer],
    transport: FromDishka[Transport],
    connections: FromDishka[GetWhatsApp],
) -> Accepted:
    """A lost connection: `OPENING` at once, then `CONNECTED` again after a reconnect backoff, like a real one."""
    await (await _simulator(transport, viewer, connections, whatsapp_id)).drop(whatsapp_id)
    return Accepted()


@post("/fail-next", status_code=202, responses=errors(*AUTHED, 403, 404))
async def fail_next(
    data: JSONBody[FailNextIn],
    viewer: FromDishka[Viewer],
    transport: FromDishka[Transport],
    connections: FromDishka[GetWhatsApp],
) -> Accepted:
    """The next `count` sends on the connection fail with `error`, as WhatsApp fails them by `errorKind`:
    `transient` (the default) and `rate_limited` retry with backoff (a rate limit also pauses the connection's
    sends a moment), `permanent` fails the message at once, `timeout` lets WhatsApp take the message but loses the
    answer, so the message is `failed` with `errorKind` `unknown` until a receipt for it arrives."""
    sim = await _simulator(transport, viewer, connections, data.whatsapp_id)
    await sim.fail_next(data.whatsapp_id, data.count, data.error, data.error_kind)
    return Accepted()


@post("/fail-inbound", status_code=202, responses=errors(*AUTHED, 403, 404))
async def simulate_inbound_failures(
    data: JSONBody[FailInboundIn],
    viewer: FromDishka[Viewer],
    transport: FromDishka[Transport],
    connections: FromDishka[GetWhatsApp],
) -> Accepted:
    """The next `count` attempts to process an inbound event of the connection fail with `error`, after the event
    was stored (a handler's bug or outage): the event is retried with backoff, then listed in
    `GET /whatsapps/{id}/inbox-failures` until retried."""
    sim = await _simulator(transport, viewer, connections, data.whatsapp_id)
    await sim.fail_inbound(data.whatsapp_id, data.count, data.error)
    return Accepted()


router = DishkaRouter(
    "/dev/simulator",
    route_handlers=[inbound, receipt, outbox, scan, drop, fail_next, simulate_inbound_failures],
    tags=["simulator"],
)
