"""Contacts: names, number normalisation, duplicates naming the existing contact, partial updates, deletion rights."""

from __future__ import annotations

import pytest
from fake_world import World
from ticket_seed import add_ticket, admin

from whaticket_core.domain.contact import ExtraInfo
from whaticket_core.domain.errors import ActionForbidden, ContactExists, ContactNotFound, InvalidInput
from whaticket_core.domain.pagination import OffsetQuery
from whaticket_core.testing import InMemoryContactQueries
from whaticket_core.use_cases.directory.contacts import (
    CreateContact,
    CreateContactCommand,
    DeleteContact,
    DeleteContactCommand,
    GetContact,
    GetContactCommand,
    ListContacts,
    ListContactsCommand,
    UpdateContact,
    UpdateContactCommand,
)


def create(world: World) -> CreateContact:
    return CreateContact(world.uow(), world.clock)


async def test_create_normalises_the_number_and_trims_the_name(world: World) -> None:
    agent = await world.viewer()
    contact = await create(world).execute(
        CreateContactCommand(
            agent, "  Ana  ", "+55 (11) 99999-0001", email="Ana@Example.com", extra_info=(ExtraInfo("cpf", "1"),)
        )
    )
    saved = world.state.contacts[contact.id]
    assert (saved.name, saved.number, saved.email) == ("Ana", "5511999990001", "ana@example.com")
    assert saved.extra_info == [ExtraInfo("cpf", "1")]


async def test_a_second_contact_with_the_same_number_names_the_first(world: World) -> None:
    agent = await world.viewer()
    first = await create(world).execute(CreateContactCommand(agent, "Ana", "5511999990001"))
    with pytest.raises(ContactExists) as caught:
        await create(world).execute(CreateContactCommand(agent, "Other", "0055 11 99999 0001"))
    assert caught.value.details["contact_id"] == first.id
    assert len(world.state.contacts) == 1


@pytest.mark.parametrize(
    ("name", "number", "field"),
    [("", "5511999990001", "name"), ("x" * 201, "5511999990001", "name"), ("A", "12", "number")],
)
async def test_create_validates_name_and_number(world: World, name: str, number: str, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        await create(world).execute(CreateContactCommand(await world.viewer(), name, number))
    assert caught.value.details["fields"] == [field]
    assert world.state.contacts == {}


async def test_update_is_partial_and_keeps_numbers_unique(world: World) -> None:
    agent = await world.viewer()
    ana = await create(world).execute(CreateContactCommand(agent, "Ana", "5511999990001", email="a@example.com"))
    bob = await create(world).execute(CreateContactCommand(agent, "Bob", "5511999990002"))
    use_case = UpdateContact(world.uow())

    await use_case.execute(UpdateContactCommand(agent, ana.id, name="Ana Maria"))
    assert (world.state.contacts[ana.id].name, world.state.contacts[ana.id].email) == ("Ana Maria", "a@example.com")
    await use_case.execute(UpdateContactCommand(agent, ana.id, email=None, number="+55 11 99999-0003"))
    assert (world.state.contacts[ana.id].email, world.state.contacts[ana.id].number) == (None, "5511999990003")
    with pytest.raises(ContactExists) as caught:
        await use_case.execute(UpdateContactCommand(agent, ana.id, number="5511999990002"))
    assert caught.value.details["contact_id"] == bob.id
    with pytest.raises(ContactNotFound):
        await use_case.execute(UpdateContactCommand(agent, 999, name="x"))


async def test_deleting_a_contact_with_tickets_is_for_admins(world: World) -> None:
    agent = await world.viewer()
    with_tickets = await create(world).execute(CreateContactCommand(agent, "Ana", "5511999990001"))
    without = await create(world).execute(CreateContactCommand(agent, "Bob", "5511999990002"))
    ticket = await add_ticket(world, contact_id=with_tickets.id)

    with pytest.raises(ActionForbidden):
        await DeleteContact(world.uow()).execute(DeleteContactCommand(agent, with_tickets.id))
    assert with_tickets.id in world.state.contacts
    await DeleteContact(world.uow()).execute(DeleteContactCommand(agent, without.id))
    assert without.id not in world.state.contacts

    await DeleteContact(world.uow()).execute(DeleteContactCommand(await admin(world), with_tickets.id))
    assert with_tickets.id not in world.state.contacts
    assert ticket.id not in world.state.tickets


async def test_get_and_list_with_search(world: World) -> None:
    agent = await world.viewer()
    ana = await create(world).execute(CreateContactCommand(agent, "Ana", "5511999990001"))
    await create(world).execute(CreateContactCommand(agent, "Bob", "5511999990002"))
    assert (await GetContact(world.uow()).execute(GetContactCommand(agent, ana.id))).name == "Ana"
    with pytest.raises(ContactNotFound):
        await GetContact(world.uow()).execute(GetContactCommand(agent, 999))
    page = await ListContacts(InMemoryContactQueries(world.store)).execute(
        ListContactsCommand(agent, OffsetQuery(search="0002"))
    )
    assert [c.name for c in page.items] == ["Bob"]
    everyone = await ListContacts(InMemoryContactQueries(world.store)).execute(
        ListContactsCommand(agent, OffsetQuery(limit=1, offset=1))
    )
    assert (everyone.total, [c.name for c in everyone.items]) == (2, ["Bob"])
