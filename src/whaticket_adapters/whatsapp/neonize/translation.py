"""From neonize's event objects to the core's inbound commands: pure functions, no client, no network.

What is translated (anything else returns ``None`` and is dropped):

- messages: text (``conversation``, ``extendedTextMessage``), image, video (also video notes), audio, voice note
  (audio with PTT), document (also with caption), sticker, location (also live location), contact card(s); quoted
  replies (``contextInfo.stanzaID``); group messages; messages the company's phone sent (``IsFromMe``);
- ``protocolMessage`` edits → :class:`InboundEdit`, revokes → :class:`InboundRevoke`;
- reactions → :class:`InboundReaction` (an empty text removes one);
- receipts: delivered → ``delivered``; read and played → ``read``.

Identity: a 1:1 chat may be addressed by phone number (``@s.whatsapp.net``) or by LID (``@lid``); WhatsApp adds the
other form as ``SenderAlt`` (``RecipientAlt`` on messages the company's phone sent) when it knows it. The command
carries both (``chat`` = number, ``lid``); a LID without alternative gives an empty ``chat`` and the core keeps the
customer by LID. Group members are a number, or ``<lid>@lid`` when their number is hidden.

Dropped on purpose: status broadcasts, newsletters and broadcast lists, polls, group key distribution and other
protocol/system messages with nothing for an agent to read.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from google.protobuf.message import DecodeError
from neonize.proto.Neonize_pb2 import JID, Receipt
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message, ProtocolMessage

from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.use_cases.inbound.inbound_commands import (
    InboundEdit,
    InboundMedia,
    InboundMessage,
    InboundReaction,
    InboundReceipt,
    InboundRevoke,
)

USER_SERVER = "s.whatsapp.net"
GROUP_SERVER = "g.us"
LID_SERVER = "lid"
_CHAT_SERVERS = frozenset({USER_SERVER, GROUP_SERVER, LID_SERVER})

# Wrappers whose inner ``message`` holds the real content (disappearing, view once, captioned documents, edits...).
_WRAPPERS = (
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "viewOnceMessageV2Extension",
    "documentWithCaptionMessage",
    "editedMessage",
    "lottieStickerMessage",
    "groupMentionedMessage",
    "botInvokeMessage",
)

# Media fields: (field, media type, default mime). Audio is split into voice/audio by its PTT flag.
_MEDIA_FIELDS: tuple[tuple[str, MediaType, str], ...] = (
    ("imageMessage", MediaType.IMAGE, "image/jpeg"),
    ("videoMessage", MediaType.VIDEO, "video/mp4"),
    ("ptvMessage", MediaType.VIDEO, "video/mp4"),
    ("audioMessage", MediaType.AUDIO, "audio/ogg"),
    ("documentMessage", MediaType.DOCUMENT, "application/octet-stream"),
    ("stickerMessage", MediaType.STICKER, "image/webp"),
)

# Parts of a media message that download_any does not need; dropped to keep media_ref small.
_BULKY_FIELDS = ("JPEGThumbnail", "pngThumbnail", "contextInfo", "firstFrameSidecar", "streamingSidecar")

MEDIA_REF_PREFIX = "neonize1:"

# What one MessageEv can translate to (receipts arrive as events of their own).
MessageEventCommand = InboundMessage | InboundEdit | InboundRevoke | InboundReaction


def unwrap(message: Message) -> Message:
    """The innermost content of ``message``, through any number of wrappers."""
    for _ in range(8):  # wrappers nest at most a couple of levels; the bound guards a malformed message
        for name in _WRAPPERS:
            if message.HasField(name) and message_field(message, name).HasField("message"):
                message = message_field(message, name).message
                break
        else:
            return message
    return message


def message_field(message: Message, name: str) -> Any:
    return getattr(message, name)


def phone_of(jid: JID, alternative: JID | None = None) -> str | None:
    """The phone number of ``jid``. A hidden user (LID) has none of its own: its phone-number alternative when
    WhatsApp gave one, else None (a LID's digits would pass for a phone number and make a bogus contact)."""
    if jid.Server != LID_SERVER:
        return str(jid.User)
    if alternative is not None and alternative.User and alternative.Server == USER_SERVER:
        return str(alternative.User)
    return None


def lid_of(jid: JID, alternative: JID | None = None) -> str | None:
    """The LID digits of ``jid`` (when it is one) or of its alternative (when that is one), else None."""
    if jid.Server == LID_SERVER and jid.User:
        return str(jid.User)
    if alternative is not None and alternative.User and alternative.Server == LID_SERVER:
        return str(alternative.User)
    return None


def person_of(jid: JID, alternative: JID | None = None) -> tuple[str, str | None] | None:
    """``(number or "", lid or None)`` of a person's JID and its alternative; None when neither is known."""
    phone = phone_of(jid, alternative)
    lid = lid_of(jid, alternative)
    if not phone and lid is None:
        return None
    return phone or "", lid


def member_of(jid: JID, alternative: JID | None = None) -> str | None:
    """A group member as the core records them: their number, else ``<lid>@lid``."""
    phone = phone_of(jid, alternative)
    if phone:
        return phone
    lid = lid_of(jid, alternative)
    return f"{lid}@{LID_SERVER}" if lid else None


def _alt(source: Any, name: str) -> JID | None:
    return getattr(source, name) if source.HasField(name) and getattr(source, name).User else None


def translate_message(whatsapp_id: int, event: MessageEv) -> MessageEventCommand | None:
    """The core command for a ``MessageEv``, or ``None`` when nothing in it is for the helpdesk."""
    info = event.Info
    source = info.MessageSource
    if source.Chat.Server not in _CHAT_SERVERS:  # status broadcasts, broadcast lists, newsletters
        return None
    content = unwrap(event.Message)

    if content.HasField("protocolMessage"):
        return _translate_protocol(whatsapp_id, content.protocolMessage)

    is_group = source.IsGroup or source.Chat.Server == GROUP_SERVER
    from_me = source.IsFromMe
    if content.HasField("reactionMessage"):
        return _translate_reaction(whatsapp_id, content, source, is_group=is_group, event_id=str(info.ID))

    body, media = _body_and_media(content)
    if body is None:
        return None

    lid: str | None = None
    if is_group:
        chat = source.Chat.User
        participant = member_of(source.Sender, _alt(source, "SenderAlt"))
    else:
        person = person_of(source.Chat, _alt(source, "RecipientAlt" if from_me else "SenderAlt"))
        if person is None:
            return None
        chat, lid = person
        participant = None
    push_name = info.Pushname or None

    return InboundMessage(
        whatsapp_id=whatsapp_id,
        wa_message_id=info.ID,
        chat=chat,
        body=body,
        is_group=is_group,
        from_me=from_me,
        # The push name is the sender's own: the customer's in a chat, the member's in a group, ours when from_me.
        push_name=None if (from_me or is_group) else push_name,
        participant=participant,
        participant_name=push_name if is_group and not from_me else None,
        media=media,
        quoted_wa_message_id=_quoted_id(content),
        lid=lid,
    )


def _translate_reaction(
    whatsapp_id: int, content: Message, source: Any, *, is_group: bool, event_id: str
) -> InboundReaction | None:
    reaction = content.reactionMessage
    target = reaction.key.ID
    if not target:
        return None
    sender = member_of(source.Sender, _alt(source, "SenderAlt")) if is_group and not source.IsFromMe else None
    return InboundReaction(
        whatsapp_id=whatsapp_id,
        wa_message_id=str(target),
        emoji=str(reaction.text),
        from_me=bool(source.IsFromMe),
        sender=sender,
        event_id=event_id,
    )


def _translate_protocol(whatsapp_id: int, protocol: ProtocolMessage) -> MessageEventCommand | None:
    target = protocol.key.ID
    if not target:
        return None
    if protocol.type == ProtocolMessage.REVOKE:
        return InboundRevoke(whatsapp_id=whatsapp_id, wa_message_id=target)
    if protocol.type == ProtocolMessage.MESSAGE_EDIT and protocol.HasField("editedMessage"):
        body, _media = _body_and_media(unwrap(protocol.editedMessage))
        if body is None:
            return None
        return InboundEdit(whatsapp_id=whatsapp_id, wa_message_id=target, body=body)
    return None


def _body_and_media(content: Message) -> tuple[str | None, InboundMedia | None]:
    """The text an agent reads and the media to fetch; ``(None, None)`` for content the helpdesk does not show."""
    if content.conversation:
        return content.conversation, None
    if content.HasField("extendedTextMessage"):
        return content.extendedTextMessage.text, None
    for name, media_type, default_mime in _MEDIA_FIELDS:
        if content.HasField(name):
            part = message_field(content, name)
            if name == "audioMessage" and part.PTT:
                media_type = MediaType.VOICE
            caption = part.caption if hasattr(part, "caption") else ""
            file_name = (part.fileName or part.title or None) if name == "documentMessage" else None
            media = InboundMedia(
                media_type=media_type,
                mime_type=part.mimetype or default_mime,
                media_ref=encode_media_ref(content, name),
                file_name=file_name,
            )
            return caption, media
    if content.HasField("locationMessage") or content.HasField("liveLocationMessage"):
        return _location(content), InboundMedia(media_type=MediaType.LOCATION, mime_type="text/plain")
    if content.HasField("contactMessage"):
        card = content.contactMessage
        return card.vcard, InboundMedia(MediaType.CONTACT, "text/vcard", file_name=card.displayName or None)
    if content.HasField("contactsArrayMessage"):
        cards = content.contactsArrayMessage
        body = "\n".join(card.vcard for card in cards.contacts)
        return body, InboundMedia(MediaType.CONTACT, "text/vcard", file_name=cards.displayName or None)
    return None, None


def _location(content: Message) -> str:
    """A ``geo:`` URI (RFC 5870) an agent's client can open, then the place's name and address when given."""
    if content.HasField("locationMessage"):
        place = content.locationMessage
        lines = [f"geo:{place.degreesLatitude},{place.degreesLongitude}", place.name, place.address]
    else:
        live = content.liveLocationMessage
        lines = [f"geo:{live.degreesLatitude},{live.degreesLongitude}", live.caption]
    return "\n".join(line for line in lines if line)


def _quoted_id(content: Message) -> str | None:
    for field, value in content.ListFields():
        if field.message_type is not None and "contextInfo" in field.message_type.fields_by_name:
            context = value.contextInfo
            if value.HasField("contextInfo") and context.stanzaID:
                return str(context.stanzaID)
    return None


def translate_receipt(whatsapp_id: int, event: Receipt) -> InboundReceipt | None:
    """Delivered and read receipts for messages this side sent; ``None`` for every other kind."""
    if event.Type == Receipt.DELIVERED:
        ack = MessageAck.DELIVERED
    elif event.Type in (Receipt.READ, Receipt.PLAYED):
        ack = MessageAck.READ
    else:  # our own devices reading (READ_SELF), retries, server errors...
        return None
    ids = tuple(str(message_id) for message_id in event.MessageIDs if message_id)
    if not ids:
        return None
    return InboundReceipt(whatsapp_id=whatsapp_id, wa_message_ids=ids, ack=ack)


def encode_media_ref(content: Message, field: str) -> str:
    """What the download job needs to rebuild the media message for ``client.download_any``: the media part alone,
    serialised. Partial serialisation: neonize's messages are proto2 and may lack required fields."""
    media = Message()
    part = message_field(media, field)
    part.CopyFrom(message_field(content, field))
    for bulky in _BULKY_FIELDS:
        if bulky in part.DESCRIPTOR.fields_by_name:
            part.ClearField(bulky)
    return MEDIA_REF_PREFIX + base64.urlsafe_b64encode(media.SerializePartialToString()).decode("ascii")


def decode_media_ref(media_ref: str) -> Message:
    """The media message :func:`encode_media_ref` stored; ``ValueError`` for anything else."""
    if not media_ref.startswith(MEDIA_REF_PREFIX):
        raise ValueError("not a neonize media reference")
    try:
        raw = base64.urlsafe_b64decode(media_ref[len(MEDIA_REF_PREFIX) :].encode("ascii"))
        message = Message()
        message.MergeFromString(raw)
    except (binascii.Error, UnicodeEncodeError, DecodeError) as error:
        raise ValueError("corrupt neonize media reference") from error
    if not any(message.HasField(name) for name, _type, _mime in _MEDIA_FIELDS):
        raise ValueError("neonize media reference holds no media")
    return message
