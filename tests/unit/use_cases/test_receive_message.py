"""ReceiveMessage: contacts, tickets, idempotency, reopen window, from_me, groups, quotes and media."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_world import World

from whaticket_core.domain.errors import InvalidInput, WhatsAppNotFound
from whaticket_core.domain.events import MessageCreated, TicketCreated, TicketUpdated
from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.domain.settings import GROUP_MESSAGES, TICKET_REOPEN_WINDOW_MINUTES
from whaticket_core.domain.ticket import TicketPlacement, TicketStatus
from whaticket_core.ports.jobs import DownloadMediaJob
from whaticket_core.use_cases.inbound.inbound_commands import InboundMedia, InboundMessage

NUMBER = "5511999990001"


async def close_ticket(world: World, ticket_id: int) -> None:
    async with world.uow() as uow:
        ticket = await uow.tickets.get(ticket_id)
        assert ticket is not None
        ticket.close(world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()


async def test_first_message_creates_contact_pending_ticket_and_message(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, "+55 (11) 99999-0001", "Hi there", push_name="Ana", wa_id="W1")

    assert not result.duplicate
    assert not result.ignored
    [contact] = world.state.contacts.values()
    assert (contact.number, contact.name, contact.is_group) == (NUMBER, "Ana", False)
    ticket = world.state.tickets[result.ticket_id]
    assert ticket.status is TicketStatus.PENDING
    assert ticket.contact_id == contact.id
    assert ticket.whatsapp_id == wa.id
    assert ticket.user_id is None
    assert ticket.queue_id is None
    assert ticket.unread_messages == 1
    assert ticket.last_message == "Hi there"
    assert ticket.last_message_at == world.clock.now()
    message = world.state.messages[result.message_id]
    assert (message.ticket_id, message.body, message.from_me, message.wa_message_id) == (
        ticket.id,
        "Hi there",
        False,
        "W1",
    )
    assert message.ack is MessageAck.DELIVERED


async def test_events_are_ticket_created_then_message_created(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, NUMBER, "Hi")

    created, message_created = world.publisher.events
    assert isinstance(created, TicketCreated)
    assert created.ticket.id == result.ticket_id
    assert created.ticket.unread_messages == 1
    assert isinstance(message_created, MessageCreated)
    assert message_created.message.id == result.message_id
    assert message_created.ticket.last_message == "Hi"


async def test_second_message_goes_to_the_active_ticket_and_bumps_unread(world: World) -> None:
    wa = await world.add_whatsapp()
    first = await world.inbound(wa.id, NUMBER, "one")
    world.publisher.clear()
    world.clock.advance(timedelta(minutes=5))
    second = await world.inbound(wa.id, "0055 11 99999 0001", "two")

    assert second.ticket_id == first.ticket_id
    assert len(world.state.tickets) == 1
    assert len(world.state.contacts) == 1
    ticket = world.state.tickets[first.ticket_id]
    assert ticket.unread_messages == 2
    assert ticket.last_message == "two"
    updated, _ = world.publisher.events
    assert isinstance(updated, TicketUpdated)
    assert updated.previous is None  # it did not move


async def test_an_open_ticket_stays_with_its_agent(world: World) -> None:
    wa = await world.add_whatsapp()
    first = await world.inbound(wa.id, NUMBER)
    async with world.uow() as uow:
        ticket = await uow.tickets.get(first.ticket_id)
        assert ticket is not None
        ticket.accept(7, world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    second = await world.inbound(wa.id, NUMBER)
    ticket = world.state.tickets[second.ticket_id]
    assert second.ticket_id == first.ticket_id
    assert (ticket.status, ticket.user_id, ticket.unread_messages) == (TicketStatus.OPEN, 7, 2)


async def test_same_number_on_two_connections_gets_two_tickets(world: World) -> None:
    wa1 = await world.add_whatsapp()
    wa2 = await world.add_whatsapp()
    r1 = await world.inbound(wa1.id, NUMBER, wa_id="SAME")
    r2 = await world.inbound(wa2.id, NUMBER, wa_id="SAME")  # ids are unique per connection only
    assert r1.ticket_id != r2.ticket_id
    assert not r2.duplicate
    assert len(world.state.contacts) == 1


async def test_redelivery_is_a_no_op_returning_the_stored_ids(world: World) -> None:
    wa = await world.add_whatsapp()
    first = await world.inbound(wa.id, NUMBER, "hello", wa_id="W1")
    events_before = list(world.publisher.events)
    again = await world.inbound(wa.id, NUMBER, "hello", wa_id="W1")

    assert again.duplicate
    assert (again.ticket_id, again.message_id) == (first.ticket_id, first.message_id)
    assert len(world.state.messages) == 1
    assert world.state.tickets[first.ticket_id].unread_messages == 1
    assert world.publisher.events == events_before


async def test_push_name_replaces_a_name_that_is_only_the_number(world: World) -> None:
    wa = await world.add_whatsapp()
    await world.inbound(wa.id, NUMBER)  # no push name: named by its number
    [contact] = world.state.contacts.values()
    assert contact.name == NUMBER
    await world.inbound(wa.id, NUMBER, push_name="  Ana   Maria ")
    assert world.state.contacts[contact.id].name == "Ana Maria"
    await world.inbound(wa.id, NUMBER, push_name="Someone Else")
    assert world.state.contacts[contact.id].name == "Ana Maria"  # a real name is kept


async def test_from_me_push_name_is_not_the_customers_name(world: World) -> None:
    wa = await world.add_whatsapp()
    await world.inbound(wa.id, NUMBER, from_me=True, push_name="Company")
    [contact] = world.state.contacts.values()
    assert contact.name == NUMBER


async def test_from_me_message_is_stored_on_the_ticket_and_not_unread(world: World) -> None:
    wa = await world.add_whatsapp()
    first = await world.inbound(wa.id, NUMBER, "question")
    mine = await world.inbound(wa.id, NUMBER, "answer from the phone", from_me=True)

    assert mine.ticket_id == first.ticket_id
    ticket = world.state.tickets[first.ticket_id]
    assert ticket.unread_messages == 1
    assert ticket.last_message == "answer from the phone"
    message = world.state.messages[mine.message_id]
    assert message.from_me
    assert message.ack is MessageAck.SENT


async def test_from_me_to_a_new_contact_opens_a_ticket_with_nothing_unread(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, NUMBER, "we wrote first", from_me=True)
    assert world.state.tickets[result.ticket_id].unread_messages == 0


@pytest.mark.parametrize(("minutes", "reopened"), [(1, True), (119, True), (120, False), (121, False)])
async def test_reopen_window_default_120_minutes(world: World, minutes: int, reopened: bool) -> None:
    wa = await world.add_whatsapp()
    queue = await world.add_queue()
    first = await world.inbound(wa.id, NUMBER)
    async with world.uow() as uow:  # routed and handled by an agent, then closed
        ticket = await uow.tickets.get(first.ticket_id)
        assert ticket is not None
        ticket.transfer(5, queue.id, world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    await close_ticket(world, first.ticket_id)
    world.clock.advance(timedelta(minutes=minutes))
    world.publisher.clear()

    result = await world.inbound(wa.id, NUMBER, "back again")

    old = world.state.tickets[first.ticket_id]
    if reopened:
        assert result.ticket_id == first.ticket_id
        assert len(world.state.tickets) == 1
        assert (old.status, old.user_id, old.queue_id, old.closed_at) == (TicketStatus.PENDING, None, queue.id, None)
        updated = world.publisher.events[0]
        assert isinstance(updated, TicketUpdated)
        assert updated.previous == TicketPlacement(TicketStatus.CLOSED, queue.id, 5)
    else:
        assert result.ticket_id != first.ticket_id
        assert old.status is TicketStatus.CLOSED
        new = world.state.tickets[result.ticket_id]
        assert (new.status, new.queue_id, new.unread_messages) == (TicketStatus.PENDING, None, 1)
        assert isinstance(world.publisher.events[0], TicketCreated)


async def test_reopen_window_setting_is_honoured(world: World) -> None:
    await world.set_setting(TICKET_REOPEN_WINDOW_MINUTES, "10")
    wa = await world.add_whatsapp()
    first = await world.inbound(wa.id, NUMBER)
    await close_ticket(world, first.ticket_id)
    world.clock.advance(timedelta(minutes=11))
    assert (await world.inbound(wa.id, NUMBER)).ticket_id != first.ticket_id


async def test_reopen_window_zero_never_reopens(world: World) -> None:
    await world.set_setting(TICKET_REOPEN_WINDOW_MINUTES, "0")
    wa = await world.add_whatsapp()
    first = await world.inbound(wa.id, NUMBER)
    await close_ticket(world, first.ticket_id)
    assert (await world.inbound(wa.id, NUMBER)).ticket_id != first.ticket_id


async def test_only_the_last_closed_ticket_is_reopened(world: World) -> None:
    wa = await world.add_whatsapp()
    first = await world.inbound(wa.id, NUMBER)
    await close_ticket(world, first.ticket_id)
    world.clock.advance(timedelta(hours=3))
    second = await world.inbound(wa.id, NUMBER)
    world.clock.advance(timedelta(minutes=1))
    await close_ticket(world, second.ticket_id)
    world.clock.advance(timedelta(minutes=1))
    third = await world.inbound(wa.id, NUMBER)
    assert third.ticket_id == second.ticket_id
    assert world.state.tickets[first.ticket_id].status is TicketStatus.CLOSED


async def test_unread_count_survives_close_and_reopen(world: World) -> None:
    wa = await world.add_whatsapp()
    first = await world.inbound(wa.id, NUMBER)
    await close_ticket(world, first.ticket_id)
    await world.inbound(wa.id, NUMBER)
    assert world.state.tickets[first.ticket_id].unread_messages == 2


async def test_group_messages_are_ignored_by_default(world: World) -> None:
    wa = await world.add_whatsapp()
    command = InboundMessage(wa.id, "G1", "120363012345678901@g.us", "hello", is_group=True, participant=NUMBER)
    result = await world.receive_message().execute(command)
    assert result.ignored
    assert (result.ticket_id, result.message_id) == (None, None)
    assert not world.state.contacts
    assert not world.state.tickets
    assert not world.state.messages
    assert not world.publisher.events


async def test_group_messages_make_one_ticket_per_group_with_participants(world: World) -> None:
    await world.set_setting(GROUP_MESSAGES, "ticket")
    queue = await world.add_queue()
    wa = await world.add_whatsapp(queue_ids=(queue.id,))
    group = "120363012345678901@g.us"
    r1 = await world.inbound(
        wa.id,
        group,
        "hi all",
        is_group=True,
        group_name="Team",
        participant="+55 11 99999-0001",
        participant_name="Ana",
    )
    r2 = await world.inbound(
        wa.id, group, "hello", is_group=True, group_name="Team", participant="5511999990002@s.whatsapp.net"
    )

    assert r1.ticket_id == r2.ticket_id
    [contact] = world.state.contacts.values()
    assert (contact.number, contact.name, contact.is_group) == ("120363012345678901", "Team", True)
    ticket = world.state.tickets[r1.ticket_id]
    assert ticket.is_group
    assert ticket.unread_messages == 2
    assert ticket.queue_id is None  # the routing bot never talks to groups
    assert world.sender.outbox == []
    assert not [m for m in world.state.messages.values() if m.from_me]
    m1, m2 = world.state.messages[r1.message_id], world.state.messages[r2.message_id]
    assert (m1.participant, m1.participant_name) == (NUMBER, "Ana")
    assert m2.participant == "5511999990002"


async def test_a_quoted_message_is_resolved_when_known(world: World) -> None:
    wa = await world.add_whatsapp()
    first = await world.inbound(wa.id, NUMBER, "original", wa_id="W1")
    reply = await world.inbound(wa.id, NUMBER, "reply", quoted_wa_message_id="W1")
    orphan = await world.inbound(wa.id, NUMBER, "reply to unknown", quoted_wa_message_id="NOPE")
    assert world.state.messages[reply.message_id].quoted_message_id == first.message_id
    assert world.state.messages[orphan.message_id].quoted_message_id is None


async def test_inbound_media_is_recorded_and_its_download_enqueued(world: World) -> None:
    wa = await world.add_whatsapp()
    media = InboundMedia(MediaType.IMAGE, "image/jpeg", media_ref="ref-1", file_name="cat.jpg")
    result = await world.inbound(wa.id, NUMBER, "", media=media)

    message = world.state.messages[result.message_id]
    assert (message.media_type, message.media_mime, message.media_name, message.media_ref) == (
        MediaType.IMAGE,
        "image/jpeg",
        "cat.jpg",
        "ref-1",
    )
    assert message.media_key is None
    assert world.jobs.waiting == [DownloadMediaJob(result.message_id)]
    assert world.state.tickets[result.ticket_id].last_message == "[image]"


async def test_media_without_a_reference_enqueues_no_download(world: World) -> None:
    wa = await world.add_whatsapp()
    await world.inbound(wa.id, NUMBER, "here", media=InboundMedia(MediaType.LOCATION, "application/geo"))
    assert world.jobs.waiting == []


async def test_unknown_connection_is_refused(world: World) -> None:
    with pytest.raises(WhatsAppNotFound):
        await world.inbound(99, NUMBER)
    assert not world.state.contacts


async def test_a_sender_that_is_not_a_number_is_refused(world: World) -> None:
    wa = await world.add_whatsapp()
    with pytest.raises(InvalidInput):
        await world.inbound(wa.id, "status@broadcast")
    assert not world.state.contacts
