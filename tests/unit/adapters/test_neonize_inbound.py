"""What a fake neonize client reports, as NeonizeTransport hands it to the core; media downloads."""

from __future__ import annotations

from typing import Any

import pytest
from neonize.aioze.events import MessageEv, ReceiptEv
from neonize.exc import DownloadError
from neonize.proto.Neonize_pb2 import (
    MessageSource,
    Receipt,
)
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import ImageMessage, Message
from neonize.utils.jid import build_jid
from neonize_world import (
    CUSTOMER,
    GROUP,
    World,
    inbound_event,
    wa_fixture,  # noqa: F401  (the wa fixture)
)

from whaticket_adapters.whatsapp.handlers import TransportHandlers
from whaticket_adapters.whatsapp.neonize.translation import encode_media_ref
from whaticket_core.domain.message import MessageAck
from whaticket_core.ports.transport import TransportError
from whaticket_core.use_cases.inbound.inbound_commands import InboundMessage, InboundReceipt

# -- inbound and media -----------------------------------------------------------------------------------------------


async def test_inbound_events_reach_the_core_with_group_names(wa: World) -> None:
    client = await wa.connected(1)
    member = build_jid("5511777777777")
    await client.fire(MessageEv, inbound_event("G2", Message(conversation="hello"), chat=GROUP, sender=member))
    await client.fire(
        ReceiptEv, Receipt(MessageSource=MessageSource(Chat=CUSTOMER), MessageIDs=["3EB01"], Type=Receipt.READ)
    )
    message, receipt = wa.recorder.inbound
    assert isinstance(message, InboundMessage)
    assert (message.chat, message.group_name, message.participant) == (
        "120363025246125486",
        "Support group",
        "5511777777777",
    )
    assert receipt == InboundReceipt(1, ("3EB01",), MessageAck.READ)


async def test_a_failing_core_handler_does_not_stop_the_session(wa: World, caplog: Any) -> None:
    async def boom(_command: object) -> None:
        raise RuntimeError("database down")

    wa.transport._inbound.handlers = TransportHandlers(on_inbound=boom)
    client = await wa.connected(1)
    await client.fire(MessageEv, inbound_event("X", Message(conversation="hi")))
    assert "inbound handler failed" in caplog.text
    assert wa.transport.is_connected(1)


async def test_fetch_downloads_the_rebuilt_media_message(wa: World) -> None:
    client = await wa.connected(1)
    image = Message(imageMessage=ImageMessage(directPath="/v/x", mediaKey=b"k" * 32, mimetype="image/jpeg"))
    assert await wa.transport.fetch(1, encode_media_ref(image, "imageMessage")) == b"downloaded bytes"
    [(_, rebuilt)] = [call for call in client.calls if call[0] == "download_any"]
    assert rebuilt.imageMessage.directPath == "/v/x"


async def test_fetch_of_expired_media_is_final_other_failures_retry(wa: World) -> None:
    client = await wa.connected(1)
    ref = encode_media_ref(Message(imageMessage=ImageMessage(directPath="/v/x")), "imageMessage")
    client.download_error = DownloadError("download failed with status code 410")
    with pytest.raises(TransportError) as gone:
        await wa.transport.fetch(1, ref)
    assert not gone.value.retryable
    client.download_error = DownloadError("connection reset")
    with pytest.raises(TransportError) as flaky:
        await wa.transport.fetch(1, ref)
    assert flaky.value.retryable
    with pytest.raises(TransportError) as corrupt:
        await wa.transport.fetch(1, "not-a-ref")
    assert not corrupt.value.retryable
