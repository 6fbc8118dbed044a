"""Tags: the admin-written catalogue, tagging tickets and contacts, the tag filter and the counts per tag."""

from __future__ import annotations

import pytest
from fake_world import World
from ticket_seed import add_contact, add_ticket, admin

from whaticket_core.domain.errors import ActionForbidden, InvalidInput, TagNameTaken, TagNotFound, TicketNotFound
from whaticket_core.domain.events import ContactUpdated, TicketUpdated
from whaticket_core.domain.tag import TagCount, TagView
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.testing import InMemoryContactQueries, InMemoryTicketQueries
from whaticket_core.use_cases.directory.contacts import GetContact, GetContactCommand, ListContacts, ListContactsCommand
from whaticket_core.use_cases.tags.tag_catalogue import (
    CreateTag,
    CreateTagCommand,
    DeleteTag,
    DeleteTagCommand,
    ListTags,
    ListTagsCommand,
    UpdateTag,
    UpdateTagCommand,
)
from whaticket_core.use_cases.tags.tagging import (
    CountTicketsByTag,
    CountTicketsByTagCommand,
    SetContactTags,
    SetContactTagsCommand,
    SetTicketTags,
    SetTicketTagsCommand,
)
from whaticket_core.use_cases.tickets.close_ticket import CloseTicket, CloseTicketCommand
from whaticket_core.use_cases.tickets.ticket_queries import (
    CountTickets,
    CountTicketsCommand,
    GetTicket,
    GetTicketCommand,
    ListTickets,
    ListTicketsCommand,
)


async def _tag(world: World, name: str, color: str = "#00ff00") -> TagView:
    tag = await CreateTag(world.uow()).execute(CreateTagCommand(await admin(world), name, color))
    return TagView.of(tag)


async def test_admins_write_the_catalogue_with_unique_names_and_normalised_colours(world: World) -> None:
    actor = await admin(world)
    urgent = await CreateTag(world.uow()).execute(CreateTagCommand(actor, " Urgent ", "#ff0000"))
    assert (urgent.name, urgent.color) == ("Urgent", "#FF0000")
    with pytest.raises(TagNameTaken) as taken:
        await CreateTag(world.uow()).execute(CreateTagCommand(actor, "urgent", "#00FF00"))
    assert taken.value.details["tag_id"] == urgent.id
    with pytest.raises(InvalidInput):
        await CreateTag(world.uow()).execute(CreateTagCommand(actor, "VIP", "red"))
    vip = await CreateTag(world.uow()).execute(CreateTagCommand(actor, "VIP", "#FF0000"))  # colours may repeat
    renamed = await UpdateTag(world.uow()).execute(UpdateTagCommand(actor, vip.id, name="Gold"))
    assert (renamed.name, renamed.color) == ("Gold", "#FF0000")
    with pytest.raises(TagNameTaken):
        await UpdateTag(world.uow()).execute(UpdateTagCommand(actor, vip.id, name="URGENT"))
    listed = await ListTags(world.uow()).execute(ListTagsCommand(await world.viewer()))
    assert [t.name for t in listed] == ["Gold", "Urgent"]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.USER])
async def test_only_admins_write_tags(world: World, role: Role) -> None:
    tag = await _tag(world, "Urgent")
    actor = await world.viewer(role=role)
    with pytest.raises(ActionForbidden):
        await CreateTag(world.uow()).execute(CreateTagCommand(actor, "New", "#000000"))
    with pytest.raises(ActionForbidden):
        await UpdateTag(world.uow()).execute(UpdateTagCommand(actor, tag.id, name="x"))
    with pytest.raises(ActionForbidden):
        await DeleteTag(world.uow()).execute(DeleteTagCommand(actor, tag.id))


async def test_tagging_a_ticket_replaces_its_set_and_publishes_the_update(world: World) -> None:
    urgent, vip = await _tag(world, "Urgent"), await _tag(world, "VIP")
    agent = await world.viewer()
    ticket = await add_ticket(world, status=TicketStatus.OPEN, user_id=agent.user_id)
    view = await SetTicketTags(world.uow(), world.publisher).execute(
        SetTicketTagsCommand(ticket.id, agent, (vip.id, urgent.id, vip.id))
    )
    assert view.tags == (urgent, vip)
    assert world.publisher.events[-1] == TicketUpdated(view)
    got = await GetTicket(InMemoryTicketQueries(world.store)).execute(GetTicketCommand(ticket.id, agent))
    assert got.tags == (urgent, vip)
    cleared = await SetTicketTags(world.uow(), world.publisher).execute(SetTicketTagsCommand(ticket.id, agent, ()))
    assert cleared.tags == ()


async def test_tagging_needs_a_visible_ticket_and_known_tags(world: World) -> None:
    tag = await _tag(world, "Urgent")
    owner, other = await world.viewer(), await world.viewer()
    ticket = await add_ticket(world, status=TicketStatus.OPEN, user_id=owner.user_id)
    with pytest.raises(TicketNotFound):
        await SetTicketTags(world.uow(), world.publisher).execute(SetTicketTagsCommand(ticket.id, other, (tag.id,)))
    with pytest.raises(TagNotFound) as unknown:
        await SetTicketTags(world.uow(), world.publisher).execute(SetTicketTagsCommand(ticket.id, owner, (tag.id, 999)))
    assert unknown.value.details == {"tag_id": 999}
    assert world.state.ticket_tags.get(ticket.id, set()) == set()


