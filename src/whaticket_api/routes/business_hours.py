"""/business-hours: when the company answers, per connection and per queue with a company default (admins)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import delete, get, put
from litestar.params import JSONBody, QueryParameter

from whaticket_core.domain.business_hours import COMPANY, WEEKDAYS, HoursScope, HoursTarget, Ranges
from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.automation.business_hours import (
    DeleteBusinessHours,
    DeleteBusinessHoursCommand,
    EffectiveHours,
    GetBusinessHours,
    GetBusinessHoursCommand,
    RawRanges,
    UpdateBusinessHours,
    UpdateBusinessHoursCommand,
)

from .common import AUTHED, MAX_ID, errors

Time = Annotated[str, msgspec.Meta(pattern=r"^\d\d:\d\d$", examples=["08:00"], description="HH:MM; 24:00 ends a day")]
Range = Annotated[list[Time], msgspec.Meta(min_length=2, max_length=2, description='["08:00", "18:00"]')]
DayRanges = Annotated[list[Range], msgspec.Meta(max_length=12)]
IsoDate = Annotated[str, msgspec.Meta(pattern=r"^\d{4}-\d{2}-\d{2}$", examples=["2026-12-25"])]
WhatsAppQuery = Annotated[
    int | None, QueryParameter(name="whatsappId", ge=1, le=MAX_ID, description="A connection's own schedule")
]
QueueQuery = Annotated[
    int | None, QueryParameter(name="queueId", ge=1, le=MAX_ID, description="A queue's own schedule")
]


class WeekOut(msgspec.Struct):
    mon: list[list[str]]
    tue: list[list[str]]
    wed: list[list[str]]
    thu: list[list[str]]
    fri: list[list[str]]
    sat: list[list[str]]
    sun: list[list[str]]


class WeekIn(msgspec.Struct, forbid_unknown_fields=True):
    mon: DayRanges | None = None
    tue: DayRanges | None = None
    wed: DayRanges | None = None
    thu: DayRanges | None = None
    fri: DayRanges | None = None
    sat: DayRanges | None = None
    sun: DayRanges | None = None


class ExceptionDay(msgspec.Struct):
    date: IsoDate
    ranges: DayRanges


class BusinessHoursOut(msgspec.Struct, rename="camel"):
    timezone: str
    week: WeekOut
    exceptions: list[ExceptionDay]
    away_message: str
    # Whose schedule this is: the target's own, or "company" when it inherits the default.
    scope: str


class BusinessHoursIn(msgspec.Struct, rename="camel", forbid_unknown_fields=True):
    timezone: Annotated[str, msgspec.Meta(max_length=64, examples=["America/Sao_Paulo"])] | None = None
    week: WeekIn | None = None
    exceptions: Annotated[list[ExceptionDay], msgspec.Meta(max_length=400)] | None = None
    away_message: Annotated[str, msgspec.Meta(max_length=4096)] | None = None


def _labels(ranges: Ranges) -> list[list[str]]:
    return [list(r.label()) for r in ranges]


def hours_out(found: EffectiveHours) -> BusinessHoursOut:
    hours = found.hours
    week = WeekOut(*(_labels(ranges) for ranges in hours.week))
    exceptions = [ExceptionDay(day.isoformat(), _labels(r)) for day, r in sorted(hours.exceptions.items())]
    return BusinessHoursOut(hours.timezone, week, exceptions, hours.away_message, found.scope.value)


def _target(whatsapp_id: int | None, queue_id: int | None) -> HoursTarget:
    if whatsapp_id is not None and queue_id is not None:
        raise InvalidInput("Give whatsappId or queueId, not both", "whatsappId", "queueId")
    if whatsapp_id is not None:
        return HoursTarget(HoursScope.WHATSAPP, whatsapp_id)
    if queue_id is not None:
        return HoursTarget(HoursScope.QUEUE, queue_id)
    return COMPANY


def _raw(ranges: list[list[str]]) -> RawRanges:
    return [(start, end) for start, end in ranges]


@get("/", responses=errors(*AUTHED, 403, 404))
async def get_business_hours(
    viewer: FromDishka[Viewer],
    use_case: FromDishka[GetBusinessHours],
    whatsapp_id: WhatsAppQuery = None,
    queue_id: QueueQuery = None,
) -> BusinessHoursOut:
    """The schedule of a connection (`whatsappId`), a queue (`queueId`) or, with neither, the company default (admin).
    A target without its own schedule shows the company default with `scope: "company"`; with none at all the
    company is open all week and has no away message."""
    return hours_out(await use_case.execute(GetBusinessHoursCommand(viewer, _target(whatsapp_id, queue_id))))


@put("/", responses=errors(*AUTHED, 403, 404))
async def update_business_hours(
    data: JSONBody[BusinessHoursIn],
    viewer: FromDishka[Viewer],
    use_case: FromDishka[UpdateBusinessHours],
    whatsapp_id: WhatsAppQuery = None,
    queue_id: QueueQuery = None,
) -> BusinessHoursOut:
    """Set a schedule (admin). Partial: absent fields (and absent days of `week`) keep their value; a target without
    its own schedule starts from the one it inherits. `exceptions`, when given, replaces the list."""
    week = None
    if data.week is not None:
        week = {day: _raw(ranges) for day in WEEKDAYS if (ranges := getattr(data.week, day)) is not None}
    exceptions = None
    if data.exceptions is not None:
        exceptions = [(e.date, _raw(e.ranges)) for e in data.exceptions]
    command = UpdateBusinessHoursCommand(
        viewer,
        _target(whatsapp_id, queue_id),
        timezone=data.timezone,
        week=week,
        exceptions=exceptions,
        away_message=data.away_message,
    )
    return hours_out(await use_case.execute(command))


@delete("/", status_code=204, responses=errors(*AUTHED, 403, 404))
async def delete_business_hours(
    viewer: FromDishka[Viewer],
    use_case: FromDishka[DeleteBusinessHours],
    whatsapp_id: WhatsAppQuery = None,
    queue_id: QueueQuery = None,
) -> None:
    """Remove a schedule (admin): a connection or queue inherits the company default again; without an id, the
    company default goes back to open all week with no away message."""
    await use_case.execute(DeleteBusinessHoursCommand(viewer, _target(whatsapp_id, queue_id)))


router = DishkaRouter(
    "/business-hours",
    route_handlers=[get_business_hours, update_business_hours, delete_business_hours],
    tags=["automation"],
)
