"""One person, one contact: LID-only customers, revealed numbers and merges (ReceiveMessage, LinkContactIdentity)."""

from __future__ import annotations

from datetime import timedelta

from fake_world import World

from whaticket_core.domain.events import ContactMerged, ContactUpdated, TicketClosed, TicketUpdated
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.ports.transport import Recipient
from whaticket_core.use_cases.inbound.inbound_commands import InboundIdentity
from whaticket_core.use_cases.inbound.link_contact_identity import LinkContactIdentity
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage, DeliverMessageCommand
from whaticket_core.use_cases.messages.send_message import SendMessage, SendMessageCommand

NUMBER = "5511999990001"
LID = "123456789012345"


def link(world: World) -> LinkContactIdentity:
    return LinkContactIdentity(world.uow(), world.clock, world.publisher)


async def test_a_lid_only_customer_gets_a_contact_without_number_and_a_ticket(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, "", "oi", lid=LID, push_name="Maria")
    contact = world.state.contacts[world.state.tickets[result.ticket_id].contact_id]
    assert (contact.number, contact.lid, contact.name) == (None, LID, "Maria")
    assert world.state.tickets[result.ticket_id].status is TicketStatus.PENDING


async def test_an_answer_to_a_lid_only_customer_goes_to_the_lid_address(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, "", "oi", lid=LID)
    agent = await world.viewer()
    view = await SendMessage(world.uow(), world.clock, world.publisher, world.jobs, world.media).execute(
        SendMessageCommand(result.ticket_id, agent, "hello")
    )
    await DeliverMessage(world.uow(), world.sender, world.media, world.publisher, world.clock).execute(
        DeliverMessageCommand(view.id)
    )
    [sent] = world.sender.outbox
    assert sent.to == Recipient(f"{LID}@lid")


async def test_once_the_number_is_known_answers_go_to_the_number(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, "", "oi", lid=LID)
    await link(world).execute(InboundIdentity(wa.id, LID, NUMBER))
    agent = await world.viewer()
    view = await SendMessage(world.uow(), world.clock, world.publisher, world.jobs, world.media).execute(
        SendMessageCommand(result.ticket_id, agent, "hello")
    )
    await DeliverMessage(world.uow(), world.sender, world.media, world.publisher, world.clock).execute(
        DeliverMessageCommand(view.id)
    )
    assert world.sender.outbox[0].to == Recipient(NUMBER)


async def test_a_revealed_number_completes_the_lid_contact(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, "", "oi", lid=LID)
    world.publisher.clear()
    contact_id = await link(world).execute(InboundIdentity(wa.id, LID, "+55 11 99999-0001"))
    assert contact_id is not None
    contact = world.state.contacts[contact_id]
    assert (contact.number, contact.lid) == (NUMBER, LID)
    assert world.state.tickets[result.ticket_id].contact_id == contact_id
    [event] = world.publisher.of_type(ContactUpdated)
    assert event.contact.number == NUMBER
    assert [t.id for t in event.tickets] == [result.ticket_id]


async def test_a_mapping_for_nobody_we_know_creates_nothing(world: World) -> None:
    wa = await world.add_whatsapp()
    assert await link(world).execute(InboundIdentity(wa.id, LID, NUMBER)) is None
    assert world.state.contacts == {}
    assert world.publisher.events == []


async def test_the_same_mapping_twice_changes_nothing_the_second_time(world: World) -> None:
    wa = await world.add_whatsapp()
    await world.inbound(wa.id, NUMBER, "oi")
    await link(world).execute(InboundIdentity(wa.id, LID, NUMBER))
    world.publisher.clear()
    await link(world).execute(InboundIdentity(wa.id, LID, NUMBER))
    assert world.publisher.events == []


async def test_two_contacts_of_one_person_merge_into_the_one_with_the_number(world: World) -> None:
    wa = await world.add_whatsapp()
    by_number = await world.inbound(wa.id, NUMBER, "from the number", push_name="Maria")
    by_lid = await world.inbound(wa.id, "", "from the lid", lid=LID)
    number_contact = world.state.tickets[by_number.ticket_id].contact_id
    lid_contact = world.state.tickets[by_lid.ticket_id].contact_id
    world.publisher.clear()

    survivor = await link(world).execute(InboundIdentity(wa.id, LID, NUMBER))

    assert survivor == number_contact
    assert lid_contact not in world.state.contacts
    assert (world.state.contacts[survivor].number, world.state.contacts[survivor].lid) == (NUMBER, LID)
    assert {m.contact_id for m in world.state.messages.values()} == {survivor}
    assert {t.contact_id for t in world.state.tickets.values()} == {survivor}
    active = [t for t in world.state.tickets.values() if t.is_active]
    assert len(active) == 1
    assert sorted(m.body for m in world.state.messages.values() if m.ticket_id == active[0].id) == [
        "from the lid",
        "from the number",
    ]
    [merged] = world.publisher.of_type(ContactMerged)
    assert (merged.contact_id, merged.merged_into_id) == (lid_contact, survivor)
    assert world.publisher.of_type(ContactUpdated)


