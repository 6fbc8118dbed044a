"""Random interleavings of messages by number, by LID, by both, and revealed mappings (some of them concurrent):
one contact per person once WhatsApp revealed who they are, one active ticket per contact and connection, every
message kept."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp
from whaticket_core.testing import InMemoryJobQueue, InMemoryStore, InMemoryUnitOfWork, ManualClock, RecordingPublisher
from whaticket_core.use_cases.inbound.inbound_commands import InboundIdentity, InboundMessage
from whaticket_core.use_cases.inbound.link_contact_identity import LinkContactIdentity
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage

PEOPLE = [("5511999990001", "100000000000001"), ("5511999990002", "100000000000002")]


@dataclass(frozen=True)
class Step:
    kind: str  # "number" | "lid" | "both" | "mapping" | "close"
    person: int
    connection: int


steps = st.builds(
    Step,
    st.sampled_from(["number", "lid", "lid", "both", "mapping", "close"]),
    st.integers(0, len(PEOPLE) - 1),
    st.integers(0, 1),
)


async def scenario(rounds: list[list[Step]]) -> None:
    store, clock = InMemoryStore(), ManualClock()
    publisher, jobs = RecordingPublisher(), InMemoryJobQueue()
    connections = []
    for n in range(2):
        wa = WhatsApp(f"C{n}", ConnectionStatus.CONNECTED, is_default=n == 0, updated_at=clock.now())
        async with InMemoryUnitOfWork(store) as uow:
            await uow.whatsapps.add(wa)
            await uow.commit()
        connections.append(wa.id)
    sent: list[str] = []
    revealed: set[int] = set()

    async def run(step: Step, wa_id: str) -> None:
        number, lid = PEOPLE[step.person]
        whatsapp_id = connections[step.connection]
        if step.kind == "mapping":
            await LinkContactIdentity(InMemoryUnitOfWork(store), clock, publisher).execute(
                InboundIdentity(whatsapp_id, lid, number)
            )
            return
        if step.kind == "close":
            async with InMemoryUnitOfWork(store) as uow:
                for ticket in list(uow.working.tickets.values()):
                    if ticket.is_active and ticket.whatsapp_id == whatsapp_id:
                        ticket.close(clock.now())
                        await uow.tickets.save(ticket)
                await uow.commit()
            return
        chat = "" if step.kind == "lid" else number
        command = InboundMessage(
            whatsapp_id, wa_id, chat, body=wa_id, lid=None if step.kind == "number" else lid, push_name="P"
        )
        await ReceiveMessage(InMemoryUnitOfWork(store), clock, publisher, jobs).execute(command)

    counter = 0
    known: set[int] = set()  # people with a message stored in an earlier round
    for batch in rounds:
        calls = []
        for step in batch:
            counter += 1
            wa_id = f"W{counter}"
            if step.kind in ("number", "lid", "both"):
                sent.append(wa_id)
            # A mapping only concerns people the helpdesk already knows; a message naming both always counts.
            if step.kind == "both" or (step.kind == "mapping" and step.person in known):
                revealed.add(step.person)
            calls.append(run(step, wa_id))
        await asyncio.gather(*calls)
        known.update(step.person for step in batch if step.kind in ("number", "lid", "both"))
        clock.advance(timedelta(seconds=1))

    state = store.state
    # Every message kept, once, on a ticket of its own contact.
    assert sorted(m.wa_message_id or "" for m in state.messages.values() if not m.from_me) == sorted(sent)
    for message in state.messages.values():
        assert message.contact_id in state.contacts
        assert state.tickets[message.ticket_id].contact_id == message.contact_id
    # One active ticket per contact and connection.
    active = [(t.contact_id, t.whatsapp_id) for t in state.tickets.values() if t.is_active]
    assert len(active) == len(set(active))
    # A person WhatsApp revealed is one contact holding both identifiers.
    for person in revealed:
        number, lid = PEOPLE[person]
        holders = [c for c in state.contacts.values() if c.number == number or c.lid == lid]
        assert len(holders) == 1, (rounds, holders)
        assert (holders[0].number, holders[0].lid) == (number, lid)
    # A number or a LID never names two contacts.
    numbers = [c.number for c in state.contacts.values() if c.number]
    lids = [c.lid for c in state.contacts.values() if c.lid]
    assert len(numbers) == len(set(numbers))
    assert len(lids) == len(set(lids))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(steps, min_size=1, max_size=3), min_size=1, max_size=12))
def test_random_interleavings_keep_one_person_one_contact(rounds: list[list[Step]]) -> None:
    asyncio.run(scenario(rounds))
