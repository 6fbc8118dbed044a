"""Real neonize event objects in, the core's inbound commands out."""

from __future__ import annotations

import pytest
from neonize.proto.Neonize_pb2 import JID, MessageInfo, MessageSource, Receipt
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import (
    AudioMessage,
    ContactMessage,
    ContactsArrayMessage,
    ContextInfo,
    DocumentMessage,
    ExtendedTextMessage,
    FutureProofMessage,
    ImageMessage,
    LocationMessage,
    Message,
    ProtocolMessage,
    ReactionMessage,
    StickerMessage,
    VideoMessage,
)
from neonize.utils.jid import build_jid
from neonize_world import CUSTOMER, GROUP, ME

from whaticket_adapters.whatsapp.neonize.translation import (
    decode_media_ref,
    translate_message,
    translate_receipt,
)
from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.use_cases.inbound.inbound_commands import (
    InboundEdit,
    InboundMedia,
    InboundMessage,
    InboundReceipt,
    InboundRevoke,
)

WHEN = 1_700_000_000


def event(
    message: Message,
    *,
    wa_id: str = "ABC",
    chat: JID = CUSTOMER,
    sender: JID = CUSTOMER,
    from_me: bool = False,
    push_name: str = "Maria",
    **source: object,
) -> MessageEv:
    return MessageEv(
        Message=message,
        Info=MessageInfo(
            ID=wa_id,
            Timestamp=WHEN,
            Pushname=push_name,
            MessageSource=MessageSource(
                Chat=chat, Sender=sender, IsFromMe=from_me, IsGroup=chat.Server == "g.us", **source
            ),
        ),
    )


def media_fields(**extra: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "URL": "https://mmg.whatsapp.net/x",
        "directPath": "/v/t62/abc",
        "mediaKey": b"k" * 32,
        "fileEncSHA256": b"e" * 32,
        "fileSHA256": b"s" * 32,
        "fileLength": 1234,
    }
    fields.update(extra)
    return fields


def test_plain_text() -> None:
    assert translate_message(7, event(Message(conversation="oi"))) == InboundMessage(
        whatsapp_id=7,
        wa_message_id="ABC",
        chat="5511999999999",
        body="oi",
        push_name="Maria",
    )


def test_extended_text_with_quoted_reply() -> None:
    content = Message(
        extendedTextMessage=ExtendedTextMessage(
            text="yes, that one",
            contextInfo=ContextInfo(stanzaID="QUOTED1", participant=f"{ME.User}@s.whatsapp.net"),
        )
    )
    result = translate_message(7, event(content))
    assert isinstance(result, InboundMessage)
    assert (result.body, result.quoted_wa_message_id, result.media) == ("yes, that one", "QUOTED1", None)


@pytest.mark.parametrize(
    ("content", "media_type", "mime", "body", "file_name"),
    [
        (
            Message(imageMessage=ImageMessage(caption="look", mimetype="image/png", **media_fields())),
            MediaType.IMAGE,
            "image/png",
            "look",
            None,
        ),
        (
            Message(videoMessage=VideoMessage(caption="clip", mimetype="video/mp4", **media_fields())),
            MediaType.VIDEO,
            "video/mp4",
            "clip",
            None,
        ),
        (
            Message(audioMessage=AudioMessage(mimetype="audio/mpeg", PTT=False, **media_fields())),
            MediaType.AUDIO,
            "audio/mpeg",
            "",
            None,
        ),
        (
            Message(audioMessage=AudioMessage(mimetype="audio/ogg; codecs=opus", PTT=True, **media_fields())),
            MediaType.VOICE,
            "audio/ogg; codecs=opus",
            "",
            None,
        ),
        (
            Message(
                documentMessage=DocumentMessage(
                    mimetype="application/pdf", fileName="invoice.pdf", caption="the invoice", **media_fields()
                )
            ),
            MediaType.DOCUMENT,
            "application/pdf",
            "the invoice",
            "invoice.pdf",
        ),
        (
            Message(stickerMessage=StickerMessage(mimetype="image/webp", **media_fields())),
            MediaType.STICKER,
            "image/webp",
            "",
            None,
        ),
    ],
    ids=["image", "video", "audio", "voice", "document", "sticker"],
)
def test_media_kinds(content: Message, media_type: MediaType, mime: str, body: str, file_name: str | None) -> None:
    result = translate_message(7, event(content))
    assert isinstance(result, InboundMessage)
    assert result.body == body
    assert result.media is not None
    assert (result.media.media_type, result.media.mime_type, result.media.file_name) == (media_type, mime, file_name)
    assert result.media.media_ref is not None