async def test_merge_keeps_the_open_ticket_over_a_pending_one_and_closes_the_emptied_one(world: World) -> None:
    wa = await world.add_whatsapp()
    agent = await world.add_user()
    by_number = await world.inbound(wa.id, NUMBER, "one")
    by_lid = await world.inbound(wa.id, "", "two", lid=LID)
    world.clock.advance(timedelta(minutes=1))
    await world.inbound(wa.id, "", "three", lid=LID)
    async with world.uow() as uow:  # an agent took the LID ticket
        ticket = await uow.tickets.get(by_lid.ticket_id)
        assert ticket is not None
        ticket.accept(agent.id, world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    unread_before = sum(t.unread_messages for t in world.state.tickets.values())
    world.publisher.clear()

    await link(world).execute(InboundIdentity(wa.id, LID, NUMBER))

    kept = world.state.tickets[by_lid.ticket_id]
    emptied = world.state.tickets[by_number.ticket_id]
    assert (kept.status, kept.user_id) == (TicketStatus.OPEN, agent.id)
    assert emptied.status is TicketStatus.CLOSED
    assert [m.body for m in world.state.messages.values() if m.ticket_id == kept.id] == ["one", "two", "three"]
    assert not [m for m in world.state.messages.values() if m.ticket_id == emptied.id]
    assert kept.unread_messages == unread_before
    assert kept.last_message == "three"
    assert [e.ticket.id for e in world.publisher.of_type(TicketClosed)] == [emptied.id]
    assert {e.ticket.id for e in world.publisher.of_type(TicketUpdated)} == {kept.id, emptied.id}


async def test_merge_keeps_the_older_of_two_pending_tickets(world: World) -> None:
    wa = await world.add_whatsapp()
    first = await world.inbound(wa.id, "", "lid first", lid=LID)
    second = await world.inbound(wa.id, NUMBER, "number later")
    await link(world).execute(InboundIdentity(wa.id, LID, NUMBER))
    assert world.state.tickets[first.ticket_id].is_active
    assert world.state.tickets[second.ticket_id].status is TicketStatus.CLOSED


async def test_tickets_on_different_connections_are_all_kept_active(world: World) -> None:
    one = await world.add_whatsapp()
    two = await world.add_whatsapp()
    a = await world.inbound(one.id, NUMBER, "on one")
    b = await world.inbound(two.id, "", "on two", lid=LID)
    await link(world).execute(InboundIdentity(one.id, LID, NUMBER))
    assert world.state.tickets[a.ticket_id].is_active
    assert world.state.tickets[b.ticket_id].is_active
    assert world.state.tickets[a.ticket_id].contact_id == world.state.tickets[b.ticket_id].contact_id


async def test_a_message_naming_both_merges_on_the_spot_and_lands_on_the_kept_ticket(world: World) -> None:
    wa = await world.add_whatsapp()
    await world.inbound(wa.id, NUMBER, "by number")
    await world.inbound(wa.id, "", "by lid", lid=LID)
    result = await world.inbound(wa.id, NUMBER, "both", lid=LID)
    assert len(world.state.contacts) == 1
    active = [t for t in world.state.tickets.values() if t.is_active]
    assert [t.id for t in active] == [result.ticket_id]
    assert len([m for m in world.state.messages.values() if m.ticket_id == result.ticket_id]) == 3


async def test_lid_name_replaces_a_placeholder_name_on_merge(world: World) -> None:
    wa = await world.add_whatsapp()
    await world.inbound(wa.id, NUMBER, "no push name")
    await world.inbound(wa.id, "", "named", lid=LID, push_name="Maria")
    survivor = await link(world).execute(InboundIdentity(wa.id, LID, NUMBER))
    assert survivor is not None
    assert world.state.contacts[survivor].name == "Maria"


async def test_lid_group_participants_are_attributed_by_lid(world: World) -> None:
    from whaticket_core.domain.settings import GROUP_MESSAGES

    wa = await world.add_whatsapp()
    await world.set_setting(GROUP_MESSAGES, "ticket")
    result = await world.inbound(
        wa.id, "120363025246125486", "hi", is_group=True, participant=f"{LID}@lid", participant_name="Ana"
    )
    assert world.state.messages[result.message_id].participant == f"{LID}@lid"
