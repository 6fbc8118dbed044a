"""Business hours: reading and setting schedules, and the away message on a controllable clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fake_world import World

from whaticket_core.domain.business_hours import COMPANY, HoursScope, HoursTarget, TimeRange
from whaticket_core.domain.errors import ActionForbidden, InvalidInput, QueueNotFound, WhatsAppNotFound
from whaticket_core.domain.events import MessageCreated, TicketUpdated
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.use_cases.automation.business_hours import (
    DeleteBusinessHours,
    DeleteBusinessHoursCommand,
    GetBusinessHours,
    GetBusinessHoursCommand,
    UpdateBusinessHours,
    UpdateBusinessHoursCommand,
)
from whaticket_core.use_cases.automation.reply_outside_hours import ReplyOutsideHours, ReplyOutsideHoursCommand

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
NUMBER = "5511999990001"
AWAY = "We are closed; we answer from 08:00."
WEEKDAYS_8_TO_18 = {day: [("08:00", "18:00")] for day in ("mon", "tue", "wed", "thu", "fri")}


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SAO_PAULO)


async def set_hours(world: World, target: HoursTarget = COMPANY, **fields: Any) -> None:
    admin = await world.viewer(role=Role.ADMIN)
    command = UpdateBusinessHoursCommand(admin, target, **fields)
    await UpdateBusinessHours(world.uow()).execute(command)


async def company_hours(world: World, **extra: Any) -> None:
    fields: dict[str, Any] = {
        "timezone": "America/Sao_Paulo",
        "week": {**WEEKDAYS_8_TO_18, "sat": [], "sun": []},
        "away_message": AWAY,
    }
    fields.update(extra)
    await set_hours(world, **fields)


def away_messages(world: World) -> list[str]:
    return [m.body for m in sorted(world.state.messages.values(), key=lambda m: m.id) if m.from_me]


async def customer_writes(world: World, whatsapp_id: int, body: str = "hello") -> int:
    """The inbound flow: ReceiveMessage, then the away-message follow-up (as the transport handler runs them)."""
    received = await world.inbound(whatsapp_id, NUMBER, body)
    reply = ReplyOutsideHours(world.uow(), world.clock, world.publisher, world.jobs, world.presence)
    await reply.execute(ReplyOutsideHoursCommand(received.ticket_id))
    return received.ticket_id


# ---- reading and setting ----------------------------------------------------------------------------------------


async def test_without_any_schedule_the_company_is_always_open_and_silent(world: World) -> None:
    admin = await world.viewer(role=Role.ADMIN)
    found = await GetBusinessHours(world.uow()).execute(GetBusinessHoursCommand(admin, COMPANY))
    assert found.scope is HoursScope.COMPANY
    assert found.hours.timezone == "UTC"
    assert found.hours.week == ((TimeRange(0, 1440),),) * 7
    assert found.hours.away_message == ""


async def test_a_queue_inherits_the_company_default_until_it_gets_its_own(world: World) -> None:
    admin = await world.viewer(role=Role.ADMIN)
    queue = await world.add_queue()
    await company_hours(world)
    target = HoursTarget(HoursScope.QUEUE, queue.id)
    inherited = await GetBusinessHours(world.uow()).execute(GetBusinessHoursCommand(admin, target))
    assert (inherited.scope, inherited.hours.timezone) == (HoursScope.COMPANY, "America/Sao_Paulo")

    await set_hours(world, target, week={"sat": [("09:00", "12:00")]})  # partial: starts from the inherited one
    own = await GetBusinessHours(world.uow()).execute(GetBusinessHoursCommand(admin, target))
    assert own.scope is HoursScope.QUEUE
    assert own.hours.timezone == "America/Sao_Paulo"
    assert own.hours.week[0] == (TimeRange(480, 1080),)
    assert own.hours.week[5] == (TimeRange(540, 720),)
    assert own.hours.away_message == AWAY


async def test_deleting_a_queue_drops_its_schedule(world: World) -> None:
    queue = await world.add_queue()
    await set_hours(world, HoursTarget(HoursScope.QUEUE, queue.id), away_message="x")
    async with world.uow() as uow:
        await uow.queues.delete(queue.id)
        await uow.commit()
    assert f"queue:{queue.id}" not in world.state.business_hours


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "../etc/passwd"}, "timezone"),
        ({"week": {"mon": [("18:00", "08:00")]}}, "week.mon"),
        ({"week": {"mon": [("08:00", "12:00"), ("11:00", "13:00")]}}, "week.mon"),
        ({"week": {"mon": [("8:00", "12:00")]}}, "week.mon"),
        ({"week": {"mon": [("24:00", "24:00")]}}, "week.mon"),
        ({"week": {"mon": [("08:60", "09:00")]}}, "week.mon"),
        ({"week": {"monday": []}}, "week"),
        ({"exceptions": [("2026-02-30", [])]}, "exceptions"),
        ({"exceptions": [("20261225", [])]}, "exceptions"),
        ({"exceptions": [("2026-12-25", []), ("2026-12-25", [])]}, "exceptions"),
        ({"away_message": "x" * 4097}, "awayMessage"),
    ],
)
async def test_invalid_schedules_are_refused_naming_the_field(world: World, fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        await set_hours(world, **fields)
    assert raised.value.details["fields"] == [field]
    assert world.state.business_hours == {}


async def test_a_range_may_end_at_midnight(world: World) -> None:
    await set_hours(world, week={"fri": [("22:00", "24:00")]})
    assert world.state.business_hours["company"].week[4] == (TimeRange(1320, 1440),)


async def test_only_admins_manage_business_hours(world: World) -> None:
    supervisor = await world.viewer(role=Role.SUPERVISOR)
    with pytest.raises(ActionForbidden):
        await GetBusinessHours(world.uow()).execute(GetBusinessHoursCommand(supervisor, COMPANY))
    with pytest.raises(ActionForbidden):
        await UpdateBusinessHours(world.uow()).execute(
            UpdateBusinessHoursCommand(supervisor, COMPANY, away_message="x")
        )


async def test_unknown_targets_are_not_found(world: World) -> None:
    admin = await world.viewer(role=Role.ADMIN)
    with pytest.raises(QueueNotFound):
        await GetBusinessHours(world.uow()).execute(GetBusinessHoursCommand(admin, HoursTarget(HoursScope.QUEUE, 9)))
    with pytest.raises(WhatsAppNotFound):
        await set_hours(world, HoursTarget(HoursScope.WHATSAPP, 9), away_message="x")


# ---- the away message -------------------------------------------------------------------------------------------


async def test_inside_hours_nothing_is_sent(world: World) -> None:
    wa = await world.add_whatsapp()
    await company_hours(world)
    world.clock.set(local(2026, 3, 4, 10, 0))  # a Wednesday morning
    await customer_writes(world, wa.id)
    assert away_messages(world) == []


async def test_outside_hours_the_away_message_is_sent_once_per_closed_period(world: World) -> None:
    wa = await world.add_whatsapp()
    await company_hours(world)
    world.clock.set(local(2026, 3, 4, 19, 0))  # Wednesday evening
    ticket_id = await customer_writes(world, wa.id)
    assert away_messages(world) == [AWAY]
    [message] = [m for m in world.state.messages.values() if m.from_me]
    assert DeliverMessageJob(message.id) in world.jobs.waiting
    assert world.publisher.of_type(MessageCreated)[-1].message.body == AWAY
    assert world.publisher.of_type(TicketUpdated)[-1].ticket.last_message == AWAY

    world.clock.set(local(2026, 3, 5, 7, 59))  # still the same night
    await customer_writes(world, wa.id, "anyone?")
    assert away_messages(world) == [AWAY]

    world.clock.set(local(2026, 3, 5, 18, 30))  # the next evening: a new closed period
    assert await customer_writes(world, wa.id, "again") == ticket_id
    assert away_messages(world) == [AWAY, AWAY]


async def test_the_weekend_is_one_closed_period_and_a_holiday_closes_a_weekday(world: World) -> None:
    wa = await world.add_whatsapp()
    await company_hours(world, exceptions=[("2026-03-09", [])])  # Monday off
    world.clock.set(local(2026, 3, 6, 18, 0))  # Friday 18:00: the range's end is not part of it
    await customer_writes(world, wa.id)
    for at in (local(2026, 3, 7, 12, 0), local(2026, 3, 8, 23, 0), local(2026, 3, 9, 10, 0)):
        world.clock.set(at)
        await customer_writes(world, wa.id)
    assert away_messages(world) == [AWAY]
    world.clock.set(local(2026, 3, 10, 10, 0))  # Tuesday: open
    await customer_writes(world, wa.id)
    assert away_messages(world) == [AWAY]


async def test_the_queue_schedule_wins_over_the_connection_and_the_company(world: World) -> None:
    queue = await world.add_queue()
    wa = await world.add_whatsapp(queue_ids=(queue.id,))  # one queue: the bot puts the ticket in it
    await company_hours(world)
    await set_hours(world, HoursTarget(HoursScope.WHATSAPP, wa.id), away_message="connection says closed")
    world.clock.set(local(2026, 3, 4, 20, 0))
    await set_hours(world, HoursTarget(HoursScope.QUEUE, queue.id), week={"wed": [("00:00", "24:00")]})
    await customer_writes(world, wa.id)
    assert away_messages(world) == []  # the queue is open all Wednesday

    world.clock.set(local(2026, 3, 5, 20, 0))  # Thursday evening: the queue's own copy is closed
    await customer_writes(world, wa.id)
    assert away_messages(world) == [AWAY]  # the queue's own copy started from the company default


async def test_a_ticket_without_queue_follows_its_connection(world: World) -> None:
    wa = await world.add_whatsapp()
    await company_hours(world)
    await set_hours(world, HoursTarget(HoursScope.WHATSAPP, wa.id), away_message="connection says closed")
    world.clock.set(local(2026, 3, 5, 20, 0))
    await customer_writes(world, wa.id)
    assert away_messages(world) == ["connection says closed"]


async def test_no_away_message_to_an_open_ticket_whose_agent_is_online(world: World) -> None:
    wa = await world.add_whatsapp()
    agent = await world.add_user()
    await company_hours(world)
    world.clock.set(local(2026, 3, 4, 21, 0))
    ticket_id = (await world.inbound(wa.id, NUMBER)).ticket_id
    async with world.uow() as uow:
        ticket = await uow.tickets.get(ticket_id)
        assert ticket is not None
        ticket.accept(agent.id, world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    world.presence.connect(agent.id)
    await customer_writes(world, wa.id)
    assert away_messages(world) == []

    world.presence.disconnect(agent.id)  # the agent left: the customer is told nobody is there
    await customer_writes(world, wa.id)
    assert away_messages(world) == [AWAY]
    assert world.state.tickets[ticket_id].status is TicketStatus.OPEN


async def test_blank_away_message_sends_nothing(world: World) -> None:
    wa = await world.add_whatsapp()
    await company_hours(world, away_message="   ")
    world.clock.set(local(2026, 3, 4, 23, 0))
    await customer_writes(world, wa.id)
    assert away_messages(world) == []


async def test_a_closed_ticket_gets_nothing(world: World) -> None:
    wa = await world.add_whatsapp()
    await company_hours(world)
    world.clock.set(local(2026, 3, 4, 23, 0))
    ticket_id = (await world.inbound(wa.id, NUMBER)).ticket_id
    async with world.uow() as uow:
        ticket = await uow.tickets.get(ticket_id)
        assert ticket is not None
        ticket.close(world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    reply = ReplyOutsideHours(world.uow(), world.clock, world.publisher, world.jobs, world.presence)
    assert (await reply.execute(ReplyOutsideHoursCommand(ticket_id))).sent_message_id is None


async def test_dst_is_read_in_the_schedule_zone(world: World) -> None:
    """New York springs forward on 2026-03-08: 08:00 local is 13:00 UTC before and 12:00 UTC after."""
    wa = await world.add_whatsapp()
    every_day = {d: [("08:00", "18:00")] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    await set_hours(world, timezone="America/New_York", week=every_day, away_message=AWAY)
    world.clock.set(datetime(2026, 3, 9, 12, 30, tzinfo=UTC))  # 08:30 EDT: open
    await customer_writes(world, wa.id)
    assert away_messages(world) == []
    world.clock.set(datetime(2026, 3, 7, 12, 30, tzinfo=UTC))  # 07:30 EST: closed
    await customer_writes(world, wa.id)
    assert away_messages(world) == [AWAY]
    world.clock.advance(timedelta(hours=12))  # 19:30 EST: closed again, after opening in between
    await customer_writes(world, wa.id)
    assert away_messages(world) == [AWAY, AWAY]


async def test_deleting_a_queue_schedule_makes_it_inherit_again(world: World) -> None:
    admin = await world.viewer(role=Role.ADMIN)
    queue = await world.add_queue()
    target = HoursTarget(HoursScope.QUEUE, queue.id)
    await company_hours(world)
    await set_hours(world, target, away_message="queue text")
    await DeleteBusinessHours(world.uow()).execute(DeleteBusinessHoursCommand(admin, target))
    found = await GetBusinessHours(world.uow()).execute(GetBusinessHoursCommand(admin, target))
    assert (found.scope, found.hours.away_message) == (HoursScope.COMPANY, AWAY)
    supervisor = await world.viewer(role=Role.SUPERVISOR)
    with pytest.raises(ActionForbidden):
        await DeleteBusinessHours(world.uow()).execute(DeleteBusinessHoursCommand(supervisor, COMPANY))
    with pytest.raises(QueueNotFound):
        await DeleteBusinessHours(world.uow()).execute(
            DeleteBusinessHoursCommand(admin, HoursTarget(HoursScope.QUEUE, 99))
        )
