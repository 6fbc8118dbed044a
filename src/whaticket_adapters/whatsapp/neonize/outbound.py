"""Building what the transport sends: WhatsApp protobuf messages, replies that quote, and the recent messages a reply
or a group read receipt needs."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from neonize.proto.Neonize_pb2 import JID
from neonize.proto.waCommon.WACommon_pb2 import MessageKey
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import (
    AudioMessage,
    ContactMessage,
    ContextInfo,
    DocumentMessage,
    ExtendedTextMessage,
    ImageMessage,
    Message,
    ProtocolMessage,
    StickerMessage,
    VideoMessage,
)
from neonize.utils.enum import MediaType as NeonizeMediaType

from whaticket_core.domain.message import MediaFile, MediaType

from .jids import jid_string

RECENT_MESSAGES = 5000

UPLOAD_TYPE = {
    MediaType.IMAGE: NeonizeMediaType.MediaImage,
    MediaType.STICKER: NeonizeMediaType.MediaImage,
    MediaType.VIDEO: NeonizeMediaType.MediaVideo,
    MediaType.AUDIO: NeonizeMediaType.MediaAudio,
    MediaType.VOICE: NeonizeMediaType.MediaAudio,
    MediaType.DOCUMENT: NeonizeMediaType.MediaDocument,
}

_MEDIA_FIELD = {
    MediaType.IMAGE: "imageMessage",
    MediaType.STICKER: "stickerMessage",
    MediaType.VIDEO: "videoMessage",
    MediaType.AUDIO: "audioMessage",
    MediaType.VOICE: "audioMessage",
    MediaType.DOCUMENT: "documentMessage",
}


@dataclass(frozen=True, slots=True)
class _Recent:
    sender: JID
    message: Message


class RecentMessages:
    """The last messages seen or sent by this process (bounded): who sent each, and its content to quote."""

    def __init__(self, limit: int = RECENT_MESSAGES) -> None:
        self._limit = limit
        self._items: OrderedDict[tuple[int, str], _Recent] = OrderedDict()

    def remember(self, whatsapp_id: int, wa_id: str, sender: JID, message: Message) -> None:
        self._items[(whatsapp_id, wa_id)] = _Recent(sender, message)
        self._items.move_to_end((whatsapp_id, wa_id))
        while len(self._items) > self._limit:
            self._items.popitem(last=False)

    def sender(self, whatsapp_id: int, wa_id: str) -> JID | None:
        recent = self._items.get((whatsapp_id, wa_id))
        return None if recent is None else recent.sender

    def quote(self, whatsapp_id: int, chat: JID, wa_message_id: str) -> ContextInfo:
        """The context that makes a message a reply to ``wa_message_id``."""
        recent = self._items.get((whatsapp_id, wa_message_id))
        if recent is None:
            # Not seen by this process: the id alone still threads the reply on the phone.
            return ContextInfo(stanzaID=wa_message_id, participant=jid_string(chat))
        quoted = Message()
        quoted.CopyFrom(recent.message)
        return ContextInfo(stanzaID=wa_message_id, participant=jid_string(recent.sender), quotedMessage=quoted)


def text_message(body: str, context: ContextInfo | None) -> Message:
    if context is None:
        return Message(conversation=body)
    return Message(extendedTextMessage=ExtendedTextMessage(text=body, contextInfo=context))


def contact_message(media: MediaFile, context: ContextInfo | None) -> Message:
    card = ContactMessage(displayName=media.file_name or "", vcard=media.data.decode("utf-8", "replace"))
    if context is not None:
        card.contextInfo.CopyFrom(context)
    return Message(contactMessage=card)


def media_message(media: MediaFile, upload: Any, caption: str, context: ContextInfo | None) -> Message:
    """The message carrying media already uploaded (``upload`` is neonize's UploadResponse)."""
    common: dict[str, Any] = {
        "URL": upload.url,
        "directPath": upload.DirectPath,
        "mediaKey": upload.MediaKey,
        "fileEncSHA256": upload.FileEncSHA256,
        "fileSHA256": upload.FileSHA256,
        "fileLength": upload.FileLength,
        "mimetype": media.mime_type,
    }
    kind = media.media_type
    if kind is MediaType.IMAGE:
        message = Message(imageMessage=ImageMessage(caption=caption, **common))
    elif kind is MediaType.VIDEO:
        message = Message(videoMessage=VideoMessage(caption=caption, **common))
    elif kind in (MediaType.AUDIO, MediaType.VOICE):
        message = Message(audioMessage=AudioMessage(PTT=kind is MediaType.VOICE, **common))
    elif kind is MediaType.STICKER:
        message = Message(stickerMessage=StickerMessage(**common))
    else:
        name = media.file_name or "file"
        message = Message(documentMessage=DocumentMessage(fileName=name, title=name, caption=caption, **common))
    if context is not None:
        getattr(message, _MEDIA_FIELD[kind]).contextInfo.CopyFrom(context)
    return message


def revoke_message(chat: JID, wa_message_id: str) -> Message:
    # Only our own messages are deleted from here, so the key is fromMe (neonize's helper asks the server).
    key = MessageKey(fromMe=True, ID=wa_message_id, remoteJID=jid_string(chat))
    return Message(protocolMessage=ProtocolMessage(type=ProtocolMessage.REVOKE, key=key))