def test_media_ref_rebuilds_the_media_message_for_download() -> None:
    image = ImageMessage(
        caption="look",
        mimetype="image/png",
        JPEGThumbnail=b"t" * 5000,
        contextInfo=ContextInfo(stanzaID="Q"),
        **media_fields(),
    )
    result = translate_message(7, event(Message(imageMessage=image)))
    assert isinstance(result, InboundMessage)
    assert result.media is not None
    assert result.media.media_ref is not None

    rebuilt = decode_media_ref(result.media.media_ref)
    assert rebuilt.HasField("imageMessage")
    assert rebuilt.imageMessage.directPath == "/v/t62/abc"
    assert rebuilt.imageMessage.mediaKey == b"k" * 32
    assert rebuilt.imageMessage.fileEncSHA256 == b"e" * 32
    assert rebuilt.imageMessage.fileLength == 1234
    # Thumbnails and context are not needed to download and would bloat the stored reference.
    assert not rebuilt.imageMessage.JPEGThumbnail
    assert len(result.media.media_ref) < 400


@pytest.mark.parametrize("bad", ["", "neonize1:!!!", "neonize1:", "other:abc"])
def test_corrupt_media_refs_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="media reference"):
        decode_media_ref(bad)


def test_document_with_caption_wrapper_and_ephemeral_wrapper() -> None:
    document = DocumentMessage(mimetype="application/pdf", fileName="a.pdf", caption="cap", **media_fields())
    wrapped = Message(
        ephemeralMessage=FutureProofMessage(
            message=Message(documentWithCaptionMessage=FutureProofMessage(message=Message(documentMessage=document)))
        )
    )
    result = translate_message(7, event(wrapped))
    assert isinstance(result, InboundMessage)
    assert result.body == "cap"
    assert result.media is not None
    assert result.media.media_type is MediaType.DOCUMENT
    assert decode_media_ref(result.media.media_ref or "").documentMessage.fileName == "a.pdf"


def test_location() -> None:
    content = Message(
        locationMessage=LocationMessage(
            degreesLatitude=-23.5, degreesLongitude=-46.625, name="Office", address="Av. Paulista, 1000"
        )
    )
    result = translate_message(7, event(content))
    assert isinstance(result, InboundMessage)
    assert result.body == "geo:-23.5,-46.625\nOffice\nAv. Paulista, 1000"
    assert result.media == InboundMedia(MediaType.LOCATION, "text/plain")


def test_contact_cards() -> None:
    vcard = "BEGIN:VCARD\nVERSION:3.0\nFN:João\nTEL;waid=5511777777777:+55 11 77777-7777\nEND:VCARD"
    single = translate_message(7, event(Message(contactMessage=ContactMessage(displayName="João", vcard=vcard))))
    assert isinstance(single, InboundMessage)
    assert single.body == vcard
    assert single.media == InboundMedia(MediaType.CONTACT, "text/vcard", file_name="João")

    two = Message(
        contactsArrayMessage=ContactsArrayMessage(
            displayName="2 contacts",
            contacts=[ContactMessage(displayName="A", vcard="V1"), ContactMessage(displayName="B", vcard="V2")],
        )
    )
    several = translate_message(7, event(two))
    assert isinstance(several, InboundMessage)
    assert several.body == "V1\nV2"
    assert several.media is not None
    assert several.media.media_type is MediaType.CONTACT


def test_group_message_names_the_group_as_chat_and_the_member_as_participant() -> None:
    member = build_jid("5511777777777")
    result = translate_message(7, event(Message(conversation="hi all"), chat=GROUP, sender=member, push_name="Ana"))
    assert isinstance(result, InboundMessage)
    assert (result.chat, result.is_group) == ("120363025246125486", True)
    assert (result.participant, result.participant_name, result.push_name) == ("5511777777777", "Ana", None)


