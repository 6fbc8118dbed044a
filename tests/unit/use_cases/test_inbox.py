"""The durable inbox on the fakes: stored before processed, processed from the store, failures retried by a job with
backoff and then kept for an admin, never lost and never processed twice; the codec round-trips every command."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fake_world import World

from whaticket_core.domain.errors import Forbidden, InboxFailureNotFound
from whaticket_core.domain.inbox import MAX_INBOX_ATTEMPTS, InboxKind, InboxStatus
from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.domain.user import Role
from whaticket_core.ports.jobs import ProcessInboxJob
from whaticket_core.use_cases.inbound.inbound_commands import (
    InboundCall,
    InboundCommand,
    InboundEdit,
    InboundIdentity,
    InboundMedia,
    InboundMessage,
    InboundReaction,
    InboundReceipt,
    InboundRevoke,
)
from whaticket_core.use_cases.inbound.inbox import (
    ListInboxFailures,
    ListInboxFailuresCommand,
    ProcessInboxEntry,
    ProcessInboxEntryCommand,
    RecordInboundEvent,
    RetryInboxFailure,
    RetryInboxFailureCommand,
    SweepInbox,
    SweepInboxCommand,
)
from whaticket_core.use_cases.inbound.inbox_codec import decode, encode, identity_of
from whaticket_core.use_cases.shared.retry import RetryLater

CUSTOMER = "5511999990001"


class Dispatcher:
    """Runs inbound messages through ReceiveMessage, failing the next ``failures`` times first."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.failures = 0
        self.runs: list[InboundCommand] = []

    async def dispatch(self, command: InboundCommand) -> object:
        self.runs.append(command)
        if self.failures:
            self.failures -= 1
            raise RuntimeError("handler  exploded\n(simulated)")
        assert isinstance(command, InboundMessage)
        return await self.world.receive_message().execute(command)


@pytest.fixture
def dispatcher(world: World) -> Dispatcher:
    return Dispatcher(world)


async def _arrives(world: World, dispatcher: Dispatcher, command: InboundCommand) -> int:
    """What the application does with an inbound event: store it, and process it when it is new."""
    recorded = await RecordInboundEvent(world.uow(), world.clock).execute(command)
    if recorded.created:
        await _process(world, dispatcher, recorded.entry_id)
    return recorded.entry_id


async def _process(world: World, dispatcher: Dispatcher, entry_id: int, *, in_job: bool = False) -> None:
    use_case = ProcessInboxEntry(world.uow(), world.clock, dispatcher, world.jobs)
    await use_case.execute(ProcessInboxEntryCommand(entry_id, in_job=in_job))


def _message(whatsapp_id: int, wa_id: str = "WA1", **fields: object) -> InboundMessage:
    return InboundMessage(whatsapp_id, wa_id, CUSTOMER, body="hello", **fields)  # type: ignore[arg-type]


async def test_an_event_is_stored_then_processed_from_the_store(world: World, dispatcher: Dispatcher) -> None:
    wa = await world.add_whatsapp()
    entry_id = await _arrives(world, dispatcher, _message(wa.id))

    entry = world.state.inbox[entry_id]
    assert (entry.kind, entry.key, entry.status, entry.attempts) == (InboxKind.MESSAGE, "WA1", InboxStatus.DONE, 1)
    assert [m.body for m in world.state.messages.values()] == ["hello"]
    assert dispatcher.runs == [_message(wa.id)]  # decoded from the stored payload, equal to what arrived


async def test_a_redelivery_is_stored_and_processed_once(world: World, dispatcher: Dispatcher) -> None:
    wa = await world.add_whatsapp()
    first = await _arrives(world, dispatcher, _message(wa.id))
    second = await _arrives(world, dispatcher, _message(wa.id))
    assert first == second
    assert len(world.state.inbox) == 1
    assert len(dispatcher.runs) == 1
    await _process(world, dispatcher, first, in_job=True)  # a stray retry of a done event does nothing
    assert len(dispatcher.runs) == 1


async def test_a_failure_is_kept_and_retried_by_a_job_until_it_succeeds(world: World, dispatcher: Dispatcher) -> None:
    wa = await world.add_whatsapp()
    dispatcher.failures = 2
    entry_id = await _arrives(world, dispatcher, _message(wa.id))

    entry = world.state.inbox[entry_id]
    assert (entry.status, entry.attempts, entry.error) == (
        InboxStatus.FAILED,
        1,
        "RuntimeError: handler exploded (simulated)",
    )
    assert world.jobs.take_all() == [ProcessInboxJob(entry_id)]
    assert world.state.messages == {}  # not stored yet, but not lost either

    with pytest.raises(RetryLater):  # the job runner backs off and runs it again
        await _process(world, dispatcher, entry_id, in_job=True)
    await _process(world, dispatcher, entry_id, in_job=True)

    entry = world.state.inbox[entry_id]
    assert (entry.status, entry.attempts, entry.error) == (InboxStatus.DONE, 3, None)
    assert [m.body for m in world.state.messages.values()] == ["hello"]


