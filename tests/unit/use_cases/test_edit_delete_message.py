"""EditMessage and DeleteMessage: the agent corrects or withdraws what this side sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_world import World

from whaticket_core.domain.errors import MessageNotEditable, MessageNotFound, WhatsAppNotConnected
from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import MediaFile, MediaType
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.transport import Recipient
from whaticket_core.use_cases.messages.delete_message import DeleteMessage, DeleteMessageCommand
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage, DeliverMessageCommand
from whaticket_core.use_cases.messages.edit_message import EditMessage, EditMessageCommand
from whaticket_core.use_cases.messages.send_message import SendMessage, SendMessageCommand

NUMBER = "5511999990001"


def edit(world: World) -> EditMessage:
    return EditMessage(world.uow(), world.clock, world.sender, world.publisher)


def delete(world: World) -> DeleteMessage:
    return DeleteMessage(world.uow(), world.sender, world.publisher)


async def setup(world: World, *, deliver: bool = True, media: MediaFile | None = None) -> tuple[Viewer, int, int]:
    """A ticket with a customer message and one of ours; returns (admin, our message id, customer message id)."""
    wa = await world.add_whatsapp()
    inbound = await world.inbound(wa.id, NUMBER, "hi")
    admin = await world.viewer(role=Role.ADMIN)
    view = await SendMessage(world.uow(), world.clock, world.publisher, world.jobs, world.media).execute(
        SendMessageCommand(inbound.ticket_id, admin, "helo" if media is None else "", media=media)
    )
    if deliver:
        await DeliverMessage(world.uow(), world.sender, world.media, world.publisher, world.clock).execute(
            DeliverMessageCommand(view.id)
        )
    world.publisher.clear()
    world.sender.outbox.clear()
    return admin, view.id, inbound.message_id


async def test_edit_a_sent_text_within_15_minutes(world: World) -> None:
    admin, mine, _ = await setup(world)
    world.clock.advance(timedelta(minutes=14))
    view = await edit(world).execute(EditMessageCommand(mine, admin, "hello"))

    message = world.state.messages[mine]
    assert (message.body, message.is_edited) == ("hello", True)
    assert view.is_edited
    [item] = world.sender.outbox
    assert (item.kind, item.to, item.wa_message_id, item.body) == (
        "edit",
        Recipient(NUMBER),
        message.wa_message_id,
        "hello",
    )
    [event] = world.publisher.events
    assert isinstance(event, MessageUpdated)
    assert event.message.body == "hello"


async def test_edit_after_15_minutes_is_refused(world: World) -> None:
    admin, mine, _ = await setup(world)
    world.clock.advance(timedelta(minutes=15, seconds=1))
    with pytest.raises(MessageNotEditable):
        await edit(world).execute(EditMessageCommand(mine, admin, "hello"))
    assert world.state.messages[mine].body == "helo"
    assert world.sender.outbox == []


async def test_edit_of_a_pending_message_is_refused(world: World) -> None:
    admin, mine, _ = await setup(world, deliver=False)
    with pytest.raises(MessageNotEditable):
        await edit(world).execute(EditMessageCommand(mine, admin, "hello"))


async def test_edit_of_a_customer_message_is_refused(world: World) -> None:
    admin, _, theirs = await setup(world)
    with pytest.raises(MessageNotEditable):
        await edit(world).execute(EditMessageCommand(theirs, admin, "hello"))


async def test_edit_of_a_media_message_is_refused(world: World) -> None:
    admin, mine, _ = await setup(world, media=MediaFile(data=b"x", mime_type="image/png", media_type=MediaType.IMAGE))
    with pytest.raises(MessageNotEditable):
        await edit(world).execute(EditMessageCommand(mine, admin, "caption"))


@pytest.mark.parametrize(("retryable", "error"), [(True, WhatsAppNotConnected), (False, MessageNotEditable)])
async def test_transport_failure_on_edit_changes_nothing(world: World, retryable: bool, error: type) -> None:
    admin, mine, _ = await setup(world)
    world.sender.fail_next(1, "offline", retryable=retryable)
    with pytest.raises(error):
        await edit(world).execute(EditMessageCommand(mine, admin, "hello"))
    message = world.state.messages[mine]
    assert (message.body, message.is_edited) == ("helo", False)
    assert world.publisher.events == []


async def test_a_message_on_an_invisible_ticket_is_not_found(world: World) -> None:
    _, mine, _ = await setup(world)
    async with world.uow() as uow:
        message = await uow.messages.get(mine)
        assert message is not None
        ticket = await uow.tickets.get(message.ticket_id)
        assert ticket is not None
        ticket.assign_queue(77, world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    outsider = await world.viewer(queue_ids=(78,))
    with pytest.raises(MessageNotFound):
        await edit(world).execute(EditMessageCommand(mine, outsider, "hello"))
    with pytest.raises(MessageNotFound):
        await delete(world).execute(DeleteMessageCommand(mine, outsider))
    with pytest.raises(MessageNotFound):
        await delete(world).execute(DeleteMessageCommand(999, outsider))


async def test_delete_a_sent_message_for_everyone(world: World) -> None:
    admin, mine, _ = await setup(world)
    view = await delete(world).execute(DeleteMessageCommand(mine, admin))

    assert world.state.messages[mine].is_deleted
    assert (view.is_deleted, view.body) == (True, "")
    [item] = world.sender.outbox
    assert (item.kind, item.wa_message_id) == ("delete", world.state.messages[mine].wa_message_id)
    assert len(world.publisher.of_type(MessageUpdated)) == 1


async def test_deleting_twice_calls_whatsapp_once(world: World) -> None:
    admin, mine, _ = await setup(world)
    await delete(world).execute(DeleteMessageCommand(mine, admin))
    await delete(world).execute(DeleteMessageCommand(mine, admin))
    assert len(world.sender.outbox) == 1
    assert len(world.publisher.events) == 1


async def test_deleting_a_pending_message_stops_its_delivery(world: World) -> None:
    admin, mine, _ = await setup(world, deliver=False)
    await delete(world).execute(DeleteMessageCommand(mine, admin))
    assert world.sender.outbox == []
    await DeliverMessage(world.uow(), world.sender, world.media, world.publisher, world.clock).execute(
        DeliverMessageCommand(mine)
    )
    assert world.sender.outbox == []


async def test_a_customer_message_cannot_be_deleted_for_everyone(world: World) -> None:
    admin, _, theirs = await setup(world)
    with pytest.raises(MessageNotEditable):
        await delete(world).execute(DeleteMessageCommand(theirs, admin))
    assert not world.state.messages[theirs].is_deleted


async def test_transport_failure_on_delete_changes_nothing(world: World) -> None:
    admin, mine, _ = await setup(world)
    world.sender.fail_next(1, "offline")
    with pytest.raises(WhatsAppNotConnected):
        await delete(world).execute(DeleteMessageCommand(mine, admin))
    assert not world.state.messages[mine].is_deleted
