"""/whatsapps: connections (everyone reads, admins write) and their WhatsApp session control (admin)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Annotated, Literal

import msgspec
import segno
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import Response, delete, get, post, put
from litestar.params import JSONBody, QueryParameter

from whaticket_core.domain.message import MAX_BODY_LENGTH
from whaticket_core.domain.visibility import Viewer
from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp
from whaticket_core.use_cases.connections.whatsapp_sessions import (
    GetQrCode,
    GetQrCodeCommand,
    LogoutSession,
    LogoutSessionCommand,
    RequestPairCode,
    RequestPairCodeCommand,
    StartSession,
    StartSessionCommand,
)
from whaticket_core.use_cases.connections.whatsapps import (
    CreateWhatsApp,
    CreateWhatsAppCommand,
    DeleteWhatsApp,
    DeleteWhatsAppCommand,
    GetWhatsApp,
    GetWhatsAppCommand,
    ListWhatsApps,
    ListWhatsAppsCommand,
    UpdateWhatsApp,
    UpdateWhatsAppCommand,
)

from .common import AUTHED, BodyId, Limit, Name, Offset, PathId, Search, errors, offset_query

Greeting = Annotated[str, msgspec.Meta(max_length=MAX_BODY_LENGTH)]
IdList = Annotated[list[BodyId], msgspec.Meta(max_length=1000)]
Phone = Annotated[str, msgspec.Meta(min_length=1, max_length=32, description="The phone's number, any format")]
QrFormat = Annotated[
    Literal["png", "svg", "json"],
    QueryParameter(description="png (default), svg, or json (`{qrcode, png}`: the text and a PNG data URL)"),
]


class WhatsAppOut(msgspec.Struct, rename="camel"):
    id: int
    name: str
    status: ConnectionStatus
    number: str | None
    is_default: bool
    greeting_message: str
    farewell_message: str
    queue_ids: list[int]
    updated_at: datetime
    reject_calls: bool = False
    call_reject_message: str = ""
    # With status BANNED: when WhatsApp lifts the ban.
    banned_until: datetime | None = None


class WhatsAppPage(msgspec.Struct, rename="camel"):
    items: list[WhatsAppOut]
    total: int
    limit: int
    offset: int


class WhatsAppCreateIn(msgspec.Struct, rename="camel"):
    name: Name
    is_default: bool = False
    greeting_message: Greeting = ""
    farewell_message: Greeting = ""
    queue_ids: IdList = []
    reject_calls: bool = False
    call_reject_message: Greeting = ""


class WhatsAppUpdateIn(msgspec.Struct, rename="camel"):
    name: Name | None = None
    is_default: bool | None = None
    greeting_message: Greeting | None = None
    farewell_message: Greeting | None = None
    queue_ids: IdList | None = None
    reject_calls: bool | None = None
    call_reject_message: Greeting | None = None


class PairCodeIn(msgspec.Struct, rename="camel"):
    phone_number: Phone


class PairCodeOut(msgspec.Struct, rename="camel"):
    code: str


class QrCodeOut(msgspec.Struct, rename="camel"):
    """The QR code as text (what a client library renders) and as a PNG data URL (for ``<img src>``)."""

    qrcode: str
    png: Annotated[str, msgspec.Meta(pattern="^data:image/png;base64,")]


def whatsapp_out(w: WhatsApp) -> WhatsAppOut:
    return WhatsAppOut(
        id=w.id,
        name=w.name,
        status=w.status,
        number=w.number,
        is_default=w.is_default,
        greeting_message=w.greeting_message,
        farewell_message=w.farewell_message,
        queue_ids=list(w.queue_ids),
        updated_at=w.updated_at,
        reject_calls=w.reject_calls,
        call_reject_message=w.call_reject_message,
        banned_until=w.banned_until,
    )


@get("/", responses=errors(*AUTHED))
async def list_whatsapps(
    viewer: FromDishka[Viewer],
    use_case: FromDishka[ListWhatsApps],
    limit: Limit = 20,
    offset: Offset = 0,
    search: Search = None,
) -> WhatsAppPage:
    """Connections; `search` matches name or number."""
    page = await use_case.execute(ListWhatsAppsCommand(viewer, offset_query(limit, offset, search)))
    return WhatsAppPage([whatsapp_out(w) for w in page.items], page.total, page.limit, page.offset)


@get("/{whatsapp_id:int}", responses=errors(*AUTHED, 404))
async def get_whatsapp(
    whatsapp_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[GetWhatsApp]
) -> WhatsAppOut:
    """One connection."""
    return whatsapp_out(await use_case.execute(GetWhatsAppCommand(viewer, whatsapp_id)))


@post("/", status_code=201, responses=errors(*AUTHED, 403, 404, 409))
async def create_whatsapp(
    data: JSONBody[WhatsAppCreateIn], viewer: FromDishka[Viewer], use_case: FromDishka[CreateWhatsApp]
) -> WhatsAppOut:
    """Create a connection (admin). The first one becomes the default. With `rejectCalls` incoming WhatsApp calls
    are declined (and `callRejectMessage`, when set, is sent to the caller); every call is recorded in the
    customer's ticket as a `call` message."""
    command = CreateWhatsAppCommand(
        viewer,
        data.name,
        data.is_default,
        data.greeting_message,
        data.farewell_message,
        tuple(data.queue_ids),
        reject_calls=data.reject_calls,
        call_reject_message=data.call_reject_message,
    )
    return whatsapp_out(await use_case.execute(command))


