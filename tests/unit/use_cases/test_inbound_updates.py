"""ApplyInboundEdit and ApplyInboundRevoke: the customer edits or deletes a message on WhatsApp."""

from __future__ import annotations

from fake_world import World

from whaticket_core.domain.events import MessageUpdated
from whaticket_core.use_cases.inbound.apply_inbound_edit import ApplyInboundEdit
from whaticket_core.use_cases.inbound.apply_inbound_revoke import ApplyInboundRevoke
from whaticket_core.use_cases.inbound.inbound_commands import InboundEdit, InboundRevoke

NUMBER = "5511999990001"


async def test_an_inbound_edit_changes_the_body(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, NUMBER, "helo", wa_id="W1")
    world.publisher.clear()
    view = await ApplyInboundEdit(world.uow(), world.publisher).execute(InboundEdit(wa.id, "W1", "hello"))

    message = world.state.messages[result.message_id]
    assert (message.body, message.is_edited) == ("hello", True)
    assert view is not None
    assert view.body == "hello"
    [event] = world.publisher.events
    assert isinstance(event, MessageUpdated)
    assert event.message.is_edited
    assert event.ticket.id == result.ticket_id


async def test_the_same_edit_twice_publishes_once(world: World) -> None:
    wa = await world.add_whatsapp()
    await world.inbound(wa.id, NUMBER, "helo", wa_id="W1")
    world.publisher.clear()
    edit = ApplyInboundEdit(world.uow(), world.publisher)
    await edit.execute(InboundEdit(wa.id, "W1", "hello"))
    await edit.execute(InboundEdit(wa.id, "W1", "hello"))
    assert len(world.publisher.events) == 1


async def test_edit_of_an_unknown_message_is_a_no_op(world: World) -> None:
    wa = await world.add_whatsapp()
    assert await ApplyInboundEdit(world.uow(), world.publisher).execute(InboundEdit(wa.id, "NOPE", "x")) is None
    assert world.publisher.events == []


async def test_revoke_marks_deleted_and_keeps_the_row(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, NUMBER, "oops", wa_id="W1")
    world.publisher.clear()
    view = await ApplyInboundRevoke(world.uow(), world.publisher).execute(InboundRevoke(wa.id, "W1"))

    message = world.state.messages[result.message_id]
    assert message.is_deleted
    assert message.body == "oops"  # kept in the row, hidden in views
    assert view is not None
    assert (view.is_deleted, view.body) == (True, "")
    assert len(world.publisher.of_type(MessageUpdated)) == 1


async def test_revoke_twice_and_unknown_revoke_are_no_ops(world: World) -> None:
    wa = await world.add_whatsapp()
    await world.inbound(wa.id, NUMBER, "oops", wa_id="W1")
    revoke = ApplyInboundRevoke(world.uow(), world.publisher)
    await revoke.execute(InboundRevoke(wa.id, "W1"))
    world.publisher.clear()
    await revoke.execute(InboundRevoke(wa.id, "W1"))
    assert await revoke.execute(InboundRevoke(wa.id, "NOPE")) is None
    assert world.publisher.events == []


async def test_an_edit_after_a_revoke_is_ignored(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, NUMBER, "oops", wa_id="W1")
    await ApplyInboundRevoke(world.uow(), world.publisher).execute(InboundRevoke(wa.id, "W1"))
    assert await ApplyInboundEdit(world.uow(), world.publisher).execute(InboundEdit(wa.id, "W1", "new")) is None
    assert world.state.messages[result.message_id].body == "oops"
