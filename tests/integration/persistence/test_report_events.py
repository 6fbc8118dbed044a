"""ReportEventRepository, ReportQueries and a ticket's rating: the same events give the same summary on the fakes,
SQLite (percentiles in Python) and PostgreSQL (percentile_cont in SQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from persistence_builders import T0, seed_conversation

from whaticket_core.domain.reports import (
    Percentiles,
    ReportEvent,
    ReportEventKind,
    ReportFigures,
    ReportFilter,
)

K = ReportEventKind
DAY = ReportFilter(T0, T0 + timedelta(days=1))


async def _seed(backend) -> None:
    # Queue 1 / agent 10: first responses 60, 120, 300 s; closes 600, 3600 s; ratings 5, 4.
    # Queue 2 / agent 20: first response 30 s; close 900 s; rating 1. One created event is outside the day.
    events = [
        ReportEvent(K.CREATED, 1, T0, queue_id=1),
        ReportEvent(K.CREATED, 2, T0 + timedelta(minutes=1), queue_id=1),
        ReportEvent(K.CREATED, 3, T0 + timedelta(minutes=2), queue_id=1),
        ReportEvent(K.CREATED, 4, T0 + timedelta(minutes=3), queue_id=2),
        ReportEvent(K.CREATED, 5, T0 + timedelta(days=1)),  # the end is exclusive
        ReportEvent(K.FIRST_RESPONSE, 1, T0 + timedelta(minutes=5), 1, 10, seconds=60),
        ReportEvent(K.FIRST_RESPONSE, 2, T0 + timedelta(minutes=6), 1, 10, seconds=120),
        ReportEvent(K.FIRST_RESPONSE, 3, T0 + timedelta(minutes=7), 1, 10, seconds=300),
        ReportEvent(K.FIRST_RESPONSE, 4, T0 + timedelta(minutes=8), 2, 20, seconds=30),
        ReportEvent(K.CLOSED, 1, T0 + timedelta(hours=1), 1, 10, seconds=600),
        ReportEvent(K.CLOSED, 2, T0 + timedelta(hours=2), 1, 10, seconds=3600),
        ReportEvent(K.CLOSED, 4, T0 + timedelta(hours=3), 2, 20, seconds=900),
        ReportEvent(K.RATING, 1, T0 + timedelta(hours=4), 1, 10, value=5),
        ReportEvent(K.RATING, 2, T0 + timedelta(hours=5), 1, 10, value=4),
        ReportEvent(K.RATING, 4, T0 + timedelta(hours=6), 2, 20, value=1),
    ]
    async with backend.new_uow() as uow:
        for event in events:
            added = await uow.report_events.add(event)
            assert added.id > 0
        await uow.commit()


async def test_exists_finds_a_ticket_event_of_a_kind(backend):
    async with backend.new_uow() as uow:
        await uow.report_events.add(ReportEvent(K.FIRST_RESPONSE, 7, T0, seconds=5))
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.report_events.exists(7, K.FIRST_RESPONSE)
        assert not await uow.report_events.exists(7, K.CLOSED)
        assert not await uow.report_events.exists(8, K.FIRST_RESPONSE)


async def test_summary_counts_percentiles_and_ratings_in_total_and_per_group(backend):
    await _seed(backend)
    summary = await backend.reports.summary(DAY)
    assert summary.totals == ReportFigures(
        created=4,
        closed=3,
        first_response=Percentiles(90.0, pytest.approx(246.0)),
        resolution=Percentiles(900.0, pytest.approx(3060.0)),
        rating_count=3,
        rating_average=pytest.approx(10 / 3),
    )
    assert [q for q, _ in summary.by_queue] == [1, 2]
    queue_one = dict(summary.by_queue)[1]
    assert (queue_one.created, queue_one.closed, queue_one.rating_count) == (3, 2, 2)
    assert queue_one.first_response == Percentiles(120.0, pytest.approx(264.0))
    assert queue_one.resolution == Percentiles(2100.0, pytest.approx(3300.0))
    assert queue_one.rating_average == pytest.approx(4.5)
    # The created events carry no agent: they form the "no agent" group, listed last.
    assert [u for u, _ in summary.by_user] == [10, 20, None]
    assert dict(summary.by_user)[None].created == 4


async def test_summary_filters_by_queue_user_and_range(backend):
    await _seed(backend)
    agent_two = await backend.reports.summary(ReportFilter(DAY.start, DAY.end, user_id=20))
    assert agent_two.totals == ReportFigures(0, 1, Percentiles(30.0, 30.0), Percentiles(900.0, 900.0), 1, 1.0)
    queue_two = await backend.reports.summary(ReportFilter(DAY.start, DAY.end, queue_id=2))
    assert (queue_two.totals.created, queue_two.totals.closed) == (1, 1)
    empty = await backend.reports.summary(ReportFilter(T0 - timedelta(days=2), T0 - timedelta(days=1)))
    assert empty.totals == ReportFigures()
    assert (empty.by_queue, empty.by_user) == ((), ())


async def test_a_ticket_keeps_its_rating_and_pending_question(backend):
    _c, _w, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        ticket = await uow.tickets.get(t.id, for_update=True)
        ticket.close(T0)
        ticket.request_rating(T0)
        await uow.tickets.save(ticket)
        await uow.commit()
    async with backend.new_uow() as uow:
        stored = await uow.tickets.get(t.id)
        assert stored.rating_requested_at == T0
        stored.rate(5, T0 + timedelta(minutes=3))
        await uow.tickets.save(stored)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert (await uow.tickets.get(t.id)).rating == 5
    assert (await backend.tickets.get_ticket(t.id)).rating == 5
