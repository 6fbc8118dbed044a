"""WhatsAppRepository contract: the same tests on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from persistence_builders import contact, message, queue, ticket, user, whatsapp

from whaticket_core.domain.pagination import OffsetQuery
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict


async def test_add_get_default_and_get_by_name_case_insensitively(backend):
    async with backend.new_uow() as uow:
        q1 = await uow.queues.add(queue("A", "#000001"))
        q2 = await uow.queues.add(queue("B", "#000002"))
        main = await uow.whatsapps.add(
            whatsapp("Main", is_default=True, number="5511", greeting_message="hi", queue_ids=[q2.id, q1.id])
        )
        other = await uow.whatsapps.add(whatsapp("Other"))
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.whatsapps.get(main.id) == main
        assert (await uow.whatsapps.get(main.id, for_update=True)).queue_ids == [q2.id, q1.id]  # type: ignore[union-attr]
        assert await uow.whatsapps.get_default() == main
        assert await uow.whatsapps.get_by_name("OTHER") == other
        assert await uow.whatsapps.get_by_name("none") is None
        assert await uow.whatsapps.get(other.id + 1000) is None
        assert await uow.whatsapps.list_all() == [main, other]


async def test_no_default_connection_means_none(backend):
    async with backend.new_uow() as uow:
        await uow.whatsapps.add(whatsapp())
        assert await uow.whatsapps.get_default() is None


async def test_names_are_unique_case_insensitively_and_there_is_one_default(backend):
    async with backend.new_uow() as uow:
        await uow.whatsapps.add(whatsapp("Main", is_default=True))
        await uow.commit()
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.whatsapps.add(whatsapp("MAIN"))
    assert raised.value.constraint is Constraint.WHATSAPP_NAME
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.whatsapps.add(whatsapp("Second", is_default=True))
    assert raised.value.constraint is Constraint.DEFAULT_WHATSAPP


async def test_save_persists_status_qr_and_queue_order(backend):
    async with backend.new_uow() as uow:
        q1 = await uow.queues.add(queue("A", "#000001"))
        q2 = await uow.queues.add(queue("B", "#000002"))
        w = await uow.whatsapps.add(whatsapp(queue_ids=[q1.id]))
        await uow.commit()
    w.status, w.qrcode, w.queue_ids, w.farewell_message = ConnectionStatus.QRCODE, "qr", [q2.id, q1.id], "bye"
    async with backend.new_uow() as uow:
        await uow.whatsapps.save(w)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.whatsapps.get(w.id) == w


async def test_delete_removes_its_tickets_and_unbinds_users(backend):
    async with backend.new_uow() as uow:
        w = await uow.whatsapps.add(whatsapp())
        u = await uow.users.add(user(whatsapp_id=w.id))
        c = await uow.contacts.add(contact())
        t = await uow.tickets.add(ticket(c.id, w.id))
        m = await uow.messages.add(message(t))
        await uow.commit()
    async with backend.new_uow() as uow:
        await uow.whatsapps.delete(w.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.whatsapps.get(w.id) is None
        assert await uow.tickets.get(t.id) is None
        assert await uow.messages.get(m.id) is None
        assert (await uow.users.get(u.id)).whatsapp_id is None  # type: ignore[union-attr]
        assert await uow.contacts.get(c.id) == c


async def test_list_page_searches_name_and_number(backend):
    async with backend.new_uow() as uow:
        a = await uow.whatsapps.add(whatsapp("Sales line", number="551100"))
        b = await uow.whatsapps.add(whatsapp("Support", number="552100"))
        await uow.commit()
    async with backend.new_uow() as uow:
        assert (await uow.whatsapps.list_page(OffsetQuery(search="sales"))).items == [a]
        assert (await uow.whatsapps.list_page(OffsetQuery(search="5521"))).items == [b]
        page = await uow.whatsapps.list_page(OffsetQuery(limit=1, offset=1))
        assert (page.items, page.total) == ([b], 2)
