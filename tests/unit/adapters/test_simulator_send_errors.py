"""Each send error kind, from the simulator's ``fail_next`` through DeliverMessage to the stored message, and the
reconciliation of a send whose outcome was unknown."""

from __future__ import annotations

from typing import Any

import pytest
from test_simulator_transport import CUSTOMER, Harness, _pending_reply

from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import MessageAck, SendErrorKind
from whaticket_core.use_cases.messages.deliver_message import DeliverMessageCommand, DeliveryRetry


@pytest.fixture
def sim(world: Any) -> Harness:
    return Harness(world)


async def _reply(sim: Harness) -> tuple[int, int]:
    whatsapp_id = await sim.connected_whatsapp()
    await sim.transport.inbound(whatsapp_id, sender=CUSTOMER, body="question")
    return whatsapp_id, await _pending_reply(sim, next(iter(sim.world.state.tickets)), "answer")


async def test_a_permanent_failure_fails_at_once_and_is_never_retried(sim: Harness) -> None:
    whatsapp_id, message_id = await _reply(sim)
    await sim.transport.fail_next(whatsapp_id, 1, "not on WhatsApp", "permanent")

    view = await sim.deliver().execute(DeliverMessageCommand(message_id, attempt=1, max_attempts=5))

    assert view is not None
    assert (view.ack, view.error, view.error_kind) == (MessageAck.FAILED, "not on WhatsApp", SendErrorKind.PERMANENT)
    assert await sim.transport.outbox(whatsapp_id) == []
    assert await sim.deliver().execute(DeliverMessageCommand(message_id, attempt=2)) is None


async def test_a_transient_failure_retries_then_fails_as_transient(sim: Harness) -> None:
    whatsapp_id, message_id = await _reply(sim)
    await sim.transport.fail_next(whatsapp_id, 2, "network hiccup", "transient")
    with pytest.raises(DeliveryRetry):
        await sim.deliver().execute(DeliverMessageCommand(message_id, attempt=1, max_attempts=2))
    stored = sim.world.state.messages[message_id]
    assert (stored.ack, stored.error_kind) == (MessageAck.PENDING, SendErrorKind.TRANSIENT)

    view = await sim.deliver().execute(DeliverMessageCommand(message_id, attempt=2, max_attempts=2))
    assert view is not None
    assert (view.ack, view.error_kind) == (MessageAck.FAILED, SendErrorKind.TRANSIENT)


async def test_a_rate_limit_retries_after_pausing_that_connection(sim: Harness) -> None:
    whatsapp_id, message_id = await _reply(sim)
    await sim.transport.fail_next(whatsapp_id, 1, "rate-overlimit", "rate_limited")
    with pytest.raises(DeliveryRetry, match="rate-overlimit"):
        await sim.deliver().execute(DeliverMessageCommand(message_id, attempt=1))
    assert sim.world.state.messages[message_id].error_kind is SendErrorKind.RATE_LIMITED
    sim.sleeps.clear()

    view = await sim.deliver().execute(DeliverMessageCommand(message_id, attempt=2))

    assert view is not None
    assert (view.ack, view.error_kind) == (MessageAck.SENT, None)
    [pause] = sim.sleeps  # the retry waited out the connection's pause before sending
    assert pause > 0


async def test_a_timeout_is_unknown_never_resent_and_a_receipt_settles_it(sim: Harness) -> None:
    whatsapp_id, message_id = await _reply(sim)
    await sim.transport.fail_next(whatsapp_id, 1, "info query timed out", "timeout")

    view = await sim.deliver().execute(DeliverMessageCommand(message_id, attempt=1, max_attempts=5))

    assert view is not None
    assert (view.ack, view.error_kind) == (MessageAck.FAILED, SendErrorKind.UNKNOWN)
    [item] = await sim.transport.outbox(whatsapp_id)  # WhatsApp did take it
    assert await sim.deliver().execute(DeliverMessageCommand(message_id, attempt=2)) is None
    assert len(await sim.transport.outbox(whatsapp_id)) == 1  # not resent blindly
    sim.world.publisher.clear()

    assert item.wa_message_id is not None
    await sim.transport.receipt(whatsapp_id, (item.wa_message_id,), MessageAck.DELIVERED)

    stored = sim.world.state.messages[message_id]
    assert (stored.ack, stored.error, stored.error_kind) == (MessageAck.DELIVERED, None, None)
    [event] = sim.world.publisher.events
    assert isinstance(event, MessageUpdated)
    assert event.message.ack is MessageAck.DELIVERED


async def test_the_echo_of_a_timed_out_send_settles_it_as_sent(sim: Harness) -> None:
    whatsapp_id, message_id = await _reply(sim)
    await sim.transport.fail_next(whatsapp_id, 1, "context deadline exceeded", "timeout")
    await sim.deliver().execute(DeliverMessageCommand(message_id))
    [item] = await sim.transport.outbox(whatsapp_id)
    assert item.wa_message_id is not None

    # The company's phone shows the message this device sent: WhatsApp had it.
    await sim.transport.inbound(
        whatsapp_id, sender=CUSTOMER, body="answer", wa_message_id=item.wa_message_id, from_me=True
    )

    stored = sim.world.state.messages[message_id]
    assert (stored.ack, stored.error_kind) == (MessageAck.SENT, None)
    assert len(sim.world.state.messages) == 2  # the echo was not stored as a second message


async def test_a_failed_message_of_a_known_kind_stays_failed_whatever_receipt_names_it(sim: Harness) -> None:
    whatsapp_id, message_id = await _reply(sim)
    await sim.transport.fail_next(whatsapp_id, 1, "restricted", "permanent")
    await sim.deliver().execute(DeliverMessageCommand(message_id))
    sim.world.state.messages[message_id].wa_message_id = "ODD"
    await sim.transport.receipt(whatsapp_id, ("ODD",), MessageAck.READ)
    assert sim.world.state.messages[message_id].ack is MessageAck.FAILED


async def test_fail_next_refuses_an_unknown_kind(sim: Harness) -> None:
    whatsapp_id = await sim.connected_whatsapp()
    with pytest.raises(InvalidInput):
        await sim.transport.fail_next(whatsapp_id, 1, "boom", "meteor")
