"""The repository parts identity, reactions and calls rely on: the same tests on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from persistence_builders import T0, contact, message, ticket, whatsapp

from whaticket_core.domain.contact import Contact
from whaticket_core.domain.message import Reaction
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.ports.unit_of_work import StoreConflict

LID = "123456789012345"


async def test_a_contact_known_only_by_lid_round_trips_and_is_found_by_lid(backend):
    async with backend.new_uow() as uow:
        c = await uow.contacts.add(Contact(name=LID, number=None, lid=LID, created_at=T0))
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.contacts.get_by_lid(LID, for_update=True) == c
        assert await uow.contacts.get_by_lid("999") is None
        assert (await uow.contacts.get(c.id)).number is None  # type: ignore[union-attr]


async def test_several_contacts_without_number_or_lid_coexist_and_a_taken_lid_is_a_conflict(backend):
    async with backend.new_uow() as uow:
        await uow.contacts.add(Contact(name="a", number=None, lid="1001", created_at=T0))
        await uow.contacts.add(Contact(name="b", number=None, lid="1002", created_at=T0))
        await uow.contacts.add(contact("5511900000001"))
        await uow.contacts.add(contact("5511900000002"))
        await uow.commit()
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.contacts.add(Contact(name="c", number=None, lid="1001", created_at=T0))
    assert raised.value.constraint == "contact_lid"


async def test_messages_move_between_tickets_and_contacts(backend):
    async with backend.new_uow() as uow:
        w = await uow.whatsapps.add(whatsapp(is_default=True))
        a = await uow.contacts.add(contact("5511900000001"))
        b = await uow.contacts.add(Contact(name="b", number=None, lid=LID, created_at=T0))
        ta = await uow.tickets.add(ticket(a.id, w.id))
        tb = await uow.tickets.add(ticket(b.id, w.id))
        closed = await uow.tickets.add(ticket(b.id, w.id, TicketStatus.CLOSED))
        for n in range(3):
            await uow.messages.add(message(tb, f"b{n}", wa_message_id=f"B{n}", minutes=n))
        await uow.messages.add(message(ta, "a0", wa_message_id="A0"))
        await uow.commit()
    async with backend.new_uow() as uow:
        assert [t.id for t in await uow.tickets.list_of_contact(b.id, for_update=True)] == [tb.id, closed.id]
        assert await uow.tickets.list_of_contact(a.id) == [ta]
        assert await uow.messages.move_to_ticket(tb.id, ta.id) == 3
        await uow.messages.reassign_contact(b.id, a.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        moved = [await uow.messages.get_by_wa_id(w.id, f"B{n}", for_update=True) for n in range(3)]
        assert {(m.ticket_id, m.contact_id) for m in moved if m is not None} == {(ta.id, a.id)}
        assert await uow.messages.move_to_ticket(tb.id, ta.id) == 0


async def test_reactions_and_the_undecryptable_flag_round_trip(backend):
    async with backend.new_uow() as uow:
        w = await uow.whatsapps.add(whatsapp(is_default=True))
        c = await uow.contacts.add(contact())
        t = await uow.tickets.add(ticket(c.id, w.id))
        m = await uow.messages.add(message(t, "", wa_message_id="W1", undecryptable=True))
        await uow.commit()
    m.reactions = [Reaction("👍", False, T0), Reaction("❤️", True, T0 + timedelta(seconds=5), sender="5511900000009")]
    async with backend.new_uow() as uow:
        await uow.messages.save(m)
        await uow.commit()
    async with backend.new_uow() as uow:
        stored = await uow.messages.get(m.id)
    assert stored == m
    assert stored is not None
    assert stored.undecryptable


async def test_call_rejection_settings_round_trip(backend):
    async with backend.new_uow() as uow:
        w = await uow.whatsapps.add(whatsapp(is_default=True, reject_calls=True, call_reject_message="No calls"))
        await uow.commit()
    async with backend.new_uow() as uow:
        stored = await uow.whatsapps.get(w.id)
    assert stored is not None
    assert (stored.reject_calls, stored.call_reject_message) == (True, "No calls")
