"""TicketRepository contract: the same tests on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from persistence_builders import T0, contact, message, queue, seed_conversation, ticket, user, whatsapp

from whaticket_core.domain.message import MessageAck
from whaticket_core.domain.tag import Tag
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.ports.repositories import ActiveTicket
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict


async def test_add_assigns_an_id_and_get_returns_the_same_ticket(backend):
    _, _, t = await seed_conversation(backend)
    assert t.id > 0
    async with backend.new_uow() as uow:
        assert await uow.tickets.get(t.id) == t
        assert await uow.tickets.get(t.id, for_update=True) == t
        assert await uow.tickets.get(t.id + 1000) is None


async def test_save_persists_every_field(backend):
    _, _, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        u = await uow.users.add(user())
        q = await uow.queues.add(queue())
        stored = await uow.tickets.get(t.id, for_update=True)
        assert stored is not None
        stored.accept(u.id, T0 + timedelta(minutes=1))
        stored.queue_id = q.id
        stored.record_message("hello", T0 + timedelta(minutes=2), unread=True)
        stored.bot_menu_sent_at = T0 + timedelta(seconds=30)
        stored.bot_attempts = 2
        stored.is_group = True
        await uow.tickets.save(stored)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.tickets.get(t.id) == stored


async def test_get_active_finds_only_pending_or_open(backend):
    c, w, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        assert await uow.tickets.get_active(c.id, w.id) == t
        assert await uow.tickets.get_active(c.id, w.id, for_update=True) == t
        assert await uow.tickets.get_active(c.id, w.id + 1000) is None
        t.close(T0 + timedelta(hours=1))
        await uow.tickets.save(t)
        assert await uow.tickets.get_active(c.id, w.id) is None


async def test_get_active_for_inbound_brings_the_tags_and_whether_a_reply_cancels_a_scheduled_message(backend):
    c, w, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        assert await uow.tickets.get_active_for_inbound(c.id, w.id) == ActiveTicket(t, [], False)
        assert await uow.tickets.get_active_for_inbound(c.id, w.id + 1000) is None
        zebra, apple = await uow.tags.add(Tag("zebra", "#000001")), await uow.tags.add(Tag("Apple", "#000002"))
        await uow.tag_assignments.set_for_ticket(t.id, [zebra.id, apple.id])

        def scheduled(**kw):
            return message(t, "later", from_me=True, ack=MessageAck.SCHEDULED, send_at=T0 + timedelta(hours=1), **kw)

        await uow.messages.add(scheduled())  # a reply does not cancel it
        assert await uow.tickets.get_active_for_inbound(c.id, w.id) == ActiveTicket(t, [apple, zebra], False)
        cancelled = await uow.messages.add(scheduled(cancel_if_replied=True))
        assert await uow.tickets.get_active_for_inbound(c.id, w.id) == ActiveTicket(t, [apple, zebra], True)
        cancelled.delete_for_everyone()
        await uow.messages.save(cancelled)
        assert (await uow.tickets.get_active_for_inbound(c.id, w.id)) == ActiveTicket(t, [apple, zebra], False)
        t.close(T0 + timedelta(hours=1))
        await uow.tickets.save(t)
        assert await uow.tickets.get_active_for_inbound(c.id, w.id) is None


async def test_get_last_closed_is_the_most_recently_closed(backend):
    async with backend.new_uow() as uow:
        c = await uow.contacts.add(contact())
        w = await uow.whatsapps.add(whatsapp())
        other = await uow.whatsapps.add(whatsapp("Other"))
        older = await uow.tickets.add(ticket(c.id, w.id, TicketStatus.CLOSED, updated_at=T0 + timedelta(hours=2)))
        newer = await uow.tickets.add(ticket(c.id, w.id, TicketStatus.CLOSED, updated_at=T0 + timedelta(hours=5)))
        await uow.tickets.add(ticket(c.id, other.id, TicketStatus.CLOSED, updated_at=T0 + timedelta(hours=9)))
        await uow.tickets.add(ticket(c.id, w.id))  # active: not closed
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.tickets.get_last_closed(c.id, w.id) == newer
        assert older != newer
        assert await uow.tickets.get_last_closed(c.id + 1000, w.id) is None


async def test_a_second_active_ticket_for_the_same_contact_and_connection_is_a_conflict(backend):
    c, w, _ = await seed_conversation(backend)
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.tickets.add(ticket(c.id, w.id))
    assert raised.value.constraint is Constraint.ACTIVE_TICKET
    # Closed tickets do not count, nor do other connections.
    async with backend.new_uow() as uow:
        other = await uow.whatsapps.add(whatsapp("Other"))
        await uow.tickets.add(ticket(c.id, w.id, TicketStatus.CLOSED))
        await uow.tickets.add(ticket(c.id, w.id, TicketStatus.CLOSED))
        await uow.tickets.add(ticket(c.id, other.id))
        await uow.commit()


async def test_saving_a_closed_ticket_back_to_active_beside_an_active_one_is_a_conflict(backend):
    c, w, active = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        closed = await uow.tickets.add(ticket(c.id, w.id, TicketStatus.CLOSED))
        await uow.commit()
    closed.reopen_by_customer(T0 + timedelta(minutes=5))
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.tickets.save(closed)
    assert raised.value.constraint is Constraint.ACTIVE_TICKET
    async with backend.new_uow() as uow:
        assert await uow.tickets.get_active(c.id, w.id) == active


async def test_delete_removes_the_ticket_and_its_messages(backend):
    _, _, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        m = await uow.messages.add(message(t))
        await uow.commit()
    async with backend.new_uow() as uow:
        await uow.tickets.delete(t.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.tickets.get(t.id) is None
        assert await uow.messages.get(m.id) is None


async def test_list_assigned_active_lists_the_users_pending_and_open_tickets_by_id(backend):
    async with backend.new_uow() as uow:
        w = await uow.whatsapps.add(whatsapp())
        agent = await uow.users.add(user())
        other = await uow.users.add(user("other@example.com"))
        c1, c2, c3, c4 = [await uow.contacts.add(contact(f"55119999900{i}")) for i in range(1, 5)]
        t_open = await uow.tickets.add(ticket(c1.id, w.id, TicketStatus.OPEN, user_id=agent.id))
        await uow.tickets.add(ticket(c2.id, w.id, TicketStatus.CLOSED, user_id=agent.id))
        await uow.tickets.add(ticket(c3.id, w.id, TicketStatus.OPEN, user_id=other.id))
        t_pending = await uow.tickets.add(ticket(c4.id, w.id, user_id=agent.id))
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.tickets.list_assigned_active(agent.id) == [t_open, t_pending]
        assert await uow.tickets.list_assigned_active(agent.id + 1000) == []


async def test_contact_has_tickets(backend):
    c, _, _ = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        lonely = await uow.contacts.add(contact("5511988887777"))
        assert await uow.tickets.contact_has_tickets(c.id) is True
        assert await uow.tickets.contact_has_tickets(lonely.id) is False


async def test_writes_after_a_commit_are_committed_by_the_next_commit(backend):
    _, _, active = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        stored = await uow.tickets.get_active(active.contact_id, active.whatsapp_id, for_update=True)
        assert stored is not None
        stored.unread_messages = 3
        await uow.tickets.save(stored)
        await uow.commit()
        stored.unread_messages = 4  # the unit of work goes on in a new transaction
        await uow.tickets.save(stored)
        await uow.commit()
    async with backend.new_uow() as uow:
        reread = await uow.tickets.get(active.id)
        assert reread is not None
        assert reread.unread_messages == 4
