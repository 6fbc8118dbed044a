"""/dev/simulator routes for what the real network does beyond plain messages: readable content arriving late,
LID/number mappings, calls and history backfill (only with ``WHATSAPP_TRANSPORT=simulator``; admin only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import post
from litestar.params import JSONBody

from whaticket_adapters.whatsapp.simulator.inbound import SimulatedGroup
from whaticket_adapters.whatsapp.simulator.state import SimulatedMedia
from whaticket_core.domain.message import MAX_BODY_LENGTH, MediaType
from whaticket_core.domain.visibility import Viewer
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.use_cases.connections.whatsapps import GetWhatsApp

from ..transport import Transport
from .common import AUTHED, BodyId, PathId, errors
from .simulator import Accepted, InboundIn, InboundOut, Lid, Short, _decode, _simulator

Number = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
MAX_HISTORY = 2000


class DecryptIn(msgspec.Struct, rename="camel"):
    whatsapp_id: BodyId
    wa_message_id: Short
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_BODY_LENGTH)]


class LidMappingIn(msgspec.Struct, rename="camel"):
    whatsapp_id: BodyId
    lid: Lid
    number: Number


class CallIn(msgspec.Struct, rename="camel"):
    whatsapp_id: BodyId
    from_: Annotated[str, msgspec.Meta(max_length=64)] = msgspec.field(name="from", default="")
    from_lid: Lid | None = None


class CallOut(msgspec.Struct, rename="camel"):
    call_id: str


class HistoryIn(msgspec.Struct, rename="camel"):
    whatsapp_id: BodyId
    messages: Annotated[list[InboundIn], msgspec.Meta(min_length=1, max_length=MAX_HISTORY)]


class HistoryOut(msgspec.Struct, rename="camel"):
    delivered: int


class StateIn(msgspec.Struct, rename="camel"):
    status: Literal["OUTDATED", "BANNED", "LOGGED_OUT"]
    banned_until: datetime | None = None


@post("/decrypt", status_code=202, responses=errors(*AUTHED, 403, 404, 409))
async def decrypt(
    data: JSONBody[DecryptIn],
    viewer: FromDishka[Viewer],
    transport: FromDishka[Transport],
    connections: FromDishka[GetWhatsApp],
) -> InboundOut:
    """WhatsApp delivers the readable content of a message sent `undecryptable`: the placeholder takes the body
    and stops being `undecryptable` (`message:updated`). 400 for a `waMessageId` never sent undecryptable."""
    sim = await _simulator(transport, viewer, connections, data.whatsapp_id)
    command = await sim.decrypt(data.whatsapp_id, data.wa_message_id, data.body)
    return InboundOut(command.wa_message_id)


@post("/lid-mapping", status_code=202, responses=errors(*AUTHED, 403, 404, 409))
async def lid_mapping(
    data: JSONBody[LidMappingIn],
    viewer: FromDishka[Viewer],
    transport: FromDishka[Transport],
    connections: FromDishka[GetWhatsApp],
) -> Accepted:
    """WhatsApp reveals that `lid` is `number`: a contact known by one gains the other, two contacts become one
    (`contact:merged`, `contact:updated`); later messages `fromLid` alone carry the number too."""
    sim = await _simulator(transport, viewer, connections, data.whatsapp_id)
    await sim.lid_mapping(data.whatsapp_id, data.lid, data.number)
    return Accepted()


@post("/call", status_code=202, responses=errors(*AUTHED, 403, 404, 409))
async def call(
    data: JSONBody[CallIn],
    viewer: FromDishka[Viewer],
    transport: FromDishka[Transport],
    connections: FromDishka[GetWhatsApp],
) -> CallOut:
    """A customer (`from` a number, or `fromLid`) calls: rejected when the connection's `rejectCalls` is set (a
    `reject-call` outbox item, then its `callRejectMessage`), and recorded as a `call` message either way."""
    sim = await _simulator(transport, viewer, connections, data.whatsapp_id)
    command = await sim.call(data.whatsapp_id, caller=data.from_, caller_lid=data.from_lid)
    return CallOut(command.call_id)


@post("/history", status_code=202, responses=errors(*AUTHED, 403, 404, 409))
async def history(
    data: JSONBody[HistoryIn],
    viewer: FromDishka[Viewer],
    transport: FromDishka[Transport],
    connections: FromDishka[GetWhatsApp],
) -> HistoryOut:
    """What a reconnect backfills: messages (bodies of `/dev/simulator/inbound`, their `whatsappId` ignored)
    delivered in order through the same idempotent path (already stored ones are not stored again)."""
    sim = await _simulator(transport, viewer, connections, data.whatsapp_id)
    messages: list[dict[str, Any]] = []
    for item in data.messages:
        media = None
        if item.media is not None:
            media = SimulatedMedia(MediaType(item.media.type), item.media.mime_type, _decode(item.media.base64))
        group = SimulatedGroup(item.group.id, item.group.name, item.group.participant) if item.group else None
        messages.append(
            {
                "sender": item.from_,
                "sender_lid": item.from_lid,
                "body": item.body,
                "name": item.name,
                "wa_message_id": item.wa_message_id,
                "quoted_wa_message_id": item.quoted_wa_message_id,
                "media": media,
                "group": group,
                "from_me": item.from_me,
            }
        )
    return HistoryOut(await sim.history(data.whatsapp_id, messages))


@post("/whatsapps/{whatsapp_id:int}/state", status_code=202, responses=errors(*AUTHED, 403, 404, 409))
async def simulate_connection_state(
    whatsapp_id: PathId,
    data: JSONBody[StateIn],
    viewer: FromDishka[Viewer],
    transport: FromDishka[Transport],
    connections: FromDishka[GetWhatsApp],
) -> Accepted:
    """WhatsApp ends the connection's session: `OUTDATED` (this client version is refused; no reconnect),
    `LOGGED_OUT` (the phone removed the device; starting the session shows a new QR) or `BANNED` until
    `bannedUntil` (required; the session comes back `CONNECTED` by itself after it). Each is pushed as
    `whatsapp:connection`."""
    sim = await _simulator(transport, viewer, connections, whatsapp_id)
    await sim.set_state(whatsapp_id, ConnectionStatus(data.status), data.banned_until)
    return Accepted()


router = DishkaRouter(
    "/dev/simulator",
    route_handlers=[decrypt, lid_mapping, call, history, simulate_connection_state],
    tags=["simulator"],
)
