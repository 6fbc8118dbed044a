"""ReadTicket and its SendReadReceipts job."""

from __future__ import annotations

import pytest
from fake_world import World

from whaticket_core.domain.errors import TicketNotFound
from whaticket_core.domain.events import TicketUpdated
from whaticket_core.domain.user import Role
from whaticket_core.ports.jobs import SendReadReceiptsJob
from whaticket_core.ports.transport import Recipient, TransportError
from whaticket_core.testing import FakeMessageSender
from whaticket_core.use_cases.messages.send_read_receipts import SendReadReceipts, SendReadReceiptsCommand
from whaticket_core.use_cases.shared.retry import RetryLater
from whaticket_core.use_cases.tickets.read_ticket import ReadTicket, ReadTicketCommand

NUMBER = "5511999990001"


def read(world: World) -> ReadTicket:
    return ReadTicket(world.uow(), world.clock, world.publisher, world.jobs)


async def ticket_with_unread(world: World, count: int) -> int:
    wa = await world.add_whatsapp()
    result = None
    for i in range(count):
        result = await world.inbound(wa.id, NUMBER, f"m{i}", wa_id=f"W{i}")
    assert result is not None
    world.publisher.clear()
    return result.ticket_id


async def test_reading_zeroes_unread_and_enqueues_receipts(world: World) -> None:
    wa = await world.add_whatsapp()
    await world.inbound(wa.id, NUMBER, "old", wa_id="W0")
    ticket_id = (await world.inbound(wa.id, NUMBER, "x", wa_id="W1")).ticket_id
    admin = await world.viewer(role=Role.ADMIN)
    await read(world).execute(ReadTicketCommand(ticket_id, admin))  # W0 and W1 read
    await world.inbound(wa.id, NUMBER, "ours", from_me=True, wa_id="ME")
    await world.inbound(wa.id, NUMBER, "a", wa_id="W2")
    await world.inbound(wa.id, NUMBER, "b", wa_id="W3")
    world.jobs.take_all()
    world.publisher.clear()

    view = await read(world).execute(ReadTicketCommand(ticket_id, admin))

    assert view.unread_messages == 0
    assert world.state.tickets[ticket_id].unread_messages == 0
    assert world.jobs.waiting == [SendReadReceiptsJob(ticket_id, ("W2", "W3"))]
    [event] = world.publisher.events
    assert isinstance(event, TicketUpdated)
    assert event.ticket.unread_messages == 0
    assert event.previous is None


async def test_reading_a_read_ticket_changes_nothing(world: World) -> None:
    ticket_id = await ticket_with_unread(world, 1)
    admin = await world.viewer(role=Role.ADMIN)
    await read(world).execute(ReadTicketCommand(ticket_id, admin))
    updated_at = world.state.tickets[ticket_id].updated_at
    world.jobs.take_all()
    world.publisher.clear()
    await read(world).execute(ReadTicketCommand(ticket_id, admin))
    assert world.jobs.waiting == []
    assert world.publisher.events == []
    assert world.state.tickets[ticket_id].updated_at == updated_at


async def test_reading_an_invisible_ticket_is_not_found(world: World) -> None:
    ticket_id = await ticket_with_unread(world, 2)
    async with world.uow() as uow:
        ticket = await uow.tickets.get(ticket_id)
        assert ticket is not None
        ticket.assign_queue(5, world.clock.now())
        await uow.tickets.save(ticket)
        await uow.commit()
    outsider = await world.viewer(queue_ids=(6,))
    with pytest.raises(TicketNotFound):
        await read(world).execute(ReadTicketCommand(ticket_id, outsider))
    assert world.state.tickets[ticket_id].unread_messages == 2


async def test_receipts_job_marks_read_on_the_chat(world: World) -> None:
    ticket_id = await ticket_with_unread(world, 2)
    sent = await SendReadReceipts(world.uow(), world.sender).execute(SendReadReceiptsCommand(ticket_id, ("W0", "W1")))
    assert sent
    [item] = world.sender.outbox
    assert (item.kind, item.to, item.wa_message_ids) == ("read-receipt", Recipient(NUMBER), ("W0", "W1"))


async def test_receipts_job_for_nothing_or_an_unknown_ticket_is_a_no_op(world: World) -> None:
    ticket_id = await ticket_with_unread(world, 1)
    job = SendReadReceipts(world.uow(), world.sender)
    assert not await job.execute(SendReadReceiptsCommand(ticket_id, ()))
    assert not await job.execute(SendReadReceiptsCommand(999, ("W0",)))
    assert world.sender.outbox == []


class _OfflineSender(FakeMessageSender):
    def __init__(self, retryable: bool) -> None:
        super().__init__()
        self.retryable = retryable

    async def mark_read(self, whatsapp_id: int, chat: Recipient, wa_message_ids: tuple[str, ...]) -> None:
        raise TransportError("offline", retryable=self.retryable)


async def test_receipts_job_retries_when_whatsapp_is_out_of_reach(world: World) -> None:
    ticket_id = await ticket_with_unread(world, 1)
    with pytest.raises(RetryLater):
        await SendReadReceipts(world.uow(), _OfflineSender(True)).execute(SendReadReceiptsCommand(ticket_id, ("W0",)))
    assert not await SendReadReceipts(world.uow(), _OfflineSender(False)).execute(
        SendReadReceiptsCommand(ticket_id, ("W0",))
    )
