"""Calls, undecryptable placeholders, reactions and history backfill on the fakes."""

from __future__ import annotations

from fake_world import World

from whaticket_core.domain.events import MessageCreated, MessageUpdated, TicketUpdated
from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.ports.transport import Recipient
from whaticket_core.testing import FakeCallRejecter
from whaticket_core.use_cases.inbound.apply_inbound_reaction import ApplyInboundReaction
from whaticket_core.use_cases.inbound.inbound_commands import InboundCall, InboundReaction
from whaticket_core.use_cases.inbound.receive_call import MISSED_CALL, REJECTED_CALL, ReceiveCall

NUMBER = "5511999990001"
LID = "123456789012345"


def receive_call(world: World, rejecter: FakeCallRejecter) -> ReceiveCall:
    return ReceiveCall(world.uow(), world.clock, world.publisher, world.jobs, rejecter, world.receive_message())


async def set_reject(world: World, whatsapp_id: int, *, message: str = "") -> None:
    async with world.uow() as uow:
        wa = await uow.whatsapps.get(whatsapp_id)
        assert wa is not None
        wa.reject_calls = True
        wa.call_reject_message = message
        await uow.whatsapps.save(wa)
        await uow.commit()


# -- calls -------------------------------------------------------------------------------------------------------


async def test_a_call_is_recorded_as_missed_when_calls_are_not_rejected(world: World) -> None:
    wa = await world.add_whatsapp()
    rejecter = FakeCallRejecter()
    result = await receive_call(world, rejecter).execute(InboundCall(wa.id, "C1", NUMBER))
    assert result.message_id is not None
    message = world.state.messages[result.message_id]
    assert (message.media_type, message.body, message.from_me) == (MediaType.CALL, MISSED_CALL, False)
    assert rejecter.rejected == []
    assert [j for j in world.jobs.history if isinstance(j, DeliverMessageJob)] == []


async def test_a_rejected_call_is_declined_recorded_and_answered(world: World) -> None:
    wa = await world.add_whatsapp()
    await set_reject(world, wa.id, message="We do not take calls, {{name}}; write to us here.")
    rejecter = FakeCallRejecter()
    result = await receive_call(world, rejecter).execute(InboundCall(wa.id, "C1", NUMBER, push_name="Maria"))
    assert rejecter.rejected == [(wa.id, Recipient(NUMBER), "C1")]
    messages = sorted((m for m in world.state.messages.values() if m.ticket_id == result.ticket_id), key=lambda m: m.id)
    assert [(m.media_type, m.body, m.from_me, m.ack) for m in messages] == [
        (MediaType.CALL, REJECTED_CALL, False, MessageAck.DELIVERED),
        (None, "We do not take calls, Maria; write to us here.", True, MessageAck.PENDING),
    ]
    assert [j.message_id for j in [j for j in world.jobs.history if isinstance(j, DeliverMessageJob)]] == [
        messages[1].id
    ]
    assert len(world.publisher.of_type(MessageCreated)) == 2


async def test_a_redelivered_call_offer_stores_and_answers_nothing_more(world: World) -> None:
    wa = await world.add_whatsapp()
    await set_reject(world, wa.id, message="No calls please")
    rejecter = FakeCallRejecter()
    await receive_call(world, rejecter).execute(InboundCall(wa.id, "C1", NUMBER))
    again = await receive_call(world, rejecter).execute(InboundCall(wa.id, "C1", NUMBER))
    assert again.duplicate
    assert len(world.state.messages) == 2


async def test_a_failed_rejection_is_recorded_as_missed_and_sends_nothing(world: World) -> None:
    wa = await world.add_whatsapp()
    await set_reject(world, wa.id, message="No calls please")
    rejecter = FakeCallRejecter()
    rejecter.fail_next_rejection()
    result = await receive_call(world, rejecter).execute(InboundCall(wa.id, "C1", NUMBER))
    assert result.message_id is not None
    assert world.state.messages[result.message_id].body == MISSED_CALL
    assert len(world.state.messages) == 1


async def test_a_call_from_a_lid_only_caller_is_rejected_at_the_address_it_came_from(world: World) -> None:
    wa = await world.add_whatsapp()
    await set_reject(world, wa.id)
    rejecter = FakeCallRejecter()
    result = await receive_call(world, rejecter).execute(InboundCall(wa.id, "C9", "", lid=LID))
    assert rejecter.rejected == [(wa.id, Recipient(f"{LID}@lid"), "C9")]
    assert result.ticket_id is not None
    contact = world.state.contacts[world.state.tickets[result.ticket_id].contact_id]
    assert (contact.number, contact.lid) == (None, LID)


async def test_the_routing_bot_does_not_answer_a_call(world: World) -> None:
    sales = await world.add_queue("Sales")
    support = await world.add_queue("Support")
    wa = await world.add_whatsapp(queue_ids=(sales.id, support.id), greeting="Hi")
    await receive_call(world, FakeCallRejecter()).execute(InboundCall(wa.id, "C1", NUMBER))
    assert [m for m in world.state.messages.values() if m.from_me] == []


# -- undecryptable -----------------------------------------------------------------------------------------------


