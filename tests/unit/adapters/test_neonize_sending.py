"""What NeonizeTransport sends through a fake neonize client: texts, replies, media, edits, receipts."""

from __future__ import annotations

import pytest
from neonize.aioze.events import MessageEv
from neonize.exc import SendMessageError
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message, ProtocolMessage
from neonize.utils.enum import MediaType as NeonizeMediaType
from neonize.utils.enum import ReceiptType
from neonize.utils.jid import build_jid
from neonize_world import (
    GROUP,
    World,
    inbound_event,
    wa_fixture,  # noqa: F401  (the wa fixture)
)

from whaticket_core.domain.message import MediaFile, MediaType
from whaticket_core.ports.transport import Recipient, TransportError

# -- sends -----------------------------------------------------------------------------------------------------------


async def test_send_text_to_a_number(wa: World) -> None:
    client = await wa.connected(1)
    wa_id = await wa.transport.send_text(1, Recipient("5511999999999"), "hello")
    [(to, message)] = client.sent()
    assert wa_id == "3EB01"
    assert (to.User, to.Server) == ("5511999999999", "s.whatsapp.net")
    assert message == Message(conversation="hello")


async def test_quoted_reply_carries_the_quoted_message_seen_inbound(wa: World) -> None:
    client = await wa.connected(1)
    await client.fire(MessageEv, inbound_event("IN1", Message(conversation="question?")))
    await wa.transport.send_text(1, Recipient("5511999999999"), "answer", quoted_wa_message_id="IN1")
    [(_to, message)] = client.sent()
    context = message.extendedTextMessage.contextInfo
    assert message.extendedTextMessage.text == "answer"
    assert (context.stanzaID, context.participant) == ("IN1", "5511999999999@s.whatsapp.net")
    assert context.quotedMessage == Message(conversation="question?")


async def test_quoted_reply_to_an_unknown_message_still_names_it(wa: World) -> None:
    client = await wa.connected(1)
    await wa.transport.send_text(1, Recipient("5511999999999"), "answer", quoted_wa_message_id="OLD")
    [(_to, message)] = client.sent()
    assert message.extendedTextMessage.contextInfo.stanzaID == "OLD"


async def test_send_image_uploads_bytes_then_sends_the_media_message(wa: World) -> None:
    client = await wa.connected(1)
    media = MediaFile(data=b"\x89PNG-bytes", media_type=MediaType.IMAGE, mime_type="image/png", file_name="pic.png")
    await wa.transport.send_media(1, Recipient("5511999999999"), media, caption="see", quoted_wa_message_id="Q1")
    assert client.calls[0] == ("upload", b"\x89PNG-bytes", NeonizeMediaType.MediaImage)
    [(_to, message)] = client.sent()
    image = message.imageMessage
    assert (image.caption, image.mimetype, image.directPath, image.fileLength) == ("see", "image/png", "/v/t62/up", 10)
    assert image.mediaKey == b"m" * 32
    assert image.contextInfo.stanzaID == "Q1"


@pytest.mark.parametrize(
    ("media_type", "upload_type", "field"),
    [
        (MediaType.VIDEO, NeonizeMediaType.MediaVideo, "videoMessage"),
        (MediaType.AUDIO, NeonizeMediaType.MediaAudio, "audioMessage"),
        (MediaType.VOICE, NeonizeMediaType.MediaAudio, "audioMessage"),
        (MediaType.DOCUMENT, NeonizeMediaType.MediaDocument, "documentMessage"),
        (MediaType.STICKER, NeonizeMediaType.MediaImage, "stickerMessage"),
    ],
)
async def test_media_kinds_are_sent_as_their_own_message_types(
    wa: World, media_type: MediaType, upload_type: NeonizeMediaType, field: str
) -> None:
    client = await wa.connected(1)
    media = MediaFile(data=b"data", media_type=media_type, mime_type="application/x-test", file_name="report.pdf")
    await wa.transport.send_media(1, Recipient("5511999999999"), media)
    assert client.calls[0] == ("upload", b"data", upload_type)
    [(_to, message)] = client.sent()
    assert message.HasField(field)
    if media_type is MediaType.VOICE:
        assert message.audioMessage.PTT
    if media_type is MediaType.DOCUMENT:
        assert message.documentMessage.fileName == "report.pdf"


async def test_a_url_string_is_never_handed_over_as_media(wa: World) -> None:
    client = await wa.connected(1)
    media = MediaFile(data="http://169.254.169.254/latest", media_type=MediaType.IMAGE, mime_type="image/png")  # type: ignore[arg-type]
    with pytest.raises(TransportError) as raised:
        await wa.transport.send_media(1, Recipient("5511999999999"), media)
    assert not raised.value.retryable
    assert client.calls == []


async def test_group_recipient(wa: World) -> None:
    client = await wa.connected(1)
    await wa.transport.send_text(1, Recipient("120363025246125486", is_group=True), "hi group")
    [(to, _message)] = client.sent()
    assert (to.User, to.Server) == ("120363025246125486", "g.us")


async def test_sending_on_a_connection_not_connected_here_is_retryable(wa: World) -> None:
    with pytest.raises(TransportError) as raised:
        await wa.transport.send_text(9, Recipient("5511999999999"), "hello")
    assert raised.value.retryable


async def test_neonize_send_errors_become_transport_errors(wa: World) -> None:
    client = await wa.connected(1)
    client.send_errors = [SendMessageError("websocket not connected")]
    with pytest.raises(TransportError, match="websocket") as raised:
        await wa.transport.send_text(1, Recipient("5511999999999"), "hello")
    assert raised.value.retryable


async def test_edit_and_delete_for_everyone(wa: World) -> None:
    client = await wa.connected(1)
    await wa.transport.edit_text(1, Recipient("5511999999999"), "3EB0X", "corrected")
    await wa.transport.delete_for_everyone(1, Recipient("5511999999999"), "3EB0Y")
    edit = next(call for call in client.calls if call[0] == "edit_message")
    assert (edit[1].User, edit[2], edit[3]) == ("5511999999999", "3EB0X", Message(conversation="corrected"))
    [(_to, revoke)] = client.sent()
    assert revoke.protocolMessage.type == ProtocolMessage.REVOKE
    assert (revoke.protocolMessage.key.ID, revoke.protocolMessage.key.fromMe) == ("3EB0Y", True)
    assert revoke.protocolMessage.key.remoteJID == "5511999999999@s.whatsapp.net"


async def test_mark_read_names_chat_and_sender(wa: World) -> None:
    client = await wa.connected(1)
    await wa.transport.mark_read(1, Recipient("5511999999999"), ("IN1", "IN2"))
    [(_, ids, chat, sender, receipt)] = [call for call in client.calls if call[0] == "mark_read"]
    assert ids == ("IN1", "IN2")
    assert chat.User == sender.User == "5511999999999"
    assert receipt is ReceiptType.READ


async def test_mark_read_in_a_group_names_each_member_seen(wa: World) -> None:
    client = await wa.connected(1)
    member = build_jid("5511777777777")
    await client.fire(MessageEv, inbound_event("G1", Message(conversation="hi"), chat=GROUP, sender=member))
    await wa.transport.mark_read(1, Recipient("120363025246125486", is_group=True), ("G1",))
    [(_, ids, chat, sender, _r)] = [call for call in client.calls if call[0] == "mark_read"]
    assert (ids, chat.User, sender.User) == (("G1",), "120363025246125486", "5511777777777")
