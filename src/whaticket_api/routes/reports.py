"""/reports: figures for admins and supervisors, from the events recorded when things happened."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from dishka import FromDishka
from dishka.integrations.litestar import DishkaRouter
from litestar import Request, get
from litestar.params import QueryParameter

from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.reports import Percentiles, ReportFigures
from whaticket_core.domain.visibility import Viewer
from whaticket_core.use_cases.reports.report_summary import GetReportSummary, GetReportSummaryCommand

from .common import AUTHED, MAX_ID, errors


class PercentilesOut(msgspec.Struct, rename="camel"):
    p50: float | None
    p90: float | None


class TicketTotalsOut(msgspec.Struct, rename="camel"):
    created: int
    closed: int


class RatingOut(msgspec.Struct, rename="camel"):
    count: int
    average: float | None


class QueueFiguresOut(msgspec.Struct, rename="camel"):
    queue_id: int | None
    tickets: TicketTotalsOut
    first_response_seconds: PercentilesOut
    resolution_seconds: PercentilesOut
    rating: RatingOut


class UserFiguresOut(msgspec.Struct, rename="camel"):
    user_id: int | None
    tickets: TicketTotalsOut
    first_response_seconds: PercentilesOut
    resolution_seconds: PercentilesOut
    rating: RatingOut


class ReportSummaryOut(msgspec.Struct, rename="camel"):
    from_: datetime = msgspec.field(name="from")
    to: datetime
    tickets: TicketTotalsOut
    first_response_seconds: PercentilesOut
    resolution_seconds: PercentilesOut
    rating: RatingOut
    by_queue: list[QueueFiguresOut]
    by_user: list[UserFiguresOut]


def _spread(p: Percentiles) -> PercentilesOut:
    return PercentilesOut(p.p50, p.p90)


# An ISO 8601 date or date-time. The query decoder would also take a bare number as a Unix timestamp (``to=0.5``),
# which the document does not promise and a typo should not silently become 1970.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _check_iso(request: Request[Any, Any, Any], *names: str) -> None:
    for name in names:
        raw = request.query_params.get(name)
        if raw is not None and not _ISO_DATE.match(raw):
            raise InvalidInput(f"{name} must be an ISO 8601 date-time", name)


def _utc(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


@get("/summary", responses=errors(*AUTHED, 403, 404))
async def report_summary(
    request: Request[Any, Any, Any],
    viewer: FromDishka[Viewer],
    use_case: FromDishka[GetReportSummary],
    from_: Annotated[datetime | None, QueryParameter(name="from", description="Start (inclusive), ISO 8601")] = None,
    to: Annotated[datetime | None, QueryParameter(description="End (exclusive), ISO 8601; default now")] = None,
    queue_id: Annotated[int | None, QueryParameter(name="queueId", ge=1, le=MAX_ID)] = None,
    user_id: Annotated[int | None, QueryParameter(name="userId", ge=1, le=MAX_ID)] = None,
) -> ReportSummaryOut:
    """Tickets created and closed, first-response and resolution times (p50, p90, in seconds) and ratings over
    `[from, to)` (default: the last 30 days), in total, per queue and per agent. Admins and supervisors."""
    _check_iso(request, "from", "to")
    report, summary = await use_case.execute(GetReportSummaryCommand(viewer, _utc(from_), _utc(to), queue_id, user_id))

    def parts(f: ReportFigures) -> tuple[TicketTotalsOut, PercentilesOut, PercentilesOut, RatingOut]:
        return (
            TicketTotalsOut(f.created, f.closed),
            _spread(f.first_response),
            _spread(f.resolution),
            RatingOut(f.rating_count, f.rating_average),
        )

    tickets, first, resolution, rating = parts(summary.totals)
    return ReportSummaryOut(
        from_=report.start,
        to=report.end,
        tickets=tickets,
        first_response_seconds=first,
        resolution_seconds=resolution,
        rating=rating,
        by_queue=[QueueFiguresOut(q, *parts(f)) for q, f in summary.by_queue],
        by_user=[UserFiguresOut(u, *parts(f)) for u, f in summary.by_user],
    )


router = DishkaRouter("/reports", route_handlers=[report_summary], tags=["reports"])