async def test_an_undecryptable_message_is_a_placeholder_until_the_content_arrives(world: World) -> None:
    wa = await world.add_whatsapp()
    placeholder = await world.inbound(wa.id, NUMBER, "", wa_id="W1", undecryptable=True)
    stored = world.state.messages[placeholder.message_id]
    assert (stored.undecryptable, stored.body) == (True, "")
    world.publisher.clear()

    done = await world.inbound(wa.id, NUMBER, "the real text", wa_id="W1")

    assert (done.message_id, done.duplicate) == (placeholder.message_id, False)
    stored = world.state.messages[placeholder.message_id]
    assert (stored.undecryptable, stored.body) == (False, "the real text")
    assert len(world.state.messages) == 1
    [event] = world.publisher.of_type(MessageUpdated)
    assert (event.message.undecryptable, event.message.body) == (False, "the real text")
    assert world.state.tickets[done.ticket_id].last_message == "the real text"
    [ticket_event] = world.publisher.of_type(TicketUpdated)
    assert ticket_event.ticket.last_message == "the real text"


async def test_a_second_placeholder_or_a_second_readable_copy_is_a_redelivery(world: World) -> None:
    wa = await world.add_whatsapp()
    await world.inbound(wa.id, NUMBER, "", wa_id="W1", undecryptable=True)
    assert (await world.inbound(wa.id, NUMBER, "", wa_id="W1", undecryptable=True)).duplicate
    await world.inbound(wa.id, NUMBER, "text", wa_id="W1")
    assert (await world.inbound(wa.id, NUMBER, "text", wa_id="W1")).duplicate
    assert (await world.inbound(wa.id, NUMBER, "", wa_id="W1", undecryptable=True)).duplicate
    assert [m.body for m in world.state.messages.values()] == ["text"]


# -- reactions ---------------------------------------------------------------------------------------------------


def react(world: World) -> ApplyInboundReaction:
    return ApplyInboundReaction(world.uow(), world.clock, world.publisher)


async def test_a_reaction_attaches_to_its_message_and_is_not_a_message(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, NUMBER, "great offer", wa_id="W1")
    world.publisher.clear()
    view = await react(world).execute(InboundReaction(wa.id, "W1", "👍"))
    assert view is not None
    assert [(r.emoji, r.from_me) for r in view.reactions] == [("👍", False)]
    assert len(world.state.messages) == 1
    assert [(r.emoji, r.at) for r in world.state.messages[result.message_id].reactions] == [("👍", world.clock.now())]
    assert len(world.publisher.of_type(MessageUpdated)) == 1


async def test_a_new_reaction_replaces_the_reactors_previous_one_and_empty_removes_it(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, NUMBER, "hi", wa_id="W1")
    await react(world).execute(InboundReaction(wa.id, "W1", "👍"))
    await react(world).execute(InboundReaction(wa.id, "W1", "❤️"))
    await react(world).execute(InboundReaction(wa.id, "W1", "🙏", from_me=True))
    assert [(r.emoji, r.from_me) for r in world.state.messages[result.message_id].reactions] == [
        ("❤️", False),
        ("🙏", True),
    ]
    await react(world).execute(InboundReaction(wa.id, "W1", ""))
    assert [(r.emoji, r.from_me) for r in world.state.messages[result.message_id].reactions] == [("🙏", True)]


async def test_group_members_each_have_their_reaction(world: World) -> None:
    wa = await world.add_whatsapp()
    result = await world.inbound(wa.id, NUMBER, "hi", wa_id="W1")
    await react(world).execute(InboundReaction(wa.id, "W1", "👍", sender="5511000000001"))
    await react(world).execute(InboundReaction(wa.id, "W1", "👍", sender=f"{LID}@lid"))
    assert len(world.state.messages[result.message_id].reactions) == 2


async def test_a_reaction_to_an_unknown_message_or_a_redelivered_one_is_a_no_op(world: World) -> None:
    wa = await world.add_whatsapp()
    await world.inbound(wa.id, NUMBER, "hi", wa_id="W1")
    assert await react(world).execute(InboundReaction(wa.id, "NOPE", "👍")) is None
    await react(world).execute(InboundReaction(wa.id, "W1", "👍"))
    world.publisher.clear()
    assert await react(world).execute(InboundReaction(wa.id, "W1", "👍")) is None
    assert await react(world).execute(InboundReaction(wa.id, "W2", "")) is None
    assert world.publisher.events == []


# -- backfill ----------------------------------------------------------------------------------------------------


async def test_a_backfill_with_some_already_stored_stores_each_once(world: World) -> None:
    # 500 runs end to end (tests/integration/simulator); the fake copies its whole state per transaction.
    size = 120
    wa = await world.add_whatsapp()
    for i in range(0, size, 7):  # these arrived live before the disconnection
        await world.inbound(wa.id, NUMBER, f"m{i}", wa_id=f"H{i}")
    live = len(world.state.messages)

    results = [await world.inbound(wa.id, NUMBER, f"m{i}", wa_id=f"H{i}", history=True) for i in range(size)]

    assert sum(r.duplicate for r in results) == live
    assert sorted(m.wa_message_id or "" for m in world.state.messages.values()) == sorted(f"H{i}" for i in range(size))
    assert len({r.ticket_id for r in results}) == 1


async def test_backfilled_messages_get_no_bot_answer(world: World) -> None:
    sales = await world.add_queue("Sales")
    support = await world.add_queue("Support")
    wa = await world.add_whatsapp(queue_ids=(sales.id, support.id), greeting="Hi")
    await world.inbound(wa.id, NUMBER, "old", history=True)
    assert [m for m in world.state.messages.values() if m.from_me] == []
