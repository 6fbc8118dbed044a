"""Internal notes: stored for agents, never sent to WhatsApp by any path, @mentions notify who may see the ticket."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_world import World
from ticket_seed import add_ticket

from whaticket_core.domain.errors import InvalidInput, MessageNotEditable, NoteNotSendable, TicketNotFound
from whaticket_core.domain.events import MessageCreated, NoteMentioned
from whaticket_core.domain.mentions import mentioned
from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.domain.ticket import Ticket, TicketStatus
from whaticket_core.domain.user import Role, User
from whaticket_core.domain.visibility import Viewer
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.use_cases.messages.delete_message import DeleteMessage, DeleteMessageCommand
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage, DeliverMessageCommand
from whaticket_core.use_cases.messages.edit_message import EditMessage, EditMessageCommand
from whaticket_core.use_cases.messages.message_steps import whatsapp_chat_of
from whaticket_core.use_cases.messages.sweep_pending_messages import SweepPendingMessages, SweepPendingMessagesCommand
from whaticket_core.use_cases.notes.add_note import AddNote, AddNoteCommand


def add_note(world: World) -> AddNote:
    return AddNote(world.uow(), world.clock, world.publisher)


async def _open_ticket(world: World) -> tuple[Viewer, Ticket]:
    agent = await world.viewer()
    wa = await world.add_whatsapp()
    received = await world.inbound(wa.id, "5511999990001", "hi")
    ticket = world.state.tickets[received.ticket_id]
    ticket.status, ticket.user_id = TicketStatus.OPEN, agent.user_id
    return agent, ticket


async def test_a_note_is_stored_for_agents_and_leaves_the_ticket_and_the_outbox_alone(world: World) -> None:
    agent, ticket = await _open_ticket(world)
    before = world.state.tickets[ticket.id]
    world.publisher.clear()
    world.jobs.take_all()
    note = await add_note(world).execute(AddNoteCommand(ticket.id, agent, "Customer is a reseller"))

    stored = world.state.messages[note.id]
    assert (stored.media_type, stored.ack, stored.from_me, stored.user_id) == (
        MediaType.NOTE,
        MessageAck.SENT,
        True,
        agent.user_id,
    )
    assert stored.wa_message_id is None
    after = world.state.tickets[ticket.id]
    assert (after.last_message, after.unread_messages, after.status) == (
        before.last_message,
        before.unread_messages,
        before.status,
    )
    [event] = world.publisher.events
    assert isinstance(event, MessageCreated)
    assert (event.message.media_type, event.message.user_id) == (MediaType.NOTE, agent.user_id)
    assert world.jobs.history == []


async def test_notes_need_a_visible_ticket_and_a_body_and_work_on_closed_tickets(world: World) -> None:
    owner, stranger = await world.viewer(), await world.viewer()
    closed = await add_ticket(world, status=TicketStatus.CLOSED, user_id=owner.user_id)
    with pytest.raises(TicketNotFound):
        await add_note(world).execute(AddNoteCommand(closed.id, stranger, "psst"))
    with pytest.raises(InvalidInput):
        await add_note(world).execute(AddNoteCommand(closed.id, owner, "   "))
    assert (await add_note(world).execute(AddNoteCommand(closed.id, owner, "follow up Monday"))).id > 0


async def test_no_send_path_hands_a_note_to_the_transport(world: World) -> None:
    """Every way the core talks to WhatsApp about a message: the delivery job (with retries after failures), the
    sweeper of stale pending messages and the jobs it enqueues, edit and delete."""
    agent, ticket = await _open_ticket(world)
    note = await add_note(world).execute(AddNoteCommand(ticket.id, agent, "internal only"))
    world.clock.advance(timedelta(hours=1))

    deliver = DeliverMessage(world.uow(), world.sender, world.media, world.publisher, world.clock)
    world.sender.fail_next(3)
    for attempt in range(1, 6):
        assert await deliver.execute(DeliverMessageCommand(note.id, attempt=attempt)) is None
    assert await SweepPendingMessages(world.uow(), world.clock, world.jobs).execute(SweepPendingMessagesCommand()) == 0
    for job in world.jobs.take_all():
        assert isinstance(job, DeliverMessageJob)
        await deliver.execute(DeliverMessageCommand(job.message_id))
    with pytest.raises(MessageNotEditable):
        await EditMessage(world.uow(), world.clock, world.sender, world.publisher).execute(
            EditMessageCommand(note.id, agent, "changed")
        )
    deleted = await DeleteMessage(world.uow(), world.sender, world.publisher).execute(
        DeleteMessageCommand(note.id, agent)
    )
    assert deleted.is_deleted
    assert world.sender.outbox == []


async def test_even_a_note_that_looks_sendable_is_refused(world: World) -> None:
    """Structural, not by luck of its ack: a note forced into ``pending`` with a WhatsApp id (a corrupt row) is
    still skipped by delivery, swept to a job that does nothing, and refused a chat address by the one step every
    transport call goes through."""
    agent, ticket = await _open_ticket(world)
    note = await add_note(world).execute(AddNoteCommand(ticket.id, agent, "internal only"))
    corrupt = world.state.messages[note.id]
    corrupt.ack, corrupt.wa_message_id = MessageAck.PENDING, "WA-LOOKALIKE"
    world.clock.advance(timedelta(hours=1))

    await SweepPendingMessages(world.uow(), world.clock, world.jobs).execute(SweepPendingMessagesCommand())
    deliver = DeliverMessage(world.uow(), world.sender, world.media, world.publisher, world.clock)
    for job in world.jobs.take_all():
        assert isinstance(job, DeliverMessageJob)
        assert await deliver.execute(DeliverMessageCommand(job.message_id)) is None
    with pytest.raises(MessageNotEditable):
        await EditMessage(world.uow(), world.clock, world.sender, world.publisher).execute(
            EditMessageCommand(note.id, agent, "changed")
        )
    with pytest.raises(NoteNotSendable):
        await DeleteMessage(world.uow(), world.sender, world.publisher).execute(DeleteMessageCommand(note.id, agent))
    async with world.uow() as uow:
        with pytest.raises(NoteNotSendable):
            await whatsapp_chat_of(uow, corrupt, ticket)
    assert world.sender.outbox == []


def _user(user_id: int, name: str) -> User:
    return User(name, f"u{user_id}@example.com", "x", Role.USER, created_at=None, id=user_id)  # type: ignore[arg-type]


def test_mentions_match_whole_names_case_insensitively() -> None:
    ana, ana_silva, bo = _user(1, "Ana"), _user(2, "Ana Silva"), _user(3, "Bo")
    users = [ana, ana_silva, bo]
    assert mentioned("@ana, can you look?", users) == [ana]
    assert mentioned("ping @Ana Silva.", users) == [ana_silva]
    assert mentioned("@Ana and @ANA SILVA", users) == [ana, ana_silva]
    assert mentioned("mail ana@example.com or @Bob or @@Bo", users) == []
    assert mentioned("@Bo!", users) == [bo]
    other_bo = _user(4, "bo")
    assert mentioned("@bo", [*users, other_bo]) == [bo, other_bo]  # namesakes: the caller filters by visibility


async def test_mentions_notify_users_who_see_the_ticket_but_not_the_author(world: World) -> None:
    agent, ticket = await _open_ticket(world)
    author = world.state.users[agent.user_id]
    boss = await world.add_user("Boss Lady", role=Role.SUPERVISOR)
    await world.add_user("Outsider")  # an agent outside the ticket: mentioned, not notified
    world.publisher.clear()
    note = await add_note(world).execute(
        AddNoteCommand(ticket.id, agent, f"@Boss Lady @outsider see this (@{author.name})")
    )
    assert world.publisher.of_type(NoteMentioned) == [NoteMentioned(ticket.id, note.id, (boss.id,))]
    world.publisher.clear()
    await add_note(world).execute(AddNoteCommand(ticket.id, agent, "nobody mentioned"))
    assert world.publisher.of_type(NoteMentioned) == []
