"""TagRepository, TagAssignments and the tag parts of the ticket queries: the same tests on the fakes, SQLite and
PostgreSQL."""

from __future__ import annotations

import pytest
from persistence_builders import contact, seed_conversation, ticket, user, whatsapp

from whaticket_core.domain.tag import Tag, TagCount, TagView
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.queries import TicketListQuery
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict


async def _tags(backend, *names: str) -> list[Tag]:
    async with backend.new_uow() as uow:
        tags = [await uow.tags.add(Tag(name, "#00FF00")) for name in names]
        await uow.commit()
    return tags


async def test_tag_crud_case_insensitive_names_and_order_by_name(backend):
    vip, urgent = await _tags(backend, "VIP", "urgent")
    assert vip.id > 0
    assert urgent.id > vip.id
    async with backend.new_uow() as uow:
        assert await uow.tags.get(vip.id) == vip
        assert await uow.tags.get(vip.id + 100) is None
        assert await uow.tags.get_by_name("vip") == vip
        assert await uow.tags.get_by_name("nope") is None
        assert await uow.tags.list_all() == [urgent, vip]
        assert await uow.tags.get_many([vip.id, 999, urgent.id]) == [urgent, vip]
        assert await uow.tags.get_many([]) == []
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.tags.add(Tag("Urgent", "#000000"))
    assert raised.value.constraint is Constraint.TAG_NAME
    vip.color = "#123456"
    async with backend.new_uow() as uow:
        await uow.tags.save(vip)
        await uow.tags.delete(urgent.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.tags.list_all() == [vip]


async def test_assignments_are_replaced_whole_and_go_with_their_tag_ticket_or_contact(backend):
    c, _w, t = await seed_conversation(backend)
    a, b, z = await _tags(backend, "Alpha", "beta", "Zulu")
    async with backend.new_uow() as uow:
        other = await uow.contacts.add(contact("5511999990002", "Bea"))
        await uow.tag_assignments.set_for_ticket(t.id, [z.id, a.id])
        await uow.tag_assignments.set_for_contact(c.id, [b.id, a.id])
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.tag_assignments.of_ticket(t.id) == [a, z]
        assert await uow.tag_assignments.of_contact(c.id) == [a, b]
        assert await uow.tag_assignments.of_contacts([c.id, other.id]) == {c.id: [a, b]}
        await uow.tag_assignments.set_for_ticket(t.id, [b.id])
        await uow.tags.delete(a.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.tag_assignments.of_ticket(t.id) == [b]
        assert await uow.tag_assignments.of_contact(c.id) == [b]
        await uow.tickets.delete(t.id)
        await uow.contacts.delete(c.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.tag_assignments.of_ticket(t.id) == []
        assert await uow.tag_assignments.of_contacts([c.id]) == {}
        assert await uow.tags.list_all() == [b, z]  # the tags themselves stay


async def test_ticket_queries_carry_tags_filter_by_any_and_count_per_tag(backend):
    async with backend.new_uow() as uow:
        w = await uow.whatsapps.add(whatsapp())
        agent = await uow.users.add(user("agent@example.com"))
        boss = await uow.users.add(user("boss@example.com", Role.ADMIN))
        tickets = []
        for i in range(4):
            c = await uow.contacts.add(contact(f"551190000000{i}", f"Customer {i}"))
            owner = agent.id if i < 2 else boss.id
            tickets.append(await uow.tickets.add(ticket(c.id, w.id, TicketStatus.OPEN, user_id=owner)))
        await uow.commit()
    urgent, vip, idle = await _tags(backend, "Urgent", "VIP", "Idle")
    async with backend.new_uow() as uow:
        await uow.tag_assignments.set_for_ticket(tickets[0].id, [urgent.id, vip.id])
        await uow.tag_assignments.set_for_ticket(tickets[1].id, [vip.id])
        await uow.tag_assignments.set_for_ticket(tickets[2].id, [urgent.id])
        await uow.commit()
    staff = Viewer(boss.id, Role.ADMIN, frozenset())
    mine = Viewer(agent.id, Role.USER, frozenset())

    got = await backend.tickets.get_ticket(tickets[0].id)
    assert got.tags == (TagView.of(urgent), TagView.of(vip))
    assert (await backend.tickets.get_ticket(tickets[3].id)).tags == ()
    # The list carries the same tags, in name order, and none for an untagged ticket (PostgreSQL reads them in the
    # list's own statement, SQLite in a second one).
    listed = {t.id: t.tags for t in (await backend.tickets.list_tickets(TicketListQuery(staff))).items}
    assert listed[tickets[0].id] == (TagView.of(urgent), TagView.of(vip))
    assert (listed[tickets[1].id], listed[tickets[3].id]) == ((TagView.of(vip),), ())

    page = await backend.tickets.list_tickets(TicketListQuery(staff, tag_ids=frozenset({urgent.id, idle.id})))
    assert sorted(t.id for t in page.items) == [tickets[0].id, tickets[2].id]
    assert {t.id: t.tags for t in page.items}[tickets[2].id] == (TagView.of(urgent),)
    page = await backend.tickets.list_tickets(TicketListQuery(mine, tag_ids=frozenset({urgent.id}), limit=1))
    assert [t.id for t in page.items] == [tickets[0].id]
    assert page.next_cursor is None
    counts = await backend.tickets.count_tickets(TicketListQuery(staff, tag_ids=frozenset({vip.id})))
    assert (counts.open, counts.pending, counts.closed) == (2, 0, 0)

    assert await backend.tickets.count_by_tag(TicketListQuery(staff)) == [TagCount(urgent.id, 2), TagCount(vip.id, 2)]
    assert await backend.tickets.count_by_tag(TicketListQuery(mine)) == [TagCount(urgent.id, 1), TagCount(vip.id, 2)]
    assert await backend.tickets.count_by_tag(TicketListQuery(staff, search="Customer 2")) == [TagCount(urgent.id, 1)]
    assert await backend.tickets.count_by_tag(TicketListQuery(staff, status=TicketStatus.PENDING)) == []