async def test_ticket_events_of_other_actions_keep_the_tags(world: World) -> None:
    """A later change (here: a customer message) publishes the ticket with its tags, not an empty list."""
    tag = await _tag(world, "Urgent")
    agent = await world.viewer()
    ticket = await add_ticket(world, status=TicketStatus.OPEN, user_id=agent.user_id)
    await SetTicketTags(world.uow(), world.publisher).execute(SetTicketTagsCommand(ticket.id, agent, (tag.id,)))
    closed = await CloseTicket(world.uow(), world.clock, world.publisher, world.jobs).execute(
        CloseTicketCommand(ticket.id, agent)
    )
    assert closed.tags == (tag,)


async def test_deleting_a_tag_takes_it_off_tickets_and_contacts(world: World) -> None:
    urgent, vip = await _tag(world, "Urgent"), await _tag(world, "VIP")
    staff = await world.viewer(role=Role.SUPERVISOR)
    ticket = await add_ticket(world)
    await SetTicketTags(world.uow(), world.publisher).execute(
        SetTicketTagsCommand(ticket.id, staff, (urgent.id, vip.id))
    )
    await SetContactTags(world.uow(), world.publisher).execute(
        SetContactTagsCommand(ticket.contact_id, staff, (urgent.id,))
    )
    await DeleteTag(world.uow()).execute(DeleteTagCommand(await admin(world), urgent.id))
    got = await GetTicket(InMemoryTicketQueries(world.store)).execute(GetTicketCommand(ticket.id, staff))
    assert got.tags == (vip,)
    contact = await GetContact(world.uow()).execute(GetContactCommand(staff, ticket.contact_id))
    assert contact.tags == ()


async def test_contacts_carry_their_tags_and_tagging_one_publishes_contact_updated(world: World) -> None:
    vip = await _tag(world, "VIP")
    agent = await world.viewer()
    contact = await add_contact(world, "Bea")
    plain = await add_contact(world, "Cid")
    tagged = await SetContactTags(world.uow(), world.publisher).execute(
        SetContactTagsCommand(contact.id, agent, (vip.id,))
    )
    assert tagged.tags == (vip,)
    event = world.publisher.events[-1]
    assert isinstance(event, ContactUpdated)
    assert event.contact.tags == (vip,)
    assert (await GetContact(world.uow()).execute(GetContactCommand(agent, contact.id))).tags == (vip,)
    page = await ListContacts(InMemoryContactQueries(world.store)).execute(ListContactsCommand(agent))
    assert {c.id: c.tags for c in page.items} == {contact.id: (vip,), plain.id: ()}
    with pytest.raises(TagNotFound):
        await SetContactTags(world.uow(), world.publisher).execute(SetContactTagsCommand(contact.id, agent, (77,)))


async def test_ticket_list_filters_by_any_tag_and_counts_per_tag_respect_visibility(world: World) -> None:
    urgent, vip, idle = await _tag(world, "Urgent"), await _tag(world, "VIP"), await _tag(world, "Idle")
    staff = await world.viewer(role=Role.SUPERVISOR)
    agent = await world.viewer()
    mine = await add_ticket(world, status=TicketStatus.OPEN, user_id=agent.user_id)
    others = await add_ticket(world, status=TicketStatus.OPEN, user_id=staff.user_id)
    untagged = await add_ticket(world, status=TicketStatus.OPEN, user_id=agent.user_id)
    tag = SetTicketTags(world.uow(), world.publisher)
    await tag.execute(SetTicketTagsCommand(mine.id, staff, (urgent.id,)))
    await tag.execute(SetTicketTagsCommand(others.id, staff, (urgent.id, vip.id)))
    queries = InMemoryTicketQueries(world.store)

    staff_list = await ListTickets(queries).execute(ListTicketsCommand(staff, tag_ids=frozenset({urgent.id, idle.id})))
    assert {t.id for t in staff_list.items} == {mine.id, others.id}
    agent_list = await ListTickets(queries).execute(ListTicketsCommand(agent, tag_ids=frozenset({urgent.id})))
    assert [t.id for t in agent_list.items] == [mine.id]
    assert untagged.id not in {t.id for t in staff_list.items}
    counts = await CountTickets(queries).execute(CountTicketsCommand(staff, tag_ids=frozenset({vip.id})))
    assert (counts.open, counts.pending) == (1, 0)

    by_tag = CountTicketsByTag(queries)
    assert await by_tag.execute(CountTicketsByTagCommand(staff)) == [TagCount(urgent.id, 2), TagCount(vip.id, 1)]
    assert await by_tag.execute(CountTicketsByTagCommand(agent)) == [TagCount(urgent.id, 1)]
    assert await by_tag.execute(CountTicketsByTagCommand(staff, status=TicketStatus.CLOSED)) == []
