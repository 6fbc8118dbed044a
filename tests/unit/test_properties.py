"""Property tests: number normalisation and ack ordering."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from whaticket_core.domain.errors import InvalidInput
from whaticket_core.domain.events import MessageUpdated
from whaticket_core.domain.message import Message, MessageAck
from whaticket_core.domain.numbers import MAX_DIGITS, MIN_DIGITS, normalize_number
from whaticket_core.domain.whatsapp import ConnectionStatus, WhatsApp
from whaticket_core.testing import InMemoryJobQueue, InMemoryStore, InMemoryUnitOfWork, ManualClock, RecordingPublisher
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage, InboundReceipt
from whaticket_core.use_cases.inbound.receive_message import ReceiveMessage
from whaticket_core.use_cases.inbound.update_message_ack import UpdateMessageAck

# E.164: a country code never starts with 0.
e164 = st.from_regex(rf"[1-9][0-9]{{{MIN_DIGITS - 1},{MAX_DIGITS - 1}}}", fullmatch=True)
separators = st.text(alphabet=" -().", max_size=3)


def formatted(digits: str, seps: list[str], plus: bool) -> str:
    out = "+" if plus else ""
    for i, digit in enumerate(digits):
        out += digit + (seps[i] if i < len(seps) else "")
    return out


@given(e164, st.lists(separators, max_size=16), st.booleans(), st.text(alphabet=" \t", max_size=2))
def test_formatted_numbers_normalise_to_their_digits(digits: str, seps: list[str], plus: bool, pad: str) -> None:
    assert normalize_number(pad + formatted(digits, seps, plus) + pad) == digits


@given(e164, st.lists(separators, max_size=16))
def test_international_dialling_prefix_is_dropped(digits: str, seps: list[str]) -> None:
    assert normalize_number("00" + formatted(digits, seps, plus=False)) == digits


@given(e164, st.one_of(st.none(), st.integers(0, 99)), st.sampled_from(["s.whatsapp.net", "c.us"]))
def test_whatsapp_jids_normalise_to_the_number(digits: str, device: int | None, server: str) -> None:
    jid = f"{digits}{'' if device is None else f':{device}'}@{server}"
    assert normalize_number(jid) == digits


@given(st.text(max_size=40))
@example("+00 12 3456 789")  # once kept as 0012...: the same number stored twice
@example("+0055 11 99999 0001")
@example("011 99999 0001")
def test_normalisation_is_idempotent_and_yields_e164_digits(raw: str) -> None:
    """Whatever is accepted comes out as 7 to 15 ASCII digits that normalise to themselves (a stored number looked
    up again must find itself)."""
    try:
        number = normalize_number(raw)
    except InvalidInput:
        return
    assert number.isascii()
    assert number.isdigit()
    assert MIN_DIGITS <= len(number) <= MAX_DIGITS
    assert normalize_number(number) == number


@given(st.from_regex(r"[1-9][0-9]{0,5}|[1-9][0-9]{15,20}|\+?0[1-9][0-9]{6,12}", fullmatch=True))
def test_too_short_too_long_or_national_is_refused(digits: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_number(digits)


RANK = {MessageAck.PENDING: 0, MessageAck.SENT: 1, MessageAck.DELIVERED: 2, MessageAck.READ: 3}
forward_acks = st.sampled_from([MessageAck.PENDING, MessageAck.SENT, MessageAck.DELIVERED, MessageAck.READ])


@given(forward_acks, st.lists(forward_acks, max_size=20))
def test_advance_ack_keeps_the_highest_rank_and_never_goes_back(start: MessageAck, acks: list[MessageAck]) -> None:
    message = Message(1, 1, 1, True, "x", start, datetime(2026, 1, 1, tzinfo=UTC))
    for ack in acks:
        before = RANK[message.ack]
        changed = message.advance_ack(ack)
        assert RANK[message.ack] >= before
        assert changed == (RANK[message.ack] > before)
    assert RANK[message.ack] == max([RANK[start], *(RANK[a] for a in acks)])


@given(st.lists(st.sampled_from([MessageAck.SENT, MessageAck.DELIVERED, MessageAck.READ]), max_size=12))
def test_any_sequence_of_receipts_leaves_the_highest_ack(acks: list[MessageAck]) -> None:
    async def scenario() -> tuple[MessageAck, int]:
        store = InMemoryStore()
        clock = ManualClock()
        publisher = RecordingPublisher()
        async with InMemoryUnitOfWork(store) as uow:
            await uow.whatsapps.add(WhatsApp("Main", ConnectionStatus.CONNECTED, True, clock.now()))
            await uow.commit()
        receive = ReceiveMessage(InMemoryUnitOfWork(store), clock, publisher, InMemoryJobQueue())
        result = await receive.execute(InboundMessage(1, "OUT1", "5511999990001", "ours", from_me=True))
        assert result.message_id is not None
        publisher.clear()
        update = UpdateMessageAck(InMemoryUnitOfWork(store), publisher)
        for ack in acks:
            before = store.state.messages[result.message_id].ack
            await update.execute(InboundReceipt(1, ("OUT1",), ack))
            assert RANK[store.state.messages[result.message_id].ack] >= RANK[before]
        return store.state.messages[result.message_id].ack, len(publisher.of_type(MessageUpdated))

    loop = asyncio.new_event_loop()
    try:
        final, updates = loop.run_until_complete(scenario())
    finally:
        loop.close()
    # A from_me message arrives as sent; each receipt that raised the rank published once.
    ranks = [RANK[MessageAck.SENT]]
    for ack in acks:
        if RANK[ack] > ranks[-1]:
            ranks.append(RANK[ack])
    assert RANK[final] == ranks[-1]
    assert updates == len(ranks) - 1
