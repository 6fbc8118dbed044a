"""Send errors as neonize raises them (a ``SendMessageError``/``UploadError`` built from the Go side's
``SendMessageReturnFunction`` protobuf, carrying whatsmeow's text) classified into the core's SendErrorKind, and the
pause a rate limit puts on the connection's sends."""

from __future__ import annotations

import pytest
from neonize.exc import SendMessageError, UploadError
from neonize.proto.Neonize_pb2 import SendMessageReturnFunction
from neonize_world import World, wa_fixture  # noqa: F401  (the wa fixture)

from whaticket_adapters.whatsapp.neonize.send_errors import classify_send_error
from whaticket_adapters.whatsapp.neonize.transport import NeonizeTransport
from whaticket_adapters.whatsapp.pacing import SendPacer
from whaticket_core.domain.message import MediaFile, MediaType, SendErrorKind
from whaticket_core.ports.transport import Recipient, TransportError

CUSTOMER = Recipient("5511999999999")


def raised_by_neonize(whatsmeow_error: str) -> SendMessageError:
    """What neonize's send_message raises when the Go call answers with an error (see its ``send_message``)."""
    model = SendMessageReturnFunction.FromString(SendMessageReturnFunction(Error=whatsmeow_error).SerializeToString())
    return SendMessageError(model.Error)


@pytest.mark.parametrize(
    ("whatsmeow_error", "kind"),
    [
        ("server returned error 463", SendErrorKind.PERMANENT),  # needs a privacy token this account lacks
        ("server returned error 479", SendErrorKind.PERMANENT),  # account restricted from messaging
        ("failed to get device list: info query returned status 404: item-not-found", SendErrorKind.PERMANENT),
        ("info query returned status 429: rate-overlimit", SendErrorKind.RATE_LIMITED),
        ("server returned error 429", SendErrorKind.RATE_LIMITED),
        ("info query timed out", SendErrorKind.UNKNOWN),
        ("failed to send message node: context deadline exceeded", SendErrorKind.UNKNOWN),
        ("websocket not connected", SendErrorKind.TRANSIENT),
        ("server returned error 500", SendErrorKind.TRANSIENT),
        ("the store doesn't contain a device JID", SendErrorKind.TRANSIENT),
    ],
)
def test_whatsmeow_send_errors_are_classified(whatsmeow_error: str, kind: SendErrorKind) -> None:
    assert classify_send_error(str(raised_by_neonize(whatsmeow_error))) is kind


def test_an_upload_timeout_is_transient_the_message_never_left() -> None:
    error = UploadError("upload failed: context deadline exceeded")
    assert classify_send_error(str(error), message_may_have_left=False) is SendErrorKind.TRANSIENT


def test_media_the_server_refuses_is_permanent() -> None:
    error = UploadError("upload failed with status code 415")
    assert classify_send_error(str(error), message_may_have_left=False) is SendErrorKind.PERMANENT


@pytest.mark.parametrize(
    ("whatsmeow_error", "kind"),
    [
        ("server returned error 479", SendErrorKind.PERMANENT),
        ("info query returned status 429: rate-overlimit", SendErrorKind.RATE_LIMITED),
        ("info query timed out", SendErrorKind.UNKNOWN),
        ("websocket not connected", SendErrorKind.TRANSIENT),
    ],
)
async def test_the_transport_raises_the_kind(wa: World, whatsmeow_error: str, kind: SendErrorKind) -> None:
    client = await wa.connected(1)
    client.send_errors = [raised_by_neonize(whatsmeow_error)]
    with pytest.raises(TransportError) as raised:
        await wa.transport.send_text(1, CUSTOMER, "hello")
    assert (raised.value.kind, raised.value.retryable) == (kind, kind.retryable)
    assert raised.value.wa_message_id is None  # neonize keeps only the text: the id of a timed-out send is lost


async def test_an_upload_the_server_refuses_fails_the_media_for_good(wa: World) -> None:
    client = await wa.connected(1)

    async def refuse(binary: bytes, media_type: object = None) -> object:
        raise UploadError("upload failed with status code 413")

    client.upload = refuse  # type: ignore[method-assign]
    media = MediaFile(data=b"x", media_type=MediaType.IMAGE, mime_type="image/png")
    with pytest.raises(TransportError) as raised:
        await wa.transport.send_media(1, CUSTOMER, media)
    assert raised.value.kind is SendErrorKind.PERMANENT


class ManualTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


async def test_a_rate_limit_slows_that_connection_only(wa: World) -> None:
    time = ManualTime()
    pacer = SendPacer(base=5.0, ceiling=300.0, max_wait=20.0, now=time, sleep=time.sleep)
    transport = NeonizeTransport(
        session_store=wa.tmp_path, handlers=wa.recorder.handlers(), client_factory=wa.factory, pacer=pacer
    )
    wa.transport = transport
    client = await wa.connected(1)
    other = await wa.connected(2)
    client.send_errors = [raised_by_neonize("info query returned status 429: rate-overlimit")]
    with pytest.raises(TransportError):
        await transport.send_text(1, CUSTOMER, "first")

    await transport.send_text(2, CUSTOMER, "other connection")
    assert time.slept == []  # connection 2 was not rate-limited
    await transport.send_text(1, CUSTOMER, "second")
    assert time.slept == [5.0]  # connection 1 waited out its pause first
    assert [m.conversation for _to, m in client.sent()] == ["second"]
    assert [m.conversation for _to, m in other.sent()] == ["other connection"]


async def test_rate_limits_in_a_row_pause_longer_until_sends_are_refused_without_calling_whatsapp() -> None:
    time = ManualTime()
    pacer = SendPacer(base=5.0, ceiling=300.0, max_wait=20.0, now=time, sleep=time.sleep)
    assert [pacer.rate_limited(1) for _ in range(4)] == [5.0, 10.0, 20.0, 40.0]
    with pytest.raises(TransportError) as raised:
        await pacer.before_send(1)
    assert raised.value.kind is SendErrorKind.RATE_LIMITED
    assert time.slept == []
    time.now += 40.0
    await pacer.before_send(1)
    pacer.succeeded(1)
    assert pacer.rate_limited(1) == 5.0  # a send went through: the next pause starts small again
