"""The scheduled-message reads of MessageRepository, on the fakes, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from persistence_builders import T0, message, seed_conversation

from whaticket_core.domain.message import MessageAck


async def test_due_and_per_ticket_scheduled_messages(backend):
    _c, _w, t = await seed_conversation(backend)

    def scheduled(body: str, minutes: int, **kw):
        return message(t, body, from_me=True, ack=MessageAck.SCHEDULED, send_at=T0 + timedelta(minutes=minutes), **kw)

    async with backend.new_uow() as uow:
        late = await uow.messages.add(scheduled("late", 30, cancel_if_replied=True, user_id=3))
        soon = await uow.messages.add(scheduled("soon", 10))
        cancelled = await uow.messages.add(scheduled("cancelled", 5, is_deleted=True))
        await uow.messages.add(message(t, "sent", from_me=True))
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.messages.get(late.id) == late
        assert [m.id for m in await uow.messages.list_due_scheduled(T0 + timedelta(minutes=30), 10)] == [
            soon.id,
            late.id,
        ]
        assert [m.id for m in await uow.messages.list_due_scheduled(T0 + timedelta(minutes=29), 10)] == [soon.id]
        assert await uow.messages.list_due_scheduled(T0 + timedelta(minutes=30), 1) == [soon]
        assert [m.id for m in await uow.messages.list_scheduled_of_ticket(t.id)] == [late.id, soon.id]
        assert cancelled.id not in {m.id for m in await uow.messages.list_scheduled_of_ticket(t.id)}
        # Scheduled messages are not the outbox sweeper's "stale pending" ones.
        assert await uow.messages.list_stale_pending(T0 + timedelta(days=1), 10) == []
    view = await backend.messages.get_message(late.id)
    assert (view.ack, view.send_at, view.user_id) == (MessageAck.SCHEDULED, T0 + timedelta(minutes=30), 3)
