"""The simulator wired to the real use cases over the core's in-memory fakes (the ``world`` fixture)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import pytest

from whaticket_adapters.whatsapp.backoff import Backoff
from whaticket_adapters.whatsapp.handlers import TransportHandlers
from whaticket_adapters.whatsapp.simulator.inbound import SimulatedGroup
from whaticket_adapters.whatsapp.simulator.state import SimulatedMedia
from whaticket_adapters.whatsapp.simulator.transport import SimulatorTransport
from whaticket_core.domain.errors import WhatsAppNotConnected
from whaticket_core.domain.message import MediaFile, MediaType, MessageAck
from whaticket_core.domain.whatsapp import ConnectionStatus
from whaticket_core.ports.jobs import DownloadMediaJob
from whaticket_core.ports.transport import Recipient, TransportError
from whaticket_core.use_cases.connections.whatsapp_sessions import (
    UpdateConnectionStatus,
    UpdateConnectionStatusCommand,
    UpdateQrCode,
    UpdateQrCodeCommand,
)
from whaticket_core.use_cases.inbound.download_inbound_media import DownloadInboundMedia, DownloadInboundMediaCommand
from whaticket_core.use_cases.inbound.inbound_commands import InboundReceipt
from whaticket_core.use_cases.inbound.update_message_ack import UpdateMessageAck
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage, DeliverMessageCommand, DeliveryRetry

CUSTOMER = "5511999990001"


class Harness:
    def __init__(self, world: Any) -> None:
        self.world = world
        self.sleeps: list[float] = []
        self.statuses: list[tuple[ConnectionStatus, str | None]] = []

        async def on_status(
            whatsapp_id: int, status: ConnectionStatus, number: str | None, banned_until: datetime | None
        ) -> None:
            self.statuses.append((status, number))
            await UpdateConnectionStatus(world.uow(), world.clock, world.publisher).execute(
                UpdateConnectionStatusCommand(whatsapp_id, status, number, banned_until)
            )

        async def on_qr(whatsapp_id: int, qr: str) -> None:
            await UpdateQrCode(world.uow(), world.clock, world.publisher).execute(UpdateQrCodeCommand(whatsapp_id, qr))

        async def on_inbound(command: Any) -> None:
            if isinstance(command, InboundReceipt):
                await UpdateMessageAck(world.uow(), world.publisher).execute(command)
            else:
                await world.receive_message().execute(command)

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        self.transport = SimulatorTransport(
            handlers=TransportHandlers(on_inbound=on_inbound, on_status=on_status, on_qr=on_qr),
            backoff=Backoff(initial=1.0, factor=2.0, maximum=30.0, jitter=0.0),
            sleep=sleep,
        )

    async def connected_whatsapp(self) -> int:
        whatsapp = await self.world.add_whatsapp()
        await self.transport.start_session(whatsapp.id)
        await self.transport.scan(whatsapp.id, "5511912345678")
        return int(whatsapp.id)

    def deliver(self) -> DeliverMessage:
        w = self.world
        return DeliverMessage(w.uow(), self.transport, w.media, w.publisher, w.clock)


@pytest.fixture
def sim(world: Any) -> Harness:
    return Harness(world)


async def test_session_flow_qr_then_scan_then_connected(sim: Harness) -> None:
    whatsapp = await sim.world.add_whatsapp()
    await sim.transport.start_session(whatsapp.id)
    stored = sim.world.state.whatsapps[whatsapp.id]
    assert stored.status is ConnectionStatus.QRCODE
    assert stored.qrcode is not None
    assert stored.qrcode.startswith(f"SIMULATOR:{whatsapp.id}:")

    await sim.transport.scan(whatsapp.id, "+55 11 91234-5678")
    stored = sim.world.state.whatsapps[whatsapp.id]
    assert (stored.status, stored.number, stored.qrcode) == (ConnectionStatus.CONNECTED, "5511912345678", None)


async def test_scan_without_a_qr_is_refused(sim: Harness) -> None:
    whatsapp = await sim.world.add_whatsapp()
    with pytest.raises(WhatsAppNotConnected):
        await sim.transport.scan(whatsapp.id)


async def test_a_drop_reconnects_with_backoff(sim: Harness) -> None:
    whatsapp_id = await sim.connected_whatsapp()
    sim.statuses.clear()
    await sim.transport.drop(whatsapp_id, failed_reconnects=2)
    await sim.transport.wait_reconnected(whatsapp_id)

    assert sim.sleeps == [1.0, 2.0, 4.0]
    assert sim.statuses == [(ConnectionStatus.OPENING, None), (ConnectionStatus.CONNECTED, "5511912345678")]
    assert sim.world.state.whatsapps[whatsapp_id].status is ConnectionStatus.CONNECTED


async def test_a_customer_message_becomes_a_ticket_and_a_redelivery_is_stored_once(sim: Harness) -> None:
    whatsapp_id = await sim.connected_whatsapp()
    first = await sim.transport.inbound(whatsapp_id, sender=CUSTOMER, body="hello", name="Maria", wa_message_id="W1")
    await sim.transport.inbound(whatsapp_id, sender=CUSTOMER, body="hello", name="Maria", wa_message_id="W1")
    generated = await sim.transport.inbound(whatsapp_id, sender=CUSTOMER, body="still there?")

    assert first.wa_message_id == "W1"
    assert generated.wa_message_id.startswith("SIMIN")
    [ticket] = sim.world.state.tickets.values()
    assert ticket.unread_messages == 2
    assert sorted(m.body for m in sim.world.state.messages.values()) == ["hello", "still there?"]


async def test_inbound_on_a_connection_not_connected_is_refused(sim: Harness) -> None:
    whatsapp = await sim.world.add_whatsapp()
    with pytest.raises(WhatsAppNotConnected):
        await sim.transport.inbound(whatsapp.id, sender=CUSTOMER, body="hello")


async def test_inbound_media_is_fetched_by_the_download_job(sim: Harness) -> None:
    whatsapp_id = await sim.connected_whatsapp()
    media = SimulatedMedia(MediaType.IMAGE, "image/png", b"\x89PNG data", "photo.png")
    await sim.transport.inbound(whatsapp_id, sender=CUSTOMER, media=media)

    [job] = [job for job in sim.world.jobs.waiting if isinstance(job, DownloadMediaJob)]
    w = sim.world
    await DownloadInboundMedia(w.uow(), sim.transport, w.media, w.publisher).execute(
        DownloadInboundMediaCommand(job.message_id)
    )
    message = w.state.messages[job.message_id]
    assert message.media_type is MediaType.IMAGE
    assert message.media_key is not None
    assert await w.media.load(message.media_key) == b"\x89PNG data"


async def test_unknown_media_refs_are_gone_for_good(sim: Harness) -> None:
    with pytest.raises(TransportError) as raised:
        await sim.transport.fetch(1, "sim:nope")
    assert not raised.value.retryable


async def test_group_message_carries_group_and_member(sim: Harness) -> None:
    whatsapp_id = await sim.connected_whatsapp()
    group = SimulatedGroup("120363025246125486", "Support group", "5511977776666", "Ana")
    command = await sim.transport.inbound(whatsapp_id, sender="5511977776666", body="hi all", group=group)
    assert (command.chat, command.is_group, command.group_name) == ("120363025246125486", True, "Support group")
    assert (command.participant, command.participant_name, command.push_name) == ("5511977776666", "Ana", None)


async def test_an_agent_reply_lands_in_the_outbox_and_receipts_move_its_ack(sim: Harness) -> None:
    whatsapp_id = await sim.connected_whatsapp()
    await sim.transport.inbound(whatsapp_id, sender=CUSTOMER, body="question", wa_message_id="Q1")
    ticket_id = next(iter(sim.world.state.tickets))
    message = await _pending_reply(sim, ticket_id, "answer")

    await sim.deliver().execute(DeliverMessageCommand(message))
    [item] = await sim.transport.outbox(whatsapp_id)
    assert (item.kind, item.to, item.body, item.seq) == ("text", CUSTOMER, "answer", 1)
    assert item.wa_message_id is not None

    await sim.transport.receipt(whatsapp_id, (item.wa_message_id,), MessageAck.DELIVERED)
    assert sim.world.state.messages[message].ack is MessageAck.DELIVERED
    await sim.transport.receipt(whatsapp_id, (item.wa_message_id,), MessageAck.READ)
    assert sim.world.state.messages[message].ack is MessageAck.READ


async def test_fail_next_makes_sends_fail_then_the_retry_succeeds(sim: Harness) -> None:
    whatsapp_id = await sim.connected_whatsapp()
    await sim.transport.inbound(whatsapp_id, sender=CUSTOMER, body="question")
    message = await _pending_reply(sim, next(iter(sim.world.state.tickets)), "answer")
    await sim.transport.fail_next(whatsapp_id, 1, "network hiccup")

    with pytest.raises(DeliveryRetry, match="network hiccup"):
        await sim.deliver().execute(DeliverMessageCommand(message, attempt=1))
    await sim.deliver().execute(DeliverMessageCommand(message, attempt=2))
    assert sim.world.state.messages[message].ack is MessageAck.SENT
    assert len(await sim.transport.outbox()) == 1


async def test_every_kind_of_send_in_order_with_the_after_cursor(sim: Harness) -> None:
    whatsapp_id = await sim.connected_whatsapp()
    to = Recipient(CUSTOMER)
    t = sim.transport
    text_id = await t.send_text(whatsapp_id, to, "hi", quoted_wa_message_id="Q9")
    await t.send_media(
        whatsapp_id,
        to,
        MediaFile(data=b"%PDF", media_type=MediaType.DOCUMENT, mime_type="application/pdf", file_name="a.pdf"),
    )
    await t.edit_text(whatsapp_id, to, text_id, "hi!")
    await t.delete_for_everyone(whatsapp_id, to, text_id)
    await t.mark_read(whatsapp_id, to, ("IN1", "IN2"))

    items = await t.outbox(whatsapp_id)
    assert [i.kind for i in items] == ["text", "media", "edit", "delete", "read-receipt"]
    assert items[0].quoted_wa_message_id == "Q9"
    assert items[1].media is not None
    assert items[1].media.data == b"%PDF"
    assert (items[2].wa_message_id, items[2].body) == (text_id, "hi!")
    assert items[4].wa_message_ids == ("IN1", "IN2")
    assert [i.kind for i in await t.outbox(whatsapp_id, after=3)] == ["delete", "read-receipt"]
    assert await t.outbox(whatsapp_id + 1) == []


async def test_sends_on_a_disconnected_connection_are_retryable_failures(sim: Harness) -> None:
    whatsapp = await sim.world.add_whatsapp()
    with pytest.raises(TransportError) as raised:
        await sim.transport.send_text(whatsapp.id, Recipient(CUSTOMER), "hi")
    assert raised.value.retryable


async def test_logout_disconnects_and_a_new_start_shows_a_new_qr(sim: Harness) -> None:
    whatsapp_id = await sim.connected_whatsapp()
    await sim.transport.logout(whatsapp_id)
    assert sim.world.state.whatsapps[whatsapp_id].status is ConnectionStatus.DISCONNECTED
    await sim.transport.start_session(whatsapp_id)
    assert sim.world.state.whatsapps[whatsapp_id].status is ConnectionStatus.QRCODE


async def test_close_cancels_pending_reconnects(sim: Harness) -> None:
    whatsapp_id = await sim.connected_whatsapp()

    async def never(_seconds: float) -> None:
        await asyncio.Event().wait()

    sim.transport._sleep = never
    await sim.transport.drop(whatsapp_id)
    await sim.transport.close()
    await asyncio.sleep(0)
    assert sim.world.state.whatsapps[whatsapp_id].status is ConnectionStatus.OPENING


async def _pending_reply(sim: Harness, ticket_id: int, body: str) -> int:
    from whaticket_core.domain.user import Role
    from whaticket_core.use_cases.messages.send_message import SendMessage, SendMessageCommand

    w = sim.world
    admin = await w.viewer(role=Role.ADMIN)
    view = await SendMessage(w.uow(), w.clock, w.publisher, w.jobs, w.media).execute(
        SendMessageCommand(ticket_id, admin, body)
    )
    return int(view.id)


async def test_ids_are_random_so_a_restarted_simulator_never_repeats_them(world: Any) -> None:
    """Finding 5: the simulator's id counter restarted at 1 with the process, so new sends clashed with stored ids
    and new customer messages without ``waMessageId`` were dropped as redeliveries."""
    before = Harness(world)
    whatsapp_id = await before.connected_whatsapp()
    first = await before.transport.inbound(whatsapp_id, sender=CUSTOMER, body="before the restart")
    sent_before = await before.transport.send_text(whatsapp_id, Recipient(CUSTOMER), "reply")

    after = Harness(world)  # a new process: fresh in-memory simulator state, same database
    await after.transport.start_session(whatsapp_id)
    await after.transport.scan(whatsapp_id, "5511912345678")
    second = await after.transport.inbound(whatsapp_id, sender=CUSTOMER, body="after the restart")
    sent_after = await after.transport.send_text(whatsapp_id, Recipient(CUSTOMER), "reply")

    assert first.wa_message_id != second.wa_message_id
    assert sent_before != sent_after
    bodies = sorted(m.body for m in world.state.messages.values())
    assert bodies == ["after the restart", "before the restart"]  # neither taken for a redelivery
