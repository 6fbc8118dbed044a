"""Business hours across time zones and DST changes, checked against a minute-by-minute walk of the clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

from fake_world import World
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whaticket_core.domain.business_hours import COMPANY, DAY_MINUTES, BusinessHours, TimeRange
from whaticket_core.use_cases.automation.reply_outside_hours import ReplyOutsideHours, ReplyOutsideHoursCommand

# Zones with DST both ways, half-hour and 45-minute offsets, and one without DST.
ZONES = [
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Australia/Sydney",
    "America/St_Johns",
    "Asia/Kathmandu",
    "Africa/Casablanca",
    "Pacific/Chatham",
    "America/Santiago",  # changes at local midnight
    "Asia/Beirut",  # changes at local midnight
    "UTC",
]
# DST changes in 2026 (northern spring and autumn, southern spring and autumn), so most draws straddle one.
ANCHORS = [
    datetime(2026, 3, 8, tzinfo=UTC),
    datetime(2026, 3, 29, tzinfo=UTC),
    datetime(2026, 4, 5, tzinfo=UTC),
    datetime(2026, 10, 4, tzinfo=UTC),
    datetime(2026, 10, 25, tzinfo=UTC),
    datetime(2026, 11, 1, tzinfo=UTC),
    datetime(2026, 9, 6, tzinfo=UTC),
]


@st.composite
def day_ranges(draw: st.DrawFn) -> tuple[TimeRange, ...]:
    # Boundaries on the quarter hour, around the hours DST changes happen at (0:00-4:00) and a business day.
    quarter = st.one_of(st.integers(0, 4 * 4), st.integers(0, DAY_MINUTES // 15))
    points = sorted(draw(st.sets(quarter, max_size=4)))
    minutes = [p * 15 for p in points]
    return tuple(TimeRange(a, b) for a, b in zip(minutes[::2], minutes[1::2], strict=False) if a < b)


@st.composite
def schedules(draw: st.DrawFn) -> BusinessHours:
    week = tuple(draw(day_ranges()) for _ in range(7))
    exceptions = {
        day: draw(day_ranges()) for day in draw(st.sets(st.dates(date(2026, 3, 1), date(2026, 11, 10)), max_size=3))
    }
    return BusinessHours(timezone=draw(st.sampled_from(ZONES)), week=week, exceptions=exceptions, away_message="away")


def first_opening_by_walking(hours: BusinessHours, after: datetime, limit: datetime) -> datetime | None:
    minute = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    was_open = hours.is_open(minute - timedelta(minutes=1))
    while minute <= limit:
        now_open = hours.is_open(minute)
        if now_open and not was_open:
            return minute
        was_open = now_open
        minute += timedelta(minutes=1)
    return None


instants = st.builds(
    lambda anchor, minutes: anchor + timedelta(minutes=minutes),
    st.sampled_from(ANCHORS),
    st.integers(-3 * DAY_MINUTES, 3 * DAY_MINUTES),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules(), instants)
def test_next_opening_is_the_first_minute_the_clock_walks_into_an_open_range(
    hours: BusinessHours, after: datetime
) -> None:
    limit = after + timedelta(days=2)
    expected = first_opening_by_walking(hours, after, limit)
    found = hours.next_opening(after)
    if expected is None:
        assert found is None or found > limit
    else:
        assert found == expected


@settings(max_examples=150, deadline=None)
@given(schedules(), instants)
def test_is_open_reads_the_local_wall_clock(hours: BusinessHours, at: datetime) -> None:
    local = at.astimezone(hours.zone)
    minute = local.hour * 60 + local.minute
    ranges = hours.exceptions.get(local.date(), hours.week[local.weekday()])
    assert hours.is_open(at) == any(r.start <= minute < r.end for r in ranges)


def opened_between(hours: BusinessHours, start: datetime, end: datetime) -> bool:
    """Whether the walking clock enters an open minute in (start, end]."""
    found = first_opening_by_walking(hours, start, end)
    return found is not None and found <= end


async def _away_count(hours: BusinessHours, instants: list[datetime]) -> list[bool]:
    world = World()
    wa = await world.add_whatsapp()
    async with world.uow() as uow:
        await uow.business_hours.put(COMPANY, hours)
        await uow.commit()
    sent: list[bool] = []
    for at in instants:
        world.clock.set(at)
        received = await world.inbound(wa.id, "5511999990001")
        reply = ReplyOutsideHours(world.uow(), world.clock, world.publisher, world.jobs, world.presence)
        result = await reply.execute(ReplyOutsideHoursCommand(received.ticket_id))
        sent.append(result.sent_message_id is not None)
    return sent


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules(), st.sampled_from(ANCHORS), st.lists(st.integers(-DAY_MINUTES, DAY_MINUTES), min_size=1, max_size=6))
def test_away_message_once_per_closed_period_across_zones_and_dst(
    hours: BusinessHours, anchor: datetime, offsets: list[int]
) -> None:
    instants = [anchor + timedelta(minutes=m) for m in sorted(set(offsets))]
    sent = asyncio.run(_away_count(hours, instants))
    last_sent: datetime | None = None
    for at, was_sent in zip(instants, sent, strict=True):
        expected = not hours.is_open(at) and (last_sent is None or opened_between(hours, last_sent, at))
        assert was_sent == expected, (at, last_sent)
        if was_sent:
            last_sent = at


def test_a_range_starting_at_a_midnight_the_clock_skips_opens_when_the_clock_jumps() -> None:
    """Santiago springs forward at 00:00 on 2026-09-06 (the clock goes from 23:59 to 01:00)."""
    sunday_only = ((),) * 6 + ((TimeRange(0, 8 * 60),),)
    hours = BusinessHours(timezone="America/Santiago", week=sunday_only)
    saturday_evening = datetime(2026, 9, 5, 23, 0, tzinfo=UTC)  # 19:00 local, closed
    opening = hours.next_opening(saturday_evening)
    assert opening == datetime(2026, 9, 6, 4, 0, tzinfo=UTC)  # 01:00 local, the first minute of that Sunday
    assert opening == first_opening_by_walking(hours, saturday_evening, saturday_evening + timedelta(days=2))


def test_a_range_in_the_hour_a_midnight_fall_back_repeats_opens_twice() -> None:
    """Santiago falls back at 00:00 on 2026-04-05: Saturday 23:00-23:59 happens twice."""
    saturday_late = ((),) * 5 + ((TimeRange(23 * 60, 23 * 60 + 30),), ())
    hours = BusinessHours(timezone="America/Santiago", week=saturday_late)
    first = hours.next_opening(datetime(2026, 4, 4, 12, 0, tzinfo=UTC))
    assert first == datetime(2026, 4, 5, 2, 0, tzinfo=UTC)  # 23:00 -03
    assert first is not None
    second = hours.next_opening(first)
    assert second == datetime(2026, 4, 5, 3, 0, tzinfo=UTC)  # 23:00 -04, an hour later
    assert second == first_opening_by_walking(hours, first, first + timedelta(days=1))
