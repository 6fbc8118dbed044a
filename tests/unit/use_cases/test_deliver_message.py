"""DeliverMessage (the outbox job) and SweepPendingMessages."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from fake_world import World

from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import MediaFile, MediaType, MessageAck
from whaticket_core.domain.settings import GROUP_MESSAGES
from whaticket_core.domain.user import Role
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.ports.transport import Recipient
from whaticket_core.testing import FakeMessageSender
from whaticket_core.use_cases.messages.deliver_message import (
    CLAIM_EXPIRES_AFTER,
    DeliverMessage,
    DeliverMessageCommand,
    DeliveryRetry,
)
from whaticket_core.use_cases.messages.send_message import SendMessage, SendMessageCommand
from whaticket_core.use_cases.messages.sweep_pending_messages import SweepPendingMessages, SweepPendingMessagesCommand

NUMBER = "5511999990001"


def deliver(world: World) -> DeliverMessage:
    return DeliverMessage(world.uow(), world.sender, world.media, world.publisher, world.clock)


async def queued_message(world: World, body: str = "Hello!", *, chat: str = NUMBER, **fields: Any) -> int:
    wa = await world.add_whatsapp()
    inbound = await world.inbound(wa.id, chat, "hi", wa_id="IN-1", **fields)
    admin = await world.viewer(role=Role.ADMIN)
    view = await SendMessage(world.uow(), world.clock, world.publisher, world.jobs, world.media).execute(
        SendMessageCommand(inbound.ticket_id, admin, body)
    )
    world.publisher.clear()
    return view.id


async def test_a_pending_text_is_sent_and_marked_sent(world: World) -> None:
    message_id = await queued_message(world)
    view = await deliver(world).execute(DeliverMessageCommand(message_id))

    [item] = world.sender.outbox
    assert (item.kind, item.to, item.body) == ("text", Recipient(NUMBER), "Hello!")
    message = world.state.messages[message_id]
    assert (message.ack, message.wa_message_id) == (MessageAck.SENT, item.wa_message_id)
    assert view is not None
    assert view.ack is MessageAck.SENT
    [event] = world.publisher.events
    assert isinstance(event, MessageUpdated)
    assert event.message.ack is MessageAck.SENT


async def test_a_job_run_twice_sends_once(world: World) -> None:
    message_id = await queued_message(world)
    await deliver(world).execute(DeliverMessageCommand(message_id))
    assert await deliver(world).execute(DeliverMessageCommand(message_id)) is None
    assert len(world.sender.outbox) == 1
    assert len(world.publisher.events) == 1


async def test_unknown_and_deleted_messages_are_not_sent(world: World) -> None:
    message_id = await queued_message(world)
    async with world.uow() as uow:
        message = await uow.messages.get(message_id)
        assert message is not None
        message.delete_for_everyone()
        await uow.messages.save(message)
        await uow.commit()
    assert await deliver(world).execute(DeliverMessageCommand(message_id)) is None
    assert await deliver(world).execute(DeliverMessageCommand(999)) is None
    assert world.sender.outbox == []


async def test_a_quoted_message_is_passed_by_its_whatsapp_id(world: World) -> None:
    wa = await world.add_whatsapp()
    inbound = await world.inbound(wa.id, NUMBER, "question", wa_id="WA-Q")
    admin = await world.viewer(role=Role.ADMIN)
    view = await SendMessage(world.uow(), world.clock, world.publisher, world.jobs, world.media).execute(
        SendMessageCommand(inbound.ticket_id, admin, "answer", quoted_message_id=inbound.message_id)
    )
    await deliver(world).execute(DeliverMessageCommand(view.id))
    assert world.sender.outbox[0].quoted_wa_message_id == "WA-Q"


async def test_group_tickets_are_sent_to_the_group(world: World) -> None:
    await world.set_setting(GROUP_MESSAGES, "ticket")
    message_id = await queued_message(world, chat="120363000000000001@g.us", is_group=True, participant=NUMBER)
    await deliver(world).execute(DeliverMessageCommand(message_id))
    assert world.sender.outbox[0].to == Recipient("120363000000000001", is_group=True)


async def test_media_is_sent_as_bytes_with_its_caption(world: World) -> None:
    wa = await world.add_whatsapp()
    inbound = await world.inbound(wa.id, NUMBER, "hi")
    admin = await world.viewer(role=Role.ADMIN)
    upload = MediaFile(data=b"\x89PNG", mime_type="image/png", media_type=MediaType.IMAGE, file_name="a.png")
    view = await SendMessage(world.uow(), world.clock, world.publisher, world.jobs, world.media).execute(
        SendMessageCommand(inbound.ticket_id, admin, "look", media=upload)
    )
    await deliver(world).execute(DeliverMessageCommand(view.id))

    [item] = world.sender.outbox
    assert item.kind == "media"
    assert item.body == "look"
    assert item.media is not None
    assert (item.media.data, item.media.mime_type, item.media.media_type, item.media.file_name) == (
        b"\x89PNG",
        "image/png",
        MediaType.IMAGE,
        "a.png",
    )
    assert world.state.messages[view.id].ack is MessageAck.SENT


async def test_media_missing_from_the_store_fails_the_message(world: World) -> None:
    wa = await world.add_whatsapp()
    inbound = await world.inbound(wa.id, NUMBER, "hi")
    admin = await world.viewer(role=Role.ADMIN)
    view = await SendMessage(world.uow(), world.clock, world.publisher, world.jobs, world.media).execute(
        SendMessageCommand(
            inbound.ticket_id, admin, "", media=MediaFile(data=b"x", mime_type="image/png", media_type=MediaType.IMAGE)
        )
    )
    world.media.blobs.clear()
    await deliver(world).execute(DeliverMessageCommand(view.id))
    message = world.state.messages[view.id]
    assert message.ack is MessageAck.FAILED
    assert message.error == "media file missing"


async def test_retryable_failures_retry_then_fail_with_the_reason(world: World) -> None:
    message_id = await queued_message(world)
    world.sender.fail_next(3, "not connected")
    for attempt in (1, 2):
        with pytest.raises(DeliveryRetry) as raised:
            await deliver(world).execute(DeliverMessageCommand(message_id, attempt=attempt, max_attempts=3))
        assert raised.value.attempt == attempt
        message = world.state.messages[message_id]
        assert (message.ack, message.delivery_attempts) == (MessageAck.PENDING, attempt)
    assert world.publisher.events == []

    view = await deliver(world).execute(DeliverMessageCommand(message_id, attempt=3, max_attempts=3))
    message = world.state.messages[message_id]
    assert (message.ack, message.error, message.delivery_attempts) == (MessageAck.FAILED, "not connected", 3)
    assert view is not None
    assert view.error == "not connected"
    assert len(world.publisher.of_type(MessageUpdated)) == 1
    assert world.sender.outbox == []


async def test_a_retry_that_succeeds(world: World) -> None:
    message_id = await queued_message(world)
    world.sender.fail_next(1)
    with pytest.raises(DeliveryRetry):
        await deliver(world).execute(DeliverMessageCommand(message_id, attempt=1))
    await deliver(world).execute(DeliverMessageCommand(message_id, attempt=2))
    message = world.state.messages[message_id]
    # Each run that claimed the message counts, the successful one included.
    assert (message.ack, message.error, message.error_kind, message.delivery_attempts) == (
        MessageAck.SENT,
        None,
        None,
        2,
    )
    assert len(world.sender.outbox) == 1


async def test_a_permanent_failure_fails_at_once(world: World) -> None:
    message_id = await queued_message(world)
    world.sender.fail_next(1, "number not on WhatsApp", retryable=False)
    await deliver(world).execute(DeliverMessageCommand(message_id, attempt=1, max_attempts=5))
    message = world.state.messages[message_id]
    assert (message.ack, message.error) == (MessageAck.FAILED, "number not on WhatsApp")


async def test_the_message_count_outlives_a_sweeper_restart(world: World) -> None:
    message_id = await queued_message(world)
    world.sender.fail_next(3)
    for attempt in (1, 2):
        with pytest.raises(DeliveryRetry):
            await deliver(world).execute(DeliverMessageCommand(message_id, attempt=attempt, max_attempts=3))
    # A job re-enqueued by the sweeper starts again at attempt 1, but the message knows it is the third.
    await deliver(world).execute(DeliverMessageCommand(message_id, attempt=1, max_attempts=3))
    assert world.state.messages[message_id].ack is MessageAck.FAILED


async def test_sweeper_re_enqueues_pending_messages_older_than_a_minute(world: World) -> None:
    old = await queued_message(world, "old")
    ticket_id = world.state.messages[old].ticket_id
    world.clock.advance(timedelta(seconds=61))
    admin = await world.viewer(role=Role.ADMIN)
    fresh = (
        await SendMessage(world.uow(), world.clock, world.publisher, world.jobs, world.media).execute(
            SendMessageCommand(ticket_id, admin, "fresh")
        )
    ).id
    world.jobs.take_all()

    count = await SweepPendingMessages(world.uow(), world.clock, world.jobs).execute(SweepPendingMessagesCommand())
    assert count == 1
    assert world.jobs.waiting == [DeliverMessageJob(old)]
    assert fresh != old


async def test_sweeper_skips_sent_and_failed_messages(world: World) -> None:
    message_id = await queued_message(world)
    await deliver(world).execute(DeliverMessageCommand(message_id))
    world.clock.advance(timedelta(minutes=5))
    world.jobs.take_all()
    assert await SweepPendingMessages(world.uow(), world.clock, world.jobs).execute(SweepPendingMessagesCommand()) == 0
    assert world.jobs.waiting == []


async def test_a_clash_recording_sent_after_a_successful_send_is_never_sent_again(world: World) -> None:
    """Finding 5: WhatsApp accepted the message but its id was already stored (the simulator's counter restarted):
    recording ``sent`` failed on the unique rule and every retry sent the message again."""
    message_id = await queued_message(world, "first")
    inbound = world.state.messages[message_id]
    await deliver(world).execute(DeliverMessageCommand(message_id))
    second = await SendMessage(world.uow(), world.clock, world.publisher, world.jobs, world.media).execute(
        SendMessageCommand(inbound.ticket_id, await world.viewer(role=Role.ADMIN), "second")
    )
    world.sender._ids = itertools.count(1)  # the transport restarted: it hands out OUT1 again

    view = await deliver(world).execute(DeliverMessageCommand(second.id))
    again = await deliver(world).execute(DeliverMessageCommand(second.id, attempt=2))  # a retry or the sweeper

    assert [item.body for item in world.sender.outbox] == ["first", "second"]
    assert view is not None
    assert view.ack is MessageAck.SENT
    assert again is None
    stored = world.state.messages[second.id]
    assert (stored.ack, stored.wa_message_id) == (MessageAck.SENT, None)


async def test_a_message_claimed_by_a_live_run_is_left_to_it_for_now(world: World) -> None:
    message_id = await queued_message(world)
    world.state.messages[message_id].delivery_claimed_at = world.clock.now()  # another run is talking to WhatsApp
    with pytest.raises(DeliveryRetry):  # tried again later: sent by then, or the claim was a dead run's
        await deliver(world).execute(DeliverMessageCommand(message_id))
    assert world.sender.outbox == []


async def test_the_claim_of_a_run_that_died_expires(world: World) -> None:
    message_id = await queued_message(world)
    world.state.messages[message_id].delivery_claimed_at = world.clock.now()
    world.clock.advance(CLAIM_EXPIRES_AFTER + timedelta(seconds=1))
    view = await deliver(world).execute(DeliverMessageCommand(message_id))
    assert view is not None
    assert view.ack is MessageAck.SENT
    assert world.state.messages[message_id].delivery_claimed_at is None


async def test_a_retry_releases_the_claim(world: World) -> None:
    message_id = await queued_message(world)
    world.sender.fail_next(1)
    with pytest.raises(DeliveryRetry):
        await deliver(world).execute(DeliverMessageCommand(message_id))
    assert world.state.messages[message_id].delivery_claimed_at is None
    view = await deliver(world).execute(DeliverMessageCommand(message_id, attempt=2))
    assert view is not None
    assert view.ack is MessageAck.SENT


class DeletedWhileSending(FakeMessageSender):
    """WhatsApp takes the message while, on our side, an agent deletes it."""

    def __init__(self, world: World) -> None:
        super().__init__()
        self._world = world

    async def send_text(
        self, whatsapp_id: int, to: Recipient, body: str, *, quoted_wa_message_id: str | None = None
    ) -> str:
        for message in self._world.state.messages.values():
            message.is_deleted = message.is_deleted or message.body == body
        return await super().send_text(whatsapp_id, to, body, quoted_wa_message_id=quoted_wa_message_id)


async def test_a_message_deleted_while_its_send_was_under_way_is_deleted_on_whatsapp(world: World) -> None:
    message_id = await queued_message(world, "oops")
    sender = DeletedWhileSending(world)
    await DeliverMessage(world.uow(), sender, world.media, world.publisher, world.clock).execute(
        DeliverMessageCommand(message_id)
    )
    stored = world.state.messages[message_id]
    assert (stored.ack, stored.is_deleted) == (MessageAck.SENT, True)
    assert [(item.kind, item.wa_message_id) for item in sender.outbox] == [
        ("text", stored.wa_message_id),
        ("delete", stored.wa_message_id),
    ]
