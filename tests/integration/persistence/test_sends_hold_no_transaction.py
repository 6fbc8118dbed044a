"""A send waiting on WhatsApp holds no transaction: other writes (even to the message being sent and its ticket) go
through meanwhile, on the in-memory fakes (whose transactions are serialised), SQLite (the process-wide writer
lock) and PostgreSQL (row locks)."""

from __future__ import annotations

import asyncio
from typing import Any

from persistence_builders import message, seed_conversation

from whaticket_core.domain.message import MessageAck
from whaticket_core.domain.user import Role
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.transport import Recipient
from whaticket_core.testing import FakeMessageSender, InMemoryMediaStore, ManualClock, RecordingPublisher
from whaticket_core.use_cases.messages.delete_message import DeleteMessage, DeleteMessageCommand
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage, DeliverMessageCommand
from whaticket_core.use_cases.messages.edit_message import EditMessage, EditMessageCommand

# Only a guard against a hang (the failure this test exists to catch): never reached when the code is right.
HANG_GUARD_SECONDS = 30
ADMIN = Viewer(user_id=1, role=Role.ADMIN, queue_ids=frozenset())


class WhatsAppThatWaits(FakeMessageSender):
    """Every call waits, after being entered, until the test releases it: WhatsApp taking its time."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def _wait(self) -> None:
        self.entered.set()
        await self.release.wait()

    async def send_text(
        self, whatsapp_id: int, to: Recipient, body: str, *, quoted_wa_message_id: str | None = None
    ) -> str:
        await self._wait()
        return await super().send_text(whatsapp_id, to, body, quoted_wa_message_id=quoted_wa_message_id)

    async def edit_text(self, whatsapp_id: int, to: Recipient, wa_message_id: str, body: str) -> None:
        await self._wait()
        await super().edit_text(whatsapp_id, to, wa_message_id, body)

    async def delete_for_everyone(self, whatsapp_id: int, to: Recipient, wa_message_id: str) -> None:
        await self._wait()
        await super().delete_for_everyone(whatsapp_id, to, wa_message_id)


async def _write_meanwhile(backend: Any, message_id: int) -> None:
    """Another writer touches the very rows the send is about: the message (locked) and its ticket."""
    async with backend.new_uow() as uow:
        stored = await uow.messages.get(message_id, for_update=True)
        assert stored is not None
        await uow.messages.save(stored)
        ticket = await uow.tickets.get(stored.ticket_id, for_update=True)
        assert ticket is not None
        ticket.unread_messages += 1
        await uow.tickets.save(ticket)
        await uow.commit()


async def _while_whatsapp_waits(backend: Any, sender: WhatsAppThatWaits, message_id: int, call: Any) -> Any:
    task = asyncio.ensure_future(call)
    try:
        await asyncio.wait_for(sender.entered.wait(), HANG_GUARD_SECONDS)
        await asyncio.wait_for(_write_meanwhile(backend, message_id), HANG_GUARD_SECONDS)
        assert not task.done()  # the write went through while WhatsApp still had not answered
    finally:
        sender.release.set()
    return await asyncio.wait_for(task, HANG_GUARD_SECONDS)


async def test_a_delivery_waiting_on_whatsapp_blocks_no_other_write(backend: Any) -> None:
    _contact, _whatsapp, ticket = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        pending = await uow.messages.add(message(ticket, "hello", from_me=True, ack=MessageAck.PENDING))
        await uow.commit()
    sender = WhatsAppThatWaits()
    deliver = DeliverMessage(backend.new_uow(), sender, InMemoryMediaStore(), RecordingPublisher(), ManualClock())

    view = await _while_whatsapp_waits(backend, sender, pending.id, deliver.execute(DeliverMessageCommand(pending.id)))

    assert view is not None
    assert view.ack is MessageAck.SENT
    async with backend.new_uow() as uow:
        stored = await uow.messages.get(pending.id)
        stored_ticket = await uow.tickets.get(ticket.id)
    assert stored is not None
    assert stored_ticket is not None
    assert (stored.ack, stored.wa_message_id, stored.delivery_claimed_at) == (MessageAck.SENT, "OUT1", None)
    assert stored_ticket.unread_messages == ticket.unread_messages + 1  # the other write was kept


async def _sent_message(backend: Any) -> int:
    _contact, _whatsapp, ticket = await seed_conversation(backend)
    async with backend.new_uow() as uow:
        sent = await uow.messages.add(message(ticket, "helo", from_me=True, wa_message_id="WA1"))
        await uow.commit()
    return sent.id


async def test_an_edit_waiting_on_whatsapp_blocks_no_other_write(backend: Any) -> None:
    message_id = await _sent_message(backend)
    sender = WhatsAppThatWaits()
    clock = ManualClock()
    async with backend.new_uow() as uow:  # sent just now, so within the edit window of the manual clock
        stored = await uow.messages.get(message_id, for_update=True)
        assert stored is not None
        stored.created_at = clock.now()
        await uow.messages.save(stored)
        await uow.commit()
    edit = EditMessage(backend.new_uow(), clock, sender, RecordingPublisher())

    view = await _while_whatsapp_waits(
        backend, sender, message_id, edit.execute(EditMessageCommand(message_id, ADMIN, "hello"))
    )

    assert (view.body, view.is_edited) == ("hello", True)
    assert [(item.kind, item.body) for item in sender.outbox] == [("edit", "hello")]


async def test_a_deletion_waiting_on_whatsapp_blocks_no_other_write(backend: Any) -> None:
    message_id = await _sent_message(backend)
    sender = WhatsAppThatWaits()
    delete = DeleteMessage(backend.new_uow(), sender, RecordingPublisher())

    view = await _while_whatsapp_waits(
        backend, sender, message_id, delete.execute(DeleteMessageCommand(message_id, ADMIN))
    )

    assert view.is_deleted
    assert [item.kind for item in sender.outbox] == ["delete"]
