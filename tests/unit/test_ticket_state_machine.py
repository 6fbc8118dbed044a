"""A hypothesis state machine driving the ticket lifecycle through the real use cases on the in-memory fakes.

Random sequences of inbound messages (several contacts, two connections, the company's phone too, redeliveries,
queue-bot answers), time passing, and agent actions (accept, transfer, close, reopen, read, send, delivery jobs) by
agents of every role. After every step the invariants must hold; an action the rules refuse (a domain error) must
leave the store, the events and the jobs exactly as they were.
"""

from __future__ import annotations

import asyncio
import copy
from collections import Counter
from collections.abc import Awaitable
from datetime import timedelta
from typing import TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from whaticket_core.domain.errors import DomainError
from whaticket_core.domain.message import MessageAck
from whaticket_core.domain.queue import Queue
from whaticket_core.domain.ticket import Ticket, check_invariants
from whaticket_core.domain.user import Role, User
from whaticket_core.domain.visibility import Viewer
from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp
from whaticket_core.ports.jobs import DeliverMessageJob
from whaticket_core.testing import (
    FakeMessageSender,
    InMemoryJobQueue,
    InMemoryMediaStore,
    InMemoryStore,
    InMemoryUnitOfWork,
    ManualClock,
    RecordingPublisher,
)
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage
from whaticket_core.use_cases.messages.deliver_message import DeliverMessage, DeliverMessageCommand
from whaticket_core.use_cases.messages.send_message import SendMessage, SendMessageCommand
from whaticket_core.use_cases.tickets.accept_ticket import AcceptTicket, AcceptTicketCommand
from whaticket_core.use_cases.tickets.close_ticket import CloseTicket, CloseTicketCommand
from whaticket_core.use_cases.tickets.read_ticket import ReadTicket, ReadTicketCommand
from whaticket_core.use_cases.tickets.reopen_ticket import ReopenTicket, ReopenTicketCommand
from whaticket_core.use_cases.tickets.transfer_ticket import TransferTicket, TransferTicketCommand

T = TypeVar("T")

NUMBERS = ["5511999990001", "5511999990002", "5521988887777", "14155550100"]
BODIES = ["hi", "1", "2", "9", "help"]


class TicketLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.store = InMemoryStore()
        self.clock = ManualClock()
        self.publisher = RecordingPublisher()
        self.jobs = InMemoryJobQueue()
        self.sender = FakeMessageSender()
        self.media = InMemoryMediaStore()
        self.expected_unread: Counter[int] = Counter()
        self.delivered_wa_ids: list[tuple[int, str]] = []
        self.next_wa_id = 0
        self.run(self._seed())

    async def _seed(self) -> None:
        async with self.uow() as uow:
            sales = await uow.queues.add(Queue("Sales", "#AA0000", greeting_message="Sales, {{name}}"))
            support = await uow.queues.add(Queue("Support", "#00AA00"))
            now = self.clock.now()
            # One connection routes through the bot menu, the other has no queues (no bot) and a farewell.
            await uow.whatsapps.add(
                WhatsApp(
                    "Main",
                    ConnectionStatus.CONNECTED,
                    True,
                    now,
                    greeting_message="Hi {{name}}",
                    queue_ids=[sales.id, support.id],
                )
            )
            await uow.whatsapps.add(WhatsApp("Second", ConnectionStatus.CONNECTED, False, now, farewell_message="Bye"))
            users = [
                User("Admin", "admin@x.io", "h", Role.ADMIN, now),
                User("Sup", "sup@x.io", "h", Role.SUPERVISOR, now),
                User("Sales agent", "sales@x.io", "h", Role.USER, now, queue_ids=[sales.id]),
                User("Support agent", "support@x.io", "h", Role.USER, now, queue_ids=[support.id]),
                User("Newbie", "new@x.io", "h", Role.USER, now),
            ]
            for user in users:
                await uow.users.add(user)
            await uow.commit()
        self.queue_ids = [sales.id, support.id]
        self.whatsapp_ids = [1, 2]
        self.agents = [Viewer.of(u) for u in users]

    def uow(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.store)

    def run(self, coro: Awaitable[T]) -> T:
        return self.loop.run_until_complete(coro)

    def teardown(self) -> None:
        self.loop.close()

    def tickets(self) -> list[Ticket]:
        return sorted(self.store.state.tickets.values(), key=lambda t: t.id)

    def pick(self, index: int) -> Ticket:
        tickets = self.tickets()
        return tickets[index % len(tickets)]

    def attempt(self, action: Awaitable[object]) -> bool:
        """Run an agent action; a refusal (domain error) must leave no trace."""
        state = copy.deepcopy(self.store.state)
        events, jobs = len(self.publisher.events), len(self.jobs.history)
        try:
            self.run(action)
        except DomainError:
            assert self.store.state == state, "a refused action changed the store"
            assert len(self.publisher.events) == events, "a refused action published"
            assert len(self.jobs.history) == jobs, "a refused action enqueued a job"
            return False
        return True

    # --- the customer side -------------------------------------------------------------------------------------

    @initialize(contact=st.integers(0, len(NUMBERS) - 1), connection=st.integers(0, 1))
    def first_customer_writes(self, contact: int, connection: int) -> None:
        self.inbound(contact, connection, "hello", from_me=False)

    @rule(
        contact=st.integers(0, len(NUMBERS) - 1),
        connection=st.integers(0, 1),
        body=st.sampled_from(BODIES),
        from_me=st.booleans(),
    )
    def inbound(self, contact: int, connection: int, body: str, from_me: bool) -> None:
        self.next_wa_id += 1
        whatsapp_id, wa_id = self.whatsapp_ids[connection], f"W{self.next_wa_id}"
        command = InboundMessage(whatsapp_id, wa_id, NUMBERS[contact], body, from_me=from_me, push_name="Customer")
        result = self.run(ReceiveMessage(self.uow(), self.clock, self.publisher, self.jobs).execute(command))
        assert not result.duplicate
        assert not result.ignored
        assert result.ticket_id is not None
        ticket = self.store.state.tickets[result.ticket_id]
        assert ticket.is_active
        if not from_me:
            self.expected_unread[result.ticket_id] += 1
        self.delivered_wa_ids.append((whatsapp_id, wa_id))

    @precondition(lambda self: self.delivered_wa_ids)
    @rule(index=st.integers(0, 1000))
    def redelivery(self, index: int) -> None:
        whatsapp_id, wa_id = self.delivered_wa_ids[index % len(self.delivered_wa_ids)]
        state = copy.deepcopy(self.store.state)
        command = InboundMessage(whatsapp_id, wa_id, NUMBERS[0], "again")
        result = self.run(ReceiveMessage(self.uow(), self.clock, self.publisher, self.jobs).execute(command))
        assert result.duplicate
        assert self.store.state == state

    @rule(minutes=st.sampled_from([0, 1, 30, 119, 121, 600]))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    # --- the agent side ----------------------------------------------------------------------------------------

    @precondition(lambda self: self.store.state.tickets)
    @rule(index=st.integers(0, 1000), agent=st.integers(0, 4))
    def accept(self, index: int, agent: int) -> None:
        ticket = self.pick(index)
        self.attempt(
            AcceptTicket(self.uow(), self.clock, self.publisher).execute(
                AcceptTicketCommand(ticket.id, self.agents[agent])
            )
        )

    @precondition(lambda self: self.store.state.tickets)
    @rule(
        index=st.integers(0, 1000),
        agent=st.integers(0, 4),
        to_user=st.one_of(st.none(), st.integers(0, 4)),
        to_queue=st.one_of(st.none(), st.integers(0, 1)),
    )
    def transfer(self, index: int, agent: int, to_user: int | None, to_queue: int | None) -> None:
        ticket = self.pick(index)
        command = TransferTicketCommand(
            ticket.id,
            self.agents[agent],
            user_id=None if to_user is None else self.agents[to_user].user_id,
            queue_id=None if to_queue is None else self.queue_ids[to_queue],
        )
        self.attempt(TransferTicket(self.uow(), self.clock, self.publisher).execute(command))

    @precondition(lambda self: self.store.state.tickets)
    @rule(index=st.integers(0, 1000), agent=st.integers(0, 4))
    def close(self, index: int, agent: int) -> None:
        ticket = self.pick(index)
        self.attempt(
            CloseTicket(self.uow(), self.clock, self.publisher, self.jobs).execute(
                CloseTicketCommand(ticket.id, self.agents[agent])
            )
        )

    @precondition(lambda self: self.store.state.tickets)
    @rule(index=st.integers(0, 1000), agent=st.integers(0, 4))
    def reopen(self, index: int, agent: int) -> None:
        ticket = self.pick(index)
        self.attempt(
            ReopenTicket(self.uow(), self.clock, self.publisher).execute(
                ReopenTicketCommand(ticket.id, self.agents[agent])
            )
        )

    @precondition(lambda self: self.store.state.tickets)
    @rule(index=st.integers(0, 1000), agent=st.integers(0, 4))
    def read(self, index: int, agent: int) -> None:
        ticket = self.pick(index)
        done = self.attempt(
            ReadTicket(self.uow(), self.clock, self.publisher, self.jobs).execute(
                ReadTicketCommand(ticket.id, self.agents[agent])
            )
        )
        if done:
            self.expected_unread[ticket.id] = 0

    @precondition(lambda self: self.store.state.tickets)
    @rule(index=st.integers(0, 1000), agent=st.integers(0, 4))
    def send(self, index: int, agent: int) -> None:
        ticket = self.pick(index)
        self.attempt(
            SendMessage(self.uow(), self.clock, self.publisher, self.jobs, self.media).execute(
                SendMessageCommand(ticket.id, self.agents[agent], "on it")
            )
        )

    @rule(fail=st.booleans())
    def run_delivery_jobs(self, fail: bool) -> None:
        if fail:
            self.sender.fail_next(1, "refused", retryable=False)
        for job in self.jobs.take_all():
            if isinstance(job, DeliverMessageJob):
                self.run(
                    DeliverMessage(self.uow(), self.sender, self.media, self.publisher, self.clock).execute(
                        DeliverMessageCommand(job.message_id)
                    )
                )

    # --- invariants --------------------------------------------------------------------------------------------

    @invariant()
    def one_active_ticket_per_contact_and_connection(self) -> None:
        active = Counter((t.contact_id, t.whatsapp_id) for t in self.tickets() if t.is_active)
        assert all(n == 1 for n in active.values()), active

    @invariant()
    def ticket_local_invariants(self) -> None:
        for ticket in self.tickets():
            assert check_invariants(ticket) == [], (ticket.id, check_invariants(ticket))

    @invariant()
    def unread_counts_match_the_customer_messages_since_the_last_read(self) -> None:
        for ticket in self.tickets():
            assert ticket.unread_messages >= 0
            assert ticket.unread_messages == self.expected_unread[ticket.id], ticket

    @invariant()
    def one_contact_per_number_and_each_message_once(self) -> None:
        state = self.store.state
        numbers = Counter(c.number for c in state.contacts.values())
        assert all(n == 1 for n in numbers.values())
        wa_ids = Counter((m.whatsapp_id, m.wa_message_id) for m in state.messages.values() if m.wa_message_id)
        assert all(n == 1 for n in wa_ids.values())

    @invariant()
    def every_pending_message_has_a_delivery_job(self) -> None:
        enqueued = {job.message_id for job in self.jobs.history if isinstance(job, DeliverMessageJob)}
        for message in self.store.state.messages.values():
            if message.ack is MessageAck.PENDING:
                assert message.from_me
                assert message.id in enqueued

    @invariant()
    def every_message_belongs_to_an_existing_ticket_of_its_contact(self) -> None:
        state = self.store.state
        for message in state.messages.values():
            ticket = state.tickets[message.ticket_id]
            assert (message.contact_id, message.whatsapp_id) == (ticket.contact_id, ticket.whatsapp_id)


TicketLifecycle.TestCase.settings = settings(
    max_examples=60, stateful_step_count=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_ticket_lifecycle = TicketLifecycle.TestCase
