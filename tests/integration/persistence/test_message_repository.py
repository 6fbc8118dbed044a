"""MessageRepository contract: the same tests on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from persistence_builders import T0, message, seed_conversation, ticket, whatsapp

from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict


async def test_add_get_and_get_by_wa_id(backend):
    _, w, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        m = await uow.messages.add(message(t, "olá", wa_message_id="WA1", participant="5511", participant_name="Bo"))
        await uow.commit()
    assert m.id > 0
    async with backend.new_uow() as uow:
        assert await uow.messages.get(m.id) == m
        assert await uow.messages.get(m.id, for_update=True) == m
        assert await uow.messages.get_by_wa_id(w.id, "WA1") == m
        assert await uow.messages.get_by_wa_id(w.id, "WA2") is None
        assert await uow.messages.get_by_wa_id(w.id + 1000, "WA1") is None
        assert await uow.messages.get(m.id + 1000) is None


async def test_the_same_whatsapp_message_id_on_a_connection_is_a_conflict(backend):
    c, _, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        await uow.messages.add(message(t, wa_message_id="WA1"))
        await uow.commit()
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.messages.add(message(t, "again", wa_message_id="WA1"))
    assert raised.value.constraint is Constraint.MESSAGE_WA_ID
    # Several messages without a WhatsApp id yet, and the same id on another connection, are fine.
    async with backend.new_uow() as uow:
        other = await uow.whatsapps.add(whatsapp("Other"))
        t2 = await uow.tickets.add(ticket(c.id, other.id))
        await uow.messages.add(message(t2, wa_message_id="WA1"))
        await uow.messages.add(message(t, from_me=True, ack=MessageAck.PENDING))
        await uow.messages.add(message(t, from_me=True, ack=MessageAck.PENDING))
        await uow.commit()


async def test_add_if_new_skips_a_stored_whatsapp_message_id(backend):
    _, w, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        first = message(t, "first", wa_message_id="WA1")
        assert await uow.messages.add_if_new(first)
        await uow.commit()
    assert first.id > 0
    async with backend.new_uow() as uow:
        again = message(t, "again", wa_message_id="WA1")
        assert not await uow.messages.add_if_new(again)
        # The transaction goes on: the skipped insert is no error.
        other = message(t, "other", wa_message_id="WA2")
        assert await uow.messages.add_if_new(other)
        await uow.commit()
    assert other.id not in (0, first.id)
    async with backend.new_uow() as uow:
        stored = await uow.messages.get_by_wa_id(w.id, "WA1")
        assert stored is not None
        assert stored.body == "first"
        assert await uow.messages.get(other.id) == other


async def test_save_persists_every_field(backend):
    _, _, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        m = await uow.messages.add(message(t, "draft", from_me=True, ack=MessageAck.PENDING))
        await uow.commit()
    async with backend.new_uow() as uow:
        stored = await uow.messages.get(m.id, for_update=True)
        assert stored is not None
        stored.mark_sent("WA9")
        stored.advance_ack(MessageAck.READ)
        stored.body = "edited"
        stored.is_edited = True
        stored.media_type = MediaType.DOCUMENT
        stored.media_key = "k/1"
        stored.media_mime = "application/pdf"
        stored.media_name = "a.pdf"
        stored.media_ref = "ref"
        stored.quoted_message_id = 12345
        stored.delivery_attempts = 3
        stored.error = "boom"
        stored.delete_for_everyone()
        await uow.messages.save(stored)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.messages.get(m.id) == stored


async def test_latest_inbound_is_the_newest_customer_messages_first(backend):
    _, _, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        inbound = [await uow.messages.add(message(t, f"in {i}", minutes=i)) for i in range(4)]
        await uow.messages.add(message(t, "reply", from_me=True, minutes=10))
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.messages.latest_inbound(t.id, 3) == [inbound[3], inbound[2], inbound[1]]
        assert await uow.messages.latest_inbound(t.id + 1000, 3) == []


async def test_list_stale_pending_is_old_outbound_pending_messages_oldest_first(backend):
    _, _, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        old1 = await uow.messages.add(message(t, "a", from_me=True, ack=MessageAck.PENDING, minutes=1))
        old2 = await uow.messages.add(message(t, "b", from_me=True, ack=MessageAck.PENDING, minutes=2))
        old3 = await uow.messages.add(message(t, "c", from_me=True, ack=MessageAck.PENDING, minutes=3))
        await uow.messages.add(message(t, "fresh", from_me=True, ack=MessageAck.PENDING, minutes=30))
        await uow.messages.add(message(t, "sent", from_me=True, ack=MessageAck.SENT, minutes=1))
        await uow.messages.add(message(t, "failed", from_me=True, ack=MessageAck.FAILED, minutes=1))
        await uow.messages.add(message(t, "inbound", ack=MessageAck.PENDING, minutes=1))
        await uow.commit()
    async with backend.new_uow() as uow:
        cutoff = T0 + timedelta(minutes=10)
        assert await uow.messages.list_stale_pending(cutoff, 10) == [old1, old2, old3]
        assert await uow.messages.list_stale_pending(cutoff, 2) == [old1, old2]
        assert await uow.messages.list_stale_pending(T0, 10) == []


async def test_messages_of_a_deleted_contact_go_with_it(backend):
    c, _, t = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        m = await uow.messages.add(message(t))
        await uow.contacts.delete(c.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.messages.get(m.id) is None
        assert await uow.tickets.get(t.id) is None
        assert await uow.contacts.get(c.id) is None
        assert await uow.contacts.get(c.id) is None
