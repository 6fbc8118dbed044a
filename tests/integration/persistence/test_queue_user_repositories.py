"""QueueRepository and UserRepository contracts (membership is one relation seen from both sides)."""

from __future__ import annotations

import pytest
from persistence_builders import contact, queue, ticket, user, whatsapp

from whaticket_core.domain.pagination import OffsetQuery
from whaticket_core.domain.user import Role
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict


async def test_queue_add_get_by_name_case_insensitively_and_by_color(backend):
    async with backend.new_uow() as uow:
        q = await uow.queues.add(queue("Sales", "#FF0000", greeting_message="Hello"))
        await uow.commit()
    assert q.id > 0
    async with backend.new_uow() as uow:
        assert await uow.queues.get(q.id) == q
        assert await uow.queues.get_by_name("sALES") == q
        assert await uow.queues.get_by_color("#FF0000") == q
        assert await uow.queues.get_by_name("Support") is None
        assert await uow.queues.get_by_color("#00FF00") is None
        assert await uow.queues.get(q.id + 1000) is None


@pytest.mark.parametrize(
    ("name", "color", "constraint"),
    [("SALES", "#00FF00", Constraint.QUEUE_NAME), ("Support", "#FF0000", Constraint.QUEUE_COLOR)],
)
async def test_queue_name_and_color_are_unique(backend, name, color, constraint):
    async with backend.new_uow() as uow:
        await uow.queues.add(queue("Sales", "#FF0000"))
        other = await uow.queues.add(queue("Other", "#0000FF"))
        await uow.commit()
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.queues.add(queue(name, color))
    assert raised.value.constraint is constraint
    other.name, other.color = name, color
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.queues.save(other)
    assert raised.value.constraint is constraint


async def test_get_many_keeps_the_requested_order_and_skips_unknown_ids(backend):
    async with backend.new_uow() as uow:
        a = await uow.queues.add(queue("A", "#000001"))
        b = await uow.queues.add(queue("B", "#000002"))
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.queues.get_many([b.id, 9999, a.id]) == [b, a]
        assert await uow.queues.get_many([]) == []


async def test_membership_saved_from_either_side_is_seen_from_both(backend):
    async with backend.new_uow() as uow:
        sales = await uow.queues.add(queue("Sales", "#000001"))
        support = await uow.queues.add(queue("Support", "#000002"))
        ana = await uow.users.add(user("ana@example.com", queue_ids=[sales.id, support.id]))
        bo = await uow.users.add(user("bo@example.com"))
        await uow.commit()
    async with backend.new_uow() as uow:
        stored_sales = await uow.queues.get(sales.id)
        assert stored_sales is not None
        assert stored_sales.user_ids == [ana.id]
        stored_sales.user_ids = [ana.id, bo.id]
        await uow.queues.save(stored_sales)
        await uow.commit()
    async with backend.new_uow() as uow:
        stored_bo = await uow.users.get(bo.id)
        assert stored_bo is not None
        assert stored_bo.queue_ids == [sales.id]
        ana.queue_ids = [support.id]
        await uow.users.save(ana)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert sorted((await uow.queues.get(sales.id)).user_ids) == [bo.id]  # type: ignore[union-attr]
        assert (await uow.queues.get(support.id)).user_ids == [ana.id]  # type: ignore[union-attr]


async def test_deleting_a_queue_detaches_users_connections_and_tickets(backend):
    async with backend.new_uow() as uow:
        q = await uow.queues.add(queue())
        keep = await uow.queues.add(queue("Keep", "#123456"))
        u = await uow.users.add(user(queue_ids=[q.id, keep.id]))
        w = await uow.whatsapps.add(whatsapp(queue_ids=[q.id, keep.id]))
        c = await uow.contacts.add(contact())
        t = await uow.tickets.add(ticket(c.id, w.id, queue_id=q.id))
        await uow.commit()
    async with backend.new_uow() as uow:
        await uow.queues.delete(q.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.queues.get(q.id) is None
        assert (await uow.users.get(u.id)).queue_ids == [keep.id]  # type: ignore[union-attr]
        assert (await uow.whatsapps.get(w.id)).queue_ids == [keep.id]  # type: ignore[union-attr]
        assert (await uow.tickets.get(t.id)).queue_id is None  # type: ignore[union-attr]


async def test_queue_list_page_searches_the_name(backend):
    async with backend.new_uow() as uow:
        a = await uow.queues.add(queue("Sales", "#000001"))
        b = await uow.queues.add(queue("Presales", "#000002"))
        await uow.queues.add(queue("Support", "#000003"))
        await uow.commit()
    async with backend.new_uow() as uow:
        page = await uow.queues.list_page(OffsetQuery(search="SALES"))
        assert (page.items, page.total) == ([a, b], 2)
        assert (await uow.queues.list_page(OffsetQuery(limit=1, offset=2))).total == 3


async def test_user_add_get_by_email_and_counts(backend):
    async with backend.new_uow() as uow:
        w = await uow.whatsapps.add(whatsapp())
        admin = await uow.users.add(user("admin@example.com", Role.ADMIN, whatsapp_id=w.id, token_version=3))
        await uow.users.add(user("sup@example.com", Role.SUPERVISOR))
        await uow.users.add(user("agent@example.com"))
        await uow.commit()
    assert admin.id > 0
    async with backend.new_uow() as uow:
        assert await uow.users.get(admin.id) == admin
        assert await uow.users.get_by_email("admin@example.com") == admin
        assert await uow.users.get_by_email("nobody@example.com") is None
        assert await uow.users.get(admin.id + 1000) is None
        assert await uow.users.count() == 3
        assert await uow.users.count_admins() == 1


async def test_a_taken_email_is_a_conflict(backend):
    async with backend.new_uow() as uow:
        await uow.users.add(user("a@example.com"))
        b = await uow.users.add(user("b@example.com"))
        await uow.commit()
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.users.add(user("a@example.com"))
    assert raised.value.constraint is Constraint.USER_EMAIL
    b.email = "a@example.com"
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.users.save(b)
    assert raised.value.constraint is Constraint.USER_EMAIL


async def test_user_save_and_delete(backend):
    async with backend.new_uow() as uow:
        q = await uow.queues.add(queue())
        u = await uow.users.add(user(queue_ids=[q.id]))
        await uow.commit()
    u.name, u.role, u.token_version, u.password_hash = "Renamed", Role.SUPERVISOR, 7, "new-hash"
    async with backend.new_uow() as uow:
        await uow.users.save(u)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.users.get(u.id) == u
        await uow.users.delete(u.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.users.get(u.id) is None
        assert (await uow.queues.get(q.id)).user_ids == []  # type: ignore[union-attr]
        assert await uow.users.count() == 0


async def test_user_list_page_searches_name_and_email(backend):
    async with backend.new_uow() as uow:
        a = await uow.users.add(user("ana@acme.com", name="Ana"))
        b = await uow.users.add(user("bo@other.com", name="Bo Acme"))
        await uow.users.add(user("cy@other.com", name="Cy"))
        await uow.commit()
    async with backend.new_uow() as uow:
        page = await uow.users.list_page(OffsetQuery(search="ACME"))
        assert (page.items, page.total) == ([a, b], 2)
