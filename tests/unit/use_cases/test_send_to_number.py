"""SendToNumber: writing to a phone number finds or starts the contact and its ticket, then sends like SendMessage."""

from __future__ import annotations

import asyncio

import pytest
from fake_world import World

from whaticket_core.domain.errors import InvalidInput, NoWhatsAppConnection, TicketAlreadyOpen, WhatsAppNotFound
from whaticket_core.domain.events import MessageCreated, TicketCreated, TicketUpdated
from whaticket_core.domain.message import MediaFile, MediaType, MessageAck
from whaticket_core.domain.ticket import TicketStatus
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.use_cases.messages.send_to_number import SendToNumber, SendToNumberCommand

NUMBER = "5511999990001"


def send(world: World) -> SendToNumber:
    return SendToNumber(world.uow(), world.clock, world.publisher, world.jobs, world.media)


async def test_a_new_number_gets_a_contact_and_an_open_ticket_assigned_to_the_sender(world: World) -> None:
    wa = await world.add_whatsapp()
    admin = await world.viewer(role=Role.ADMIN)
    sent = await send(world).execute(SendToNumberCommand(admin, "+55 11 99999-0001", "Hello!"))
    (contact,) = world.state.contacts.values()
    assert (contact.number, contact.name) == (NUMBER, NUMBER)
    ticket = world.state.tickets[sent.ticket.id]
    assert (ticket.status, ticket.user_id, ticket.whatsapp_id, ticket.contact_id) == (
        TicketStatus.OPEN,
        admin.user_id,
        wa.id,
        contact.id,
    )
    message = world.state.messages[sent.message.id]
    assert (message.body, message.from_me, message.ack, message.ticket_id) == (
        "Hello!",
        True,
        MessageAck.PENDING,
        ticket.id,
    )
    assert DeliverMessageJob(message.id) in world.jobs.waiting
    assert [type(e) for e in world.publisher.events] == [TicketCreated, MessageCreated]


async def test_the_active_ticket_of_a_known_number_is_used(world: World) -> None:
    wa = await world.add_whatsapp()
    received = await world.inbound(wa.id, NUMBER, "hi")
    world.publisher.clear()
    supervisor = await world.viewer(role=Role.SUPERVISOR)
    sent = await send(world).execute(SendToNumberCommand(supervisor, NUMBER, "Answer"))
    assert sent.ticket.id == received.ticket_id
    assert len(world.state.contacts) == 1
    assert len(world.state.tickets) == 1
    assert world.state.tickets[received.ticket_id].status is TicketStatus.PENDING  # staff do not accept by writing
    assert [type(e) for e in world.publisher.events] == [TicketUpdated, MessageCreated]


async def test_an_agent_writing_on_a_pending_ticket_accepts_it(world: World) -> None:
    wa = await world.add_whatsapp()
    received = await world.inbound(wa.id, NUMBER, "hi")
    agent = await world.viewer()
    await send(world).execute(SendToNumberCommand(agent, NUMBER, "Hi, I'm Ana"))
    ticket = world.state.tickets[received.ticket_id]
    assert (ticket.status, ticket.user_id) == (TicketStatus.OPEN, agent.user_id)


async def test_an_agent_cannot_write_into_a_ticket_it_may_not_see(world: World) -> None:
    wa = await world.add_whatsapp()
    owner = await world.viewer()
    await send(world).execute(SendToNumberCommand(owner, NUMBER, "mine"))
    other = await world.viewer()
    with pytest.raises(TicketAlreadyOpen):
        await send(world).execute(SendToNumberCommand(other, NUMBER, "not mine"))
    assert len(world.state.messages) == 1
    assert wa.id


async def test_a_token_actor_sees_every_ticket(world: World) -> None:
    await world.add_whatsapp()
    agent = await world.viewer()
    first = await send(world).execute(SendToNumberCommand(agent, NUMBER, "mine"))
    admin = await world.viewer(role=Role.ADMIN)
    token = Viewer(admin.user_id, Role.SUPERVISOR, frozenset(), api_token_id=1, scopes=frozenset({"messages:write"}))
    second = await send(world).execute(SendToNumberCommand(token, NUMBER, "from the CRM"))
    assert second.ticket.id == first.ticket.id


async def test_the_connection_named_else_the_default(world: World) -> None:
    default = await world.add_whatsapp()
    other = await world.add_whatsapp()
    admin = await world.viewer(role=Role.ADMIN)
    on_default = await send(world).execute(SendToNumberCommand(admin, NUMBER, "a"))
    on_other = await send(world).execute(SendToNumberCommand(admin, NUMBER, "b", whatsapp_id=other.id))
    assert (on_default.ticket.whatsapp_id, on_other.ticket.whatsapp_id) == (default.id, other.id)
    assert len(world.state.contacts) == 1
    with pytest.raises(WhatsAppNotFound):
        await send(world).execute(SendToNumberCommand(admin, NUMBER, "c", whatsapp_id=999))


async def test_without_any_connection(world: World) -> None:
    admin = await world.viewer(role=Role.ADMIN)
    with pytest.raises(NoWhatsAppConnection):
        await send(world).execute(SendToNumberCommand(admin, NUMBER, "a"))
    assert world.state.contacts == {}


@pytest.mark.parametrize(("number", "body", "field"), [("12", "hi", "number"), (NUMBER, "  ", "body")])
async def test_invalid_number_or_empty_text(world: World, number: str, body: str, field: str) -> None:
    await world.add_whatsapp()
    admin = await world.viewer(role=Role.ADMIN)
    with pytest.raises(InvalidInput) as raised:
        await send(world).execute(SendToNumberCommand(admin, number, body))
    assert raised.value.details["fields"] == [field]
    assert world.state.messages == {}


async def test_media_is_stored_and_sent(world: World) -> None:
    await world.add_whatsapp()
    admin = await world.viewer(role=Role.ADMIN)
    media = MediaFile(data=b"%PDF-1.4", media_type=MediaType.DOCUMENT, mime_type="application/pdf", file_name="a.pdf")
    sent = await send(world).execute(SendToNumberCommand(admin, NUMBER, "", media=media))
    message = world.state.messages[sent.message.id]
    assert message.media_type is MediaType.DOCUMENT
    assert message.media_key is not None
    assert await world.media.load(message.media_key) == b"%PDF-1.4"


async def test_concurrent_first_messages_to_one_number_make_one_contact_and_one_ticket(world: World) -> None:
    await world.add_whatsapp()
    admin = await world.viewer(role=Role.ADMIN)
    results = await asyncio.gather(
        *(send(world).execute(SendToNumberCommand(admin, NUMBER, f"m{i}")) for i in range(5))
    )
    assert len({r.ticket.id for r in results}) == 1
    assert len(world.state.contacts) == 1
    assert len(world.state.messages) == 5
