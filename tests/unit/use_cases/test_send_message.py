"""SendMessage: the agent side of the outbox."""

from __future__ import annotations

import pytest
from fake_world import World

from whaticket_core.domain.errors import InvalidInput, TicketIsClosed, TicketNotFound
from whaticket_core.domain.events import MessageCreated, TicketUpdated
from whaticket_core.domain.message import MediaFile, MediaType, MessageAck
from whaticket_core.domain.ticket import TicketPlacement, TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.use_cases.messages.send_message import SendMessage, SendMessageCommand

NUMBER = "5511999990001"


def send_message(world: World) -> SendMessage:
    return SendMessage(world.uow(), world.clock, world.publisher, world.jobs, world.media)


async def pending_ticket(world: World) -> int:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, NUMBER, "hi")
    world.publisher.clear()
    return result.ticket_id


async def test_a_text_is_stored_pending_and_its_delivery_enqueued(world: World) -> None:
    ticket_id = await pending_ticket(world)
    admin = await world.viewer(role=Role.ADMIN)
    view = await send_message(world).execute(SendMessageCommand(ticket_id, admin, "Hello!"))

    message = world.state.messages[view.id]
    assert (message.body, message.from_me, message.ack, message.ticket_id) == (
        "Hello!",
        True,
        MessageAck.PENDING,
        ticket_id,
    )
    assert view.ack is MessageAck.PENDING
    assert world.jobs.waiting == [DeliverMessageJob(view.id)]
    ticket = world.state.tickets[ticket_id]
    assert ticket.last_message == "Hello!"
    assert ticket.unread_messages == 1  # our own message is not unread
    assert ticket.status is TicketStatus.PENDING  # staff writing does not accept
    created = world.publisher.of_type(MessageCreated)
    assert [e.message.id for e in created] == [view.id]
    assert world.sender.outbox == []  # delivery happens in the job, not here


async def test_an_agent_writing_on_a_pending_ticket_accepts_it(world: World) -> None:
    ticket_id = await pending_ticket(world)
    agent = await world.viewer()
    await send_message(world).execute(SendMessageCommand(ticket_id, agent, "I'll help"))

    ticket = world.state.tickets[ticket_id]
    assert (ticket.status, ticket.user_id) == (TicketStatus.OPEN, agent.user_id)
    [updated] = world.publisher.of_type(TicketUpdated)
    assert updated.previous == TicketPlacement(TicketStatus.PENDING, None, None)
    assert updated.ticket.status is TicketStatus.OPEN


async def test_sending_on_a_closed_ticket_is_refused(world: World) -> None:
    ticket_id = await pending_ticket(world)
    async with world.uow() as uow:
        ticket = await uow.tickets.get(ticket_id)
        assert ticket is not None
        ticket.close(world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    admin = await world.viewer(role=Role.ADMIN)
    with pytest.raises(TicketIsClosed):
        await send_message(world).execute(SendMessageCommand(ticket_id, admin, "late"))
    assert len(world.state.messages) == 1
    assert world.jobs.waiting == []


async def test_a_ticket_the_agent_cannot_see_is_not_found(world: World) -> None:
    queue = await world.add_queue()
    other_queue = await world.add_queue()
    ticket_id = await pending_ticket(world)
    async with world.uow() as uow:
        ticket = await uow.tickets.get(ticket_id)
        assert ticket is not None
        ticket.assign_queue(queue.id, world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    outsider = await world.viewer(queue_ids=(other_queue.id,))
    with pytest.raises(TicketNotFound):
        await send_message(world).execute(SendMessageCommand(ticket_id, outsider, "hi"))
    with pytest.raises(TicketNotFound):
        await send_message(world).execute(SendMessageCommand(999, outsider, "hi"))
    member = await world.viewer(queue_ids=(queue.id,))
    await send_message(world).execute(SendMessageCommand(ticket_id, member, "hi"))


@pytest.mark.parametrize("body", ["", "   \n"])
async def test_a_blank_text_is_refused(world: World, body: str) -> None:
    ticket_id = await pending_ticket(world)
    admin = await world.viewer(role=Role.ADMIN)
    with pytest.raises(InvalidInput):
        await send_message(world).execute(SendMessageCommand(ticket_id, admin, body))


async def test_a_too_long_text_is_refused(world: World) -> None:
    ticket_id = await pending_ticket(world)
    admin = await world.viewer(role=Role.ADMIN)
    with pytest.raises(InvalidInput):
        await send_message(world).execute(SendMessageCommand(ticket_id, admin, "x" * 65_537))


async def test_media_bytes_are_stored_and_referenced(world: World) -> None:
    ticket_id = await pending_ticket(world)
    admin = await world.viewer(role=Role.ADMIN)
    upload = MediaFile(
        data=b"%PDF-1.7", mime_type="application/pdf", media_type=MediaType.DOCUMENT, file_name="offer.pdf"
    )
    view = await send_message(world).execute(SendMessageCommand(ticket_id, admin, "", media=upload))

    message = world.state.messages[view.id]
    assert message.media_key is not None
    assert world.media.blobs[message.media_key] == (b"%PDF-1.7", "application/pdf", "offer.pdf")
    assert (message.media_type, message.media_mime, message.media_name) == (
        MediaType.DOCUMENT,
        "application/pdf",
        "offer.pdf",
    )
    assert view.has_media
    assert world.state.tickets[ticket_id].last_message == "[document]"


async def test_media_is_removed_when_the_transaction_fails(world: World) -> None:
    ticket_id = await pending_ticket(world)
    outsider = await world.viewer(queue_ids=(42,))
    async with world.uow() as uow:
        ticket = await uow.tickets.get(ticket_id)
        assert ticket is not None
        ticket.assign_queue(41, world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    upload = MediaFile(data=b"jpeg", mime_type="image/jpeg", media_type=MediaType.IMAGE)
    with pytest.raises(TicketNotFound):
        await send_message(world).execute(SendMessageCommand(ticket_id, outsider, "", media=upload))
    assert world.media.blobs == {}


async def test_an_empty_file_is_refused(world: World) -> None:
    ticket_id = await pending_ticket(world)
    admin = await world.viewer(role=Role.ADMIN)
    with pytest.raises(InvalidInput):
        await send_message(world).execute(
            SendMessageCommand(
                ticket_id, admin, "", media=MediaFile(data=b"", mime_type="image/png", media_type=MediaType.IMAGE)
            )
        )


async def test_quoting_a_message_of_the_ticket(world: World) -> None:
    wa = await world.add_whatsapp()
    first = await world.inbound(wa.id, NUMBER, "question")
    other = await world.inbound(wa.id, "5511999990002", "other customer")
    admin = await world.viewer(role=Role.ADMIN)
    view = await send_message(world).execute(
        SendMessageCommand(first.ticket_id, admin, "answer", quoted_message_id=first.message_id)
    )
    assert world.state.messages[view.id].quoted_message_id == first.message_id
    with pytest.raises(InvalidInput):
        await send_message(world).execute(
            SendMessageCommand(first.ticket_id, admin, "answer", quoted_message_id=other.message_id)
        )
    with pytest.raises(InvalidInput):
        await send_message(world).execute(SendMessageCommand(first.ticket_id, admin, "answer", quoted_message_id=999))
