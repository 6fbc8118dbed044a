"""ReceiveMessage under concurrency: racing deliveries converge, lost races retry the whole transaction."""

from __future__ import annotations

import asyncio
import copy

import pytest
from fake_world import World, received

from whaticket_core.domain.contact import Contact
from whaticket_core.domain.errors import ConcurrentUpdate
from whaticket_core.domain.events import TicketCreated
from whaticket_core.domain.message import Message
from whaticket_core.ports.unit_of_work import Constraint, StoreConflict
from whaticket_core.testing import InMemoryUnitOfWork
from whaticket_core.testing.conversation_repositories import InMemoryContactRepository, InMemoryMessageRepository
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage

NUMBER = "5511999990001"


async def test_fifty_concurrent_messages_from_a_new_number(world: World) -> None:
    wa = await world.add_whatsapp()
    commands = [InboundMessage(wa.id, f"C{i}", NUMBER, f"message {i}") for i in range(50)]
    results = await asyncio.gather(
        *(ReceiveMessage(world.uow(), world.clock, world.publisher, world.jobs).execute(c) for c in commands)
    )

    assert len(world.state.contacts) == 1
    assert len(world.state.tickets) == 1
    assert len(world.state.messages) == 50
    [ticket] = world.state.tickets.values()
    assert ticket.unread_messages == 50
    assert {r.ticket_id for r in results} == {ticket.id}
    assert len(world.publisher.of_type(TicketCreated)) == 1


async def test_concurrent_redeliveries_store_each_message_once(world: World) -> None:
    wa = await world.add_whatsapp()
    commands = [InboundMessage(wa.id, f"C{i % 10}", NUMBER, f"message {i % 10}") for i in range(50)]
    results = await asyncio.gather(*(world.receive_message().execute(c) for c in commands))

    assert len(world.state.messages) == 10
    assert sum(not r.duplicate for r in results) == 10
    [ticket] = world.state.tickets.values()
    assert ticket.unread_messages == 10


class _LosesTheContactRace(InMemoryContactRepository):
    """A contacts repository whose ``add`` loses a race: another writer commits the same number first."""

    def __init__(self, uow: InMemoryUnitOfWork, world: World, losses: int, *, winner_commits: bool = True) -> None:
        super().__init__(uow)
        self._world = world
        self.losses = losses
        self._winner_commits = winner_commits

    async def add(self, contact: Contact) -> Contact:
        if self.losses > 0:
            self.losses -= 1
            state = self._world.state
            if self._winner_commits and not any(c.number == contact.number for c in state.contacts.values()):
                # The winner's row lands in the committed state (our own working copy does not see it yet).
                winner = Contact(name="Winner", number=contact.number, created_at=contact.created_at)
                winner.id = state.allocate("contacts")
                state.contacts[winner.id] = winner
            raise StoreConflict(Constraint.CONTACT_NUMBER, contact.number)
        return await super().add(contact)


async def test_losing_a_race_retries_the_whole_transaction(world: World) -> None:
    wa = await world.add_whatsapp()
    uow = InMemoryUnitOfWork(world.store)
    uow.contacts = _LosesTheContactRace(uow, world, losses=1)
    result = await ReceiveMessage(uow, world.clock, world.publisher, world.jobs).execute(
        InboundMessage(wa.id, "W1", NUMBER, "hi")
    )

    [contact] = world.state.contacts.values()
    assert contact.name == "Winner"
    assert world.state.tickets[received(result).ticket_id].contact_id == contact.id
    assert len(world.state.messages) == 1


async def test_endless_conflicts_end_in_concurrent_update(world: World) -> None:
    wa = await world.add_whatsapp()
    uow = InMemoryUnitOfWork(world.store)
    # Every attempt loses and the winner's row never shows: the use case must give up, not loop forever.
    racing = _LosesTheContactRace(uow, world, losses=100, winner_commits=False)
    uow.contacts = racing
    with pytest.raises(ConcurrentUpdate):
        await ReceiveMessage(uow, world.clock, world.publisher, world.jobs).execute(
            InboundMessage(wa.id, "W1", NUMBER, "hi")
        )
    assert 1 < 100 - racing.losses < 100  # it retried, a bounded number of times
    assert not world.state.messages
    assert not world.publisher.events


class _LosesTheMessageRace(InMemoryMessageRepository):
    """A messages repository whose first ``add`` loses to a concurrent delivery of the same WhatsApp message."""

    def __init__(self, uow: InMemoryUnitOfWork, world: World) -> None:
        super().__init__(uow)
        self._world = world
        self.lost = False

    async def add(self, message: Message) -> Message:
        if not self.lost:
            self.lost = True
            winner = copy.deepcopy(message)
            winner.id = self._world.state.allocate("messages")
            self._world.state.messages[winner.id] = winner
            ticket = self._world.state.tickets[message.ticket_id]
            ticket.unread_messages += 1
            raise StoreConflict(Constraint.MESSAGE_WA_ID, message.wa_message_id or "")
        return await super().add(message)


async def test_a_racing_redelivery_ends_as_a_duplicate(world: World) -> None:
    wa = await world.add_whatsapp()
    first = await world.inbound(wa.id, NUMBER, "first")
    world.publisher.clear()
    uow = InMemoryUnitOfWork(world.store)
    uow.messages = _LosesTheMessageRace(uow, world)
    result = await ReceiveMessage(uow, world.clock, world.publisher, world.jobs).execute(
        InboundMessage(wa.id, "W2", NUMBER, "second")
    )

    assert result.duplicate
    assert result.ticket_id == first.ticket_id
    assert len(world.state.messages) == 2
    assert world.state.tickets[first.ticket_id].unread_messages == 2  # counted once, by the winner
    assert world.publisher.events == []  # the winner published
