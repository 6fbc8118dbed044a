"""BusinessHoursRepository contract, and the tickets' and users' automation fields round-tripping."""

from __future__ import annotations

from datetime import date, timedelta

from persistence_builders import T0, queue, seed_conversation, user, whatsapp

from whaticket_core.domain.business_hours import COMPANY, BusinessHours, HoursScope, HoursTarget, TimeRange

SCHEDULE = BusinessHours(
    timezone="America/Sao_Paulo",
    week=((TimeRange(480, 720), TimeRange(780, 1080)),) * 5 + ((), (TimeRange(0, 1440),)),
    exceptions={date(2026, 12, 25): (), date(2026, 12, 24): (TimeRange(480, 720),)},
    away_message="Closed; back at 08:00.",
)


async def test_schedules_per_target_round_trip_and_replace(backend):
    async with backend.new_uow() as uow:
        wa = await uow.whatsapps.add(whatsapp())
        q = await uow.queues.add(queue())
        await uow.commit()
    wa_target, q_target = HoursTarget(HoursScope.WHATSAPP, wa.id), HoursTarget(HoursScope.QUEUE, q.id)
    async with backend.new_uow() as uow:
        assert await uow.business_hours.get(COMPANY) is None
        await uow.business_hours.put(COMPANY, SCHEDULE)
        await uow.business_hours.put(wa_target, BusinessHours(timezone="Europe/Lisbon"))
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.business_hours.get(COMPANY) == SCHEDULE
        assert await uow.business_hours.get(wa_target) == BusinessHours(timezone="Europe/Lisbon")
        assert await uow.business_hours.get(q_target) is None
        await uow.business_hours.put(COMPANY, BusinessHours(away_message="new"))
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.business_hours.get(COMPANY) == BusinessHours(away_message="new")
        await uow.business_hours.delete(wa_target)
        await uow.business_hours.delete(q_target)  # has none: nothing happens
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.business_hours.get(wa_target) is None
        assert await uow.business_hours.get(COMPANY) == BusinessHours(away_message="new")


async def test_a_schedule_goes_with_its_connection_or_queue(backend):
    async with backend.new_uow() as uow:
        wa = await uow.whatsapps.add(whatsapp())
        q = await uow.queues.add(queue())
        await uow.commit()
    wa_target, q_target = HoursTarget(HoursScope.WHATSAPP, wa.id), HoursTarget(HoursScope.QUEUE, q.id)
    async with backend.new_uow() as uow:
        await uow.business_hours.put(wa_target, SCHEDULE)
        await uow.business_hours.put(q_target, SCHEDULE)
        await uow.commit()
    async with backend.new_uow() as uow:
        await uow.queues.delete(q.id)
        await uow.whatsapps.delete(wa.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.business_hours.get(q_target) is None
        assert await uow.business_hours.get(wa_target) is None


async def test_a_rolled_back_schedule_is_not_stored(backend):
    async with backend.new_uow() as uow:
        await uow.business_hours.put(COMPANY, SCHEDULE)
    async with backend.new_uow() as uow:
        assert await uow.business_hours.get(COMPANY) is None


async def test_ticket_automation_clocks_and_user_capacity_round_trip(backend):
    _, _, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        stored = await uow.tickets.get(t.id)
        assert stored is not None
        assert stored.idle_since == stored.created_at
        stored.idle_since = T0 + timedelta(minutes=5)
        stored.close_warned_at = T0 + timedelta(minutes=6)
        stored.away_sent_at = T0 + timedelta(minutes=7)
        await uow.tickets.save(stored)
        agent = await uow.users.add(user(max_open_tickets=3))
        await uow.commit()
    async with backend.new_uow() as uow:
        again = await uow.tickets.get(t.id)
        assert again == stored
        found = await uow.users.get(agent.id)
        assert found is not None
        assert found.max_open_tickets == 3
