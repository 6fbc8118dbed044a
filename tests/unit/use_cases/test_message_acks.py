"""UpdateMessageAck: receipts move acks forward only."""

from __future__ import annotations

from fake_world import World

from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import MessageAck
from whaticket_core.domain.read_models import MessageView
from whaticket_core.domain.whatsapp import WhatsApp
from whaticket_core.use_cases.inbound.inbound_commands import InboundReceipt
from whaticket_core.use_cases.inbound.update_message_ack import UpdateMessageAck

NUMBER = "5511999990001"


async def receipt(world: World, whatsapp_id: int, ack: MessageAck, *wa_ids: str) -> list[MessageView]:
    return await UpdateMessageAck(world.uow(), world.publisher).execute(InboundReceipt(whatsapp_id, wa_ids, ack))


async def sent_message(world: World, wa_id: str = "OUT1") -> tuple[WhatsApp, int]:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, NUMBER, "from us", from_me=True, wa_id=wa_id)
    world.publisher.clear()
    return wa, result.message_id


async def test_acks_move_forward_and_publish(world: World) -> None:
    wa, message_id = await sent_message(world)
    [view] = await receipt(world, wa.id, MessageAck.DELIVERED, "OUT1")
    assert view.ack is MessageAck.DELIVERED
    assert world.state.messages[message_id].ack is MessageAck.DELIVERED
    await receipt(world, wa.id, MessageAck.READ, "OUT1")
    assert world.state.messages[message_id].ack is MessageAck.READ
    events = world.publisher.of_type(MessageUpdated)
    assert [e.message.ack for e in events] == [MessageAck.DELIVERED, MessageAck.READ]
    assert events[0].ticket.id == world.state.messages[message_id].ticket_id


async def test_a_late_receipt_never_moves_an_ack_backwards(world: World) -> None:
    wa, message_id = await sent_message(world)
    await receipt(world, wa.id, MessageAck.READ, "OUT1")
    world.publisher.clear()
    assert await receipt(world, wa.id, MessageAck.DELIVERED, "OUT1") == []
    assert world.state.messages[message_id].ack is MessageAck.READ
    assert world.publisher.events == []


async def test_a_repeated_receipt_changes_nothing(world: World) -> None:
    wa, _ = await sent_message(world)
    await receipt(world, wa.id, MessageAck.DELIVERED, "OUT1")
    world.publisher.clear()
    assert await receipt(world, wa.id, MessageAck.DELIVERED, "OUT1", "OUT1") == []
    assert world.publisher.events == []


async def test_failed_stays_failed(world: World) -> None:
    wa, message_id = await sent_message(world)
    async with world.uow() as uow:
        message = await uow.messages.get(message_id)
        assert message is not None
        message.ack = MessageAck.PENDING
        message.mark_failed("refused")
        await uow.messages.save(message)
        await uow.commit()
    assert await receipt(world, wa.id, MessageAck.READ, "OUT1") == []
    assert world.state.messages[message_id].ack is MessageAck.FAILED


async def test_one_receipt_for_several_messages_and_unknown_ids(world: World) -> None:
    wa, first = await sent_message(world)
    second = (await world.inbound(wa.id, NUMBER, "again", from_me=True, wa_id="OUT2")).message_id
    world.publisher.clear()
    views = await receipt(world, wa.id, MessageAck.READ, "OUT1", "UNKNOWN", "OUT2")
    assert [v.id for v in views] == [first, second]
    assert len(world.publisher.of_type(MessageUpdated)) == 2
    assert world.state.messages[second].ack is MessageAck.READ


async def test_receipts_are_per_connection(world: World) -> None:
    _, message_id = await sent_message(world)
    other = await world.add_whatsapp()
    assert await receipt(world, other.id, MessageAck.READ, "OUT1") == []
    assert world.state.messages[message_id].ack is MessageAck.SENT