@put("/{whatsapp_id:int}", responses=errors(*AUTHED, 403, 404, 409))
async def update_whatsapp(
    whatsapp_id: PathId,
    data: JSONBody[WhatsAppUpdateIn],
    viewer: FromDishka[Viewer],
    use_case: FromDishka[UpdateWhatsApp],
) -> WhatsAppOut:
    """Partial update (admin)."""
    command = UpdateWhatsAppCommand(
        viewer,
        whatsapp_id,
        data.name,
        data.is_default,
        data.greeting_message,
        data.farewell_message,
        None if data.queue_ids is None else tuple(data.queue_ids),
        reject_calls=data.reject_calls,
        call_reject_message=data.call_reject_message,
    )
    return whatsapp_out(await use_case.execute(command))


@delete("/{whatsapp_id:int}", status_code=204, responses=errors(*AUTHED, 403, 404, 409))
async def delete_whatsapp(
    whatsapp_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[DeleteWhatsApp]
) -> None:
    """Delete a connection (admin)."""
    await use_case.execute(DeleteWhatsAppCommand(viewer, whatsapp_id))


@post("/{whatsapp_id:int}/session", status_code=200, responses=errors(*AUTHED, 403, 404, 409))
async def start_session(
    whatsapp_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[StartSession]
) -> WhatsAppOut:
    """Start the WhatsApp session (admin); QR codes follow as `whatsapp:qrcode` events."""
    return whatsapp_out(await use_case.execute(StartSessionCommand(viewer, whatsapp_id)))


@delete("/{whatsapp_id:int}/session", status_code=204, responses=errors(*AUTHED, 403, 404, 409))
async def logout_session(whatsapp_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[LogoutSession]) -> None:
    """Log out and forget the linked device (admin)."""
    await use_case.execute(LogoutSessionCommand(viewer, whatsapp_id))


@get(
    "/{whatsapp_id:int}/qrcode",
    responses=errors(*AUTHED, 403, 404),
    media_type="image/png",
)
async def qrcode(
    whatsapp_id: PathId, viewer: FromDishka[Viewer], use_case: FromDishka[GetQrCode], format: QrFormat = "png"
) -> Response[bytes]:
    """The current QR code as `image/png`, `?format=svg` or `?format=json` (`{qrcode, png}` with a PNG data URL, for
    `<img src>`); 404 when the connection shows none (admin)."""
    data = await use_case.execute(GetQrCodeCommand(viewer, whatsapp_id))
    out = io.BytesIO()
    qr = segno.make(data, error="m", micro=False)
    if format == "json":
        png = qr.png_data_uri(scale=6, border=2)
        body = msgspec.json.encode(QrCodeOut(data, png))
        return Response(body, media_type="application/json", headers={"Cache-Control": "no-store"})
    if format == "svg":
        qr.save(out, kind="svg", scale=6, border=2)
        return Response(out.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
    qr.save(out, kind="png", scale=6, border=2)
    return Response(out.getvalue(), media_type="image/png", headers={"Cache-Control": "no-store"})


@post("/{whatsapp_id:int}/pair-code", status_code=200, responses=errors(*AUTHED, 403, 404, 409))
async def pair_code(
    whatsapp_id: PathId, data: JSONBody[PairCodeIn], viewer: FromDishka[Viewer], use_case: FromDishka[RequestPairCode]
) -> PairCodeOut:
    """A code to type on the phone to link it instead of scanning a QR (admin)."""
    result = await use_case.execute(RequestPairCodeCommand(viewer, whatsapp_id, data.phone_number))
    return PairCodeOut(result.code)


router = DishkaRouter(
    "/whatsapps",
    tags=["whatsapps"],
    route_handlers=[
        list_whatsapps,
        get_whatsapp,
        create_whatsapp,
        update_whatsapp,
        delete_whatsapp,
        start_session,
        logout_session,
        qrcode,
        pair_code,
    ],
)
