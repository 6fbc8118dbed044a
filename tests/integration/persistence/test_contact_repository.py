"""ContactRepository contract: the same tests on the fake, SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from persistence_builders import contact

from whaticket_core.domain.contact import ExtraInfo
from whaticket_core.domain.pagination import OffsetQuery
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict


async def test_add_get_and_get_by_number(backend):
    async with backend.new_uow() as uow:
        c = await uow.contacts.add(
            contact(email="ana@example.com", profile_pic_url="http://pic", extra_info=[ExtraInfo("cpf", "123")])
        )
        await uow.commit()
    assert c.id > 0
    async with backend.new_uow() as uow:
        assert await uow.contacts.get(c.id) == c
        assert await uow.contacts.get_by_number(c.number) == c
        assert await uow.contacts.get_by_number("000") is None
        assert await uow.contacts.get(c.id + 1000) is None


async def test_a_taken_number_is_a_conflict_on_add_and_on_save(backend):
    async with backend.new_uow() as uow:
        await uow.contacts.add(contact("5511900000001"))
        other = await uow.contacts.add(contact("5511900000002", "Bo"))
        await uow.commit()
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.contacts.add(contact("5511900000001", "Copy"))
    assert raised.value.constraint is Constraint.CONTACT_NUMBER
    other.number = "5511900000001"
    with pytest.raises(StoreConflict) as raised:
        async with backend.new_uow() as uow:
            await uow.contacts.save(other)
    assert raised.value.constraint is Constraint.CONTACT_NUMBER


async def test_save_persists_changes_and_delete_removes(backend):
    async with backend.new_uow() as uow:
        c = await uow.contacts.add(contact())
        await uow.commit()
    c.name, c.email, c.is_group = "Ana Maria", "am@example.com", True
    c.extra_info = [ExtraInfo("a", "1"), ExtraInfo("b", "2")]
    async with backend.new_uow() as uow:
        await uow.contacts.save(c)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.contacts.get(c.id) == c
        await uow.contacts.delete(c.id)
        await uow.commit()
    async with backend.new_uow() as uow:
        assert await uow.contacts.get(c.id) is None


async def test_list_page_searches_name_number_and_email_case_insensitively(backend):
    async with backend.new_uow() as uow:
        a = await uow.contacts.add(contact("5511900000001", "Ana Souza"))
        b = await uow.contacts.add(contact("5521900000002", "Bruno", email="bruno@SOUZA.com"))
        c = await uow.contacts.add(contact("5531900000003", "Carla"))
        await uow.commit()
    async with backend.new_uow() as uow:
        page = await uow.contacts.list_page(OffsetQuery(limit=2))
        assert (page.items, page.total, page.limit, page.offset) == ([a, b], 3, 2, 0)
        assert (await uow.contacts.list_page(OffsetQuery(limit=2, offset=2))).items == [c]
        assert (await uow.contacts.list_page(OffsetQuery(search="souza"))).items == [a, b]
        assert (await uow.contacts.list_page(OffsetQuery(search="5521"))).items == [b]
        assert (await uow.contacts.list_page(OffsetQuery(search="%"))).total == 0
        found = await uow.contacts.list_page(OffsetQuery(search="CARLA"))
        assert (found.items, found.total) == ([c], 1)