def test_message_sent_from_the_company_phone() -> None:
    result = translate_message(
        7, event(Message(conversation="sent from phone"), sender=ME, from_me=True, push_name="Company")
    )
    assert isinstance(result, InboundMessage)
    assert (result.chat, result.from_me, result.push_name) == ("5511999999999", True, None)


def test_hidden_user_ids_resolve_to_the_phone_number_alternative() -> None:
    lid = JID(User="123456789012345", Server="lid")
    result = translate_message(7, event(Message(conversation="oi"), chat=lid, sender=lid, SenderAlt=CUSTOMER))
    assert isinstance(result, InboundMessage)
    assert result.chat == "5511999999999"


def test_hidden_user_without_a_phone_number_is_dropped_not_made_a_contact() -> None:
    lid = JID(User="123456789012345", Server="lid")
    assert translate_message(7, event(Message(conversation="oi"), chat=lid, sender=lid)) is None


def test_group_member_hidden_behind_a_lid_has_no_participant_number() -> None:
    lid = JID(User="123456789012345", Server="lid")
    result = translate_message(7, event(Message(conversation="hi"), chat=GROUP, sender=lid, push_name="Ana"))
    assert isinstance(result, InboundMessage)
    assert (result.participant, result.participant_name) == (None, "Ana")


def test_edit_in_an_edited_message_wrapper() -> None:
    edit = Message(
        editedMessage=FutureProofMessage(
            message=Message(
                protocolMessage=ProtocolMessage(
                    key=MessageKey(ID="ORIG1", fromMe=False, remoteJID="5511999999999@s.whatsapp.net"),
                    type=ProtocolMessage.MESSAGE_EDIT,
                    editedMessage=Message(conversation="fixed typo"),
                )
            )
        )
    )
    assert translate_message(7, event(edit, wa_id="EDIT9")) == InboundEdit(7, "ORIG1", "fixed typo")


def test_edit_already_unwrapped_with_extended_text() -> None:
    edit = Message(
        protocolMessage=ProtocolMessage(
            key=MessageKey(ID="ORIG2"),
            type=ProtocolMessage.MESSAGE_EDIT,
            editedMessage=Message(extendedTextMessage=ExtendedTextMessage(text="new")),
        )
    )
    assert translate_message(7, event(edit)) == InboundEdit(7, "ORIG2", "new")


def test_revoke() -> None:
    revoke = Message(protocolMessage=ProtocolMessage(key=MessageKey(ID="ORIG3"), type=ProtocolMessage.REVOKE))
    assert translate_message(7, event(revoke)) == InboundRevoke(7, "ORIG3")


@pytest.mark.parametrize(
    "ev",
    [
        event(Message(conversation="status"), chat=build_jid("status", "broadcast")),
        event(Message(conversation="news"), chat=build_jid("120363", "newsletter")),
        event(Message(reactionMessage=ReactionMessage(text="👍", key=MessageKey(ID="X")))),
        event(Message(protocolMessage=ProtocolMessage(type=ProtocolMessage.HISTORY_SYNC_NOTIFICATION))),
        event(Message()),
    ],
    ids=["status-broadcast", "newsletter", "reaction", "history-sync", "empty"],
)
def test_things_an_agent_does_not_read_are_dropped(ev: MessageEv) -> None:
    assert translate_message(7, ev) is None


@pytest.mark.parametrize(
    ("kind", "ack"),
    [(Receipt.DELIVERED, MessageAck.DELIVERED), (Receipt.READ, MessageAck.READ), (Receipt.PLAYED, MessageAck.READ)],
)
def test_receipts(kind: int, ack: MessageAck) -> None:
    receipt = Receipt(
        MessageSource=MessageSource(Chat=CUSTOMER, Sender=CUSTOMER), MessageIDs=["OUT1", "OUT2"], Type=kind
    )
    assert translate_receipt(7, receipt) == InboundReceipt(7, ("OUT1", "OUT2"), ack)


@pytest.mark.parametrize("kind", [Receipt.READ_SELF, Receipt.RETRY, Receipt.SENDER, Receipt.SERVER_ERROR])
def test_other_receipts_are_ignored(kind: int) -> None:
    assert translate_receipt(7, Receipt(MessageIDs=["OUT1"], Type=kind)) is None