async def test_after_the_last_attempt_it_stays_failed_for_an_admin_who_retries_it(
    world: World, dispatcher: Dispatcher
) -> None:
    wa = await world.add_whatsapp()
    admin = await world.viewer(role=Role.ADMIN)
    dispatcher.failures = MAX_INBOX_ATTEMPTS
    entry_id = await _arrives(world, dispatcher, _message(wa.id))
    for _ in range(MAX_INBOX_ATTEMPTS - 2):
        with pytest.raises(RetryLater):
            await _process(world, dispatcher, entry_id, in_job=True)
    await _process(world, dispatcher, entry_id, in_job=True)  # the last attempt: no more retries asked for

    page = await ListInboxFailures(world.uow()).execute(ListInboxFailuresCommand(admin, wa.id))
    [failure] = page.items
    assert (failure.id, failure.attempts, failure.status) == (entry_id, MAX_INBOX_ATTEMPTS, InboxStatus.FAILED)
    world.jobs.take_all()

    await RetryInboxFailure(world.uow(), world.jobs).execute(RetryInboxFailureCommand(admin, wa.id, entry_id))
    assert world.jobs.take_all() == [ProcessInboxJob(entry_id)]
    await _process(world, dispatcher, entry_id, in_job=True)

    assert (await ListInboxFailures(world.uow()).execute(ListInboxFailuresCommand(admin, wa.id))).items == []
    assert [m.body for m in world.state.messages.values()] == ["hello"]
    with pytest.raises(InboxFailureNotFound):  # done now: nothing to retry
        await RetryInboxFailure(world.uow(), world.jobs).execute(RetryInboxFailureCommand(admin, wa.id, entry_id))


async def test_failures_are_for_admins_and_paged_newest_first(world: World, dispatcher: Dispatcher) -> None:
    wa = await world.add_whatsapp()
    admin = await world.viewer(role=Role.ADMIN)
    dispatcher.failures = 3
    ids = [await _arrives(world, dispatcher, _message(wa.id, f"WA{n}")) for n in range(3)]
    first = await ListInboxFailures(world.uow()).execute(ListInboxFailuresCommand(admin, wa.id, limit=2))
    second = await ListInboxFailures(world.uow()).execute(
        ListInboxFailuresCommand(admin, wa.id, limit=2, cursor=first.next_cursor)
    )
    assert [e.id for e in first.items] == [ids[2], ids[1]]
    assert ([e.id for e in second.items], second.next_cursor) == ([ids[0]], None)
    agent = await world.viewer(role=Role.USER)
    with pytest.raises(Forbidden):
        await ListInboxFailures(world.uow()).execute(ListInboxFailuresCommand(agent, wa.id))
    other = await world.add_whatsapp()
    with pytest.raises(InboxFailureNotFound):  # another connection's entry
        await RetryInboxFailure(world.uow(), world.jobs).execute(RetryInboxFailureCommand(admin, other.id, ids[0]))


async def test_an_event_a_crash_left_unprocessed_is_swept_and_processed_once(
    world: World, dispatcher: Dispatcher
) -> None:
    wa = await world.add_whatsapp()
    # The process died right after storing: nothing processed it.
    recorded = await RecordInboundEvent(world.uow(), world.clock).execute(_message(wa.id))
    sweep = SweepInbox(world.uow(), world.clock, world.jobs)
    assert await sweep.execute(SweepInboxCommand()) == 0  # too recent: its processor may still be at work
    world.clock.advance(timedelta(minutes=2))
    assert await sweep.execute(SweepInboxCommand()) == 1
    assert world.jobs.take_all() == [ProcessInboxJob(recorded.entry_id)]

    await _process(world, dispatcher, recorded.entry_id, in_job=True)
    await _process(world, dispatcher, recorded.entry_id, in_job=True)  # the sweep's twin, late: a no-op
    assert len(dispatcher.runs) == 1
    assert [m.body for m in world.state.messages.values()] == ["hello"]
    assert await sweep.execute(SweepInboxCommand()) == 0


COMMANDS: list[InboundCommand] = [
    _message(1, media=InboundMedia(MediaType.IMAGE, "image/png", "ref", "a.png"), lid="123", history=True),
    _message(1, "WA2", undecryptable=True),
    InboundEdit(1, "WA1", "fixed"),
    InboundRevoke(1, "WA1"),
    InboundReceipt(1, ("B", "A"), MessageAck.READ),
    InboundReaction(1, "WA1", "👍", sender="5511999990002", event_id="R1"),
    InboundCall(1, "CALL1", CUSTOMER, lid="123", caller_address=f"{CUSTOMER}@s.whatsapp.net", push_name="Ana"),
    InboundIdentity(1, "123", CUSTOMER),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: type(c).__name__)
def test_every_command_round_trips_through_the_store(command: InboundCommand) -> None:
    kind, _key = identity_of(command)
    assert decode(kind, encode(command)) == command


def test_a_placeholder_and_its_readable_content_are_two_events() -> None:
    assert identity_of(_message(1, "WA9", undecryptable=True)) != identity_of(_message(1, "WA9"))


def test_receipts_of_the_same_messages_in_another_order_are_one_event() -> None:
    assert identity_of(InboundReceipt(1, ("A", "B"), MessageAck.READ)) == identity_of(
        InboundReceipt(1, ("B", "A"), MessageAck.READ)
    )
    assert identity_of(InboundReceipt(1, ("A",), MessageAck.READ)) != identity_of(
        InboundReceipt(1, ("A",), MessageAck.DELIVERED)
    )


def test_a_reaction_put_back_after_its_removal_is_a_new_event() -> None:
    first = InboundReaction(1, "WA1", "👍", event_id="R1")
    again = InboundReaction(1, "WA1", "👍", event_id="R3")
    assert identity_of(first) != identity_of(again)
