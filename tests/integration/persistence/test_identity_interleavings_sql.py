"""Random interleavings of messages by number, by LID, by both, mappings and closes, some concurrent, on PostgreSQL
and SQLite: one contact per revealed person, one active ticket per contact and connection, every message kept."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from persistence_builders import whatsapp
from sqlalchemy import select

from whaticket_adapters.sql.database import SqlUnitOfWork, create_engine, create_session_factory
from whaticket_adapters.sql.models import ContactRow, MessageRow, TicketRow
from whaticket_core.testing import InMemoryJobQueue, ManualClock, RecordingPublisher
from whaticket_core.use_cases.inbound.inbound_commands import InboundIdentity, InboundMessage
from whaticket_core.use_cases.inbound.link_contact_identity import LinkContactIdentity
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage

PEOPLE = [("5511999990001", "100000000000001"), ("5511999990002", "100000000000002")]


@dataclass(frozen=True)
class Step:
    kind: str  # "number" | "lid" | "both" | "mapping"
    person: int


steps = st.builds(Step, st.sampled_from(["number", "lid", "lid", "both", "mapping"]), st.integers(0, 1))


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rounds=st.lists(st.lists(steps, min_size=1, max_size=3), min_size=1, max_size=6))
async def test_random_interleavings_keep_one_person_one_contact(backend, pg_url, sqlite_url, db_reset, rounds):
    engine = create_engine(pg_url if backend == "postgres" else sqlite_url, pool_size=6)
    try:
        await db_reset(engine)
        factory = create_session_factory(engine)
        async with SqlUnitOfWork(factory) as uow:
            wa = await uow.whatsapps.add(whatsapp(is_default=True))
            await uow.commit()
        clock = ManualClock()

        async def run(step: Step, wa_id: str) -> None:
            number, lid = PEOPLE[step.person]
            if step.kind == "mapping":
                link = LinkContactIdentity(SqlUnitOfWork(factory), clock, RecordingPublisher())
                await link.execute(InboundIdentity(wa.id, lid, number))
                return
            chat = "" if step.kind == "lid" else number
            command = InboundMessage(wa.id, wa_id, chat, wa_id, lid=None if step.kind == "number" else lid)
            await ReceiveMessage(SqlUnitOfWork(factory), clock, RecordingPublisher(), InMemoryJobQueue()).execute(
                command
            )

        sent: list[str] = []
        revealed: set[int] = set()
        known: set[int] = set()
        counter = 0
        for batch in rounds:
            calls = []
            for step in batch:
                counter += 1
                wa_id = f"W{counter}"
                if step.kind != "mapping":
                    sent.append(wa_id)
                if step.kind == "both" or (step.kind == "mapping" and step.person in known):
                    revealed.add(step.person)
                calls.append(run(step, wa_id))
            await asyncio.gather(*calls)
            known.update(s.person for s in batch if s.kind != "mapping")
            clock.advance(timedelta(seconds=1))

        c, t, m = ContactRow.__table__, TicketRow.__table__, MessageRow.__table__
        async with engine.connect() as conn:
            contacts = (await conn.execute(select(c.c.id, c.c.number, c.c.lid))).all()
            tickets = (await conn.execute(select(t.c.id, t.c.contact_id, t.c.status))).all()
            messages = (await conn.execute(select(m.c.wa_message_id, m.c.contact_id, m.c.ticket_id))).all()
        ticket_contact = {row.id: row.contact_id for row in tickets}
        assert sorted(row.wa_message_id for row in messages) == sorted(sent)
        assert all(ticket_contact[row.ticket_id] == row.contact_id for row in messages)
        active = [row.contact_id for row in tickets if row.status in ("pending", "open")]
        assert len(active) == len(set(active))
        for person in revealed:
            number, lid = PEOPLE[person]
            holders = [row for row in contacts if number in (row.number,) or lid in (row.lid,)]
            assert [(row.number, row.lid) for row in holders] == [(number, lid)]
    finally:
        await engine.dispose()
