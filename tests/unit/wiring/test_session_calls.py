"""Session calls between processes: typed messages that survive the trip, and one table that runs each."""

from __future__ import annotations

import typing

import pytest

from whaticket_adapters.whatsapp.cluster.session_calls import (
    PERFORM,
    Answer,
    EditText,
    Fetch,
    Logout,
    MarkRead,
    SendMedia,
    SendText,
    SessionCall,
    decode_answer,
    decode_call,
    encode,
    perform,
)
from whaticket_core.domain.message import MediaFile, MediaType
from whaticket_core.ports.transport import Recipient, TransportError
from whaticket_core.testing import FakeMediaFetcher, FakeMessageSender, FakeSessionController

GROUP = Recipient("120363025246125486", is_group=True)
CALLS: list[SessionCall] = [
    SendText(Recipient("5511999999999"), "hi", quoted_wa_message_id="Q1"),
    SendMedia(
        GROUP,
        MediaFile(data=b"\x00\xffpng", media_type=MediaType.IMAGE, mime_type="image/png", file_name="a.png"),
        caption="look",
    ),
    EditText(GROUP, "W1", "edited"),
    MarkRead(GROUP, ("W1", "W2")),
    Fetch("ref-1"),
    Logout(),
]


@pytest.mark.parametrize("call", CALLS, ids=lambda c: type(c).__name__)
def test_a_call_comes_back_equal_after_the_trip(call: SessionCall) -> None:
    assert decode_call(encode(call)) == call


def test_every_call_has_one_entry_in_the_table() -> None:
    assert set(PERFORM) == set(typing.get_args(SessionCall))


def test_an_unknown_call_is_a_final_transport_error() -> None:
    with pytest.raises(TransportError) as caught:
        decode_call('{"op": "format_disk"}')
    assert caught.value.retryable is False


def test_answers_carry_text_bytes_or_the_error() -> None:
    assert decode_answer(encode(Answer(text="3EB0"))).require_text() == "3EB0"
    assert decode_answer(encode(Answer(data=b"\x00\x01"))).require_data() == b"\x00\x01"
    failed = decode_answer(encode(Answer(error="not connected", retryable=False)))
    with pytest.raises(TransportError) as caught:
        failed.raise_error()
    assert (caught.value.reason, caught.value.retryable) == ("not connected", False)


class _Ports(FakeMessageSender, FakeSessionController, FakeMediaFetcher):
    """The core's three transport fakes as one object, as a transport is."""

    def __init__(self) -> None:
        FakeMessageSender.__init__(self)
        FakeSessionController.__init__(self)
        FakeMediaFetcher.__init__(self)


async def test_perform_runs_the_call_on_the_ports_and_answers_its_result() -> None:
    ports = _Ports()
    answer = await perform(ports, 7, SendText(Recipient("5511999999999"), "hi"))
    assert answer == Answer(text=ports.outbox[0].wa_message_id)
    assert [(s.whatsapp_id, s.kind, s.body) for s in ports.outbox] == [(7, "text", "hi")]
    assert await perform(ports, 7, Logout()) == Answer()
    assert ports.logged_out == [7]


async def test_perform_answers_a_transport_error_instead_of_raising() -> None:
    answer = await perform(_Ports(), 7, Fetch("gone"))
    assert (answer.error, answer.retryable) == ("media 'gone' is gone", False)
