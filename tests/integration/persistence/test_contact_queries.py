"""The contacts page (ContactQueries) on the fakes, SQLite and PostgreSQL: the unit of work's page, read outside it."""

from __future__ import annotations

from persistence_builders import contact

from whaticket_core.domain.contact import ExtraInfo
from whaticket_core.domain.pagination import OffsetQuery
from whaticket_core.domain.tag import Tag, TagView


async def test_the_page_matches_the_repository_page_with_its_total(backend):
    async with backend.new_uow() as uow:
        a = await uow.contacts.add(contact("5511900000001", "Ana Souza", extra_info=[ExtraInfo("cpf", "123")]))
        b = await uow.contacts.add(contact("5521900000002", "Bruno", email="bruno@SOUZA.com"))
        c = await uow.contacts.add(contact("5531900000003", "Carla", lid="777001"))
        await uow.commit()
    for query in (
        OffsetQuery(limit=2),
        OffsetQuery(limit=2, offset=2),
        OffsetQuery(search="souza"),
        OffsetQuery(search="CARLA"),
        OffsetQuery(search="7770"),
        OffsetQuery(search="%"),
    ):
        async with backend.new_uow() as uow:
            expected = await uow.contacts.list_page(query)
        assert await backend.contacts.list_contacts(query) == expected, query
    first = await backend.contacts.list_contacts(OffsetQuery(limit=2))
    assert (first.items, first.total, first.limit, first.offset) == ([a, b], 3, 2, 0)
    assert first.items[0].extra_info == [ExtraInfo("cpf", "123")]
    assert (await backend.contacts.list_contacts(OffsetQuery(search="7770"))).items == [c]


async def test_past_the_last_page_the_total_is_still_counted(backend):
    async with backend.new_uow() as uow:
        for i in range(3):
            await uow.contacts.add(contact(f"55119000000{i:02d}", f"Person {i}"))
        await uow.commit()
    beyond = await backend.contacts.list_contacts(OffsetQuery(limit=2, offset=10))
    assert (beyond.items, beyond.total, beyond.offset) == ([], 3, 10)
    searched = await backend.contacts.list_contacts(OffsetQuery(limit=2, offset=10, search="person 1"))
    assert (searched.items, searched.total) == ([], 1)
    assert (await backend.contacts.list_contacts(OffsetQuery(search="nobody"))).total == 0


async def test_the_page_carries_each_contacts_tags_in_name_order(backend):
    async with backend.new_uow() as uow:
        a = await uow.contacts.add(contact("5511900000001", "Ana"))
        b = await uow.contacts.add(contact("5511900000002", "Bia"))
        zebra, apple = await uow.tags.add(Tag("zebra", "#000001")), await uow.tags.add(Tag("Apple", "#000002"))
        await uow.commit()
    async with backend.new_uow() as uow:
        await uow.tag_assignments.set_for_contact(a.id, [zebra.id, apple.id])
        await uow.commit()
    page = await backend.contacts.list_contacts(OffsetQuery())
    assert {c.id: c.tags for c in page.items} == {a.id: (TagView.of(apple), TagView.of(zebra)), b.id: ()}
    assert page.total == 2
