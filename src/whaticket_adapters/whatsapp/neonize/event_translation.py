"""neonize's call, undecryptable-message and history-sync events as the core's inbound commands (pure functions).

- ``CallOffer`` → :class:`InboundCall` from the call's creator (``callCreator``, its alternative ``callCreatorAlt``);
  group calls and calls from anything but a person are dropped.
- ``UndecryptableMessage`` → an :class:`InboundMessage` placeholder (``undecryptable``, empty body) with the
  message's own id, so the readable copy WhatsApp sends later (same id) completes it. ``DECRYPT_FAIL_HIDE`` marks
  messages WhatsApp itself hides (reactions, edits that failed): dropped.
- ``HistorySync`` → the LID/number mappings it carries (:class:`InboundIdentity`, first, so the messages that follow
  land on merged contacts) and each message of each conversation, translated like a live one and marked
  ``history``. Messages older than ``since`` are skipped: a first link replays the phone's whole history, and a
  helpdesk wants what arrived while it was away, not years of chats.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from neonize.proto.Neonize_pb2 import JID, CallOffer, HistorySync, MessageInfo, MessageSource, UndecryptableMessage
from neonize.proto.Neonize_pb2 import Message as MessageEv
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import Message
from neonize.proto.waHistorySync.WAWebProtobufsHistorySync_pb2 import Conversation
from neonize.proto.waWeb.WAWebProtobufsWeb_pb2 import WebMessageInfo

from whaticket_adapters.whatsapp.neonize.translation import (
    GROUP_SERVER,
    LID_SERVER,
    USER_SERVER,
    MessageEventCommand,
    person_of,
    translate_message,
)
from whaticket_core.use_cases.inbound.inbound_commands import InboundCall, InboundIdentity, InboundMessage

HistoryCommand = MessageEventCommand | InboundIdentity
# What an undecryptable message is translated as, so it follows the live rules; its text is dropped.
_PLACEHOLDER = Message(conversation=" ")


def parse_jid(text: str) -> JID | None:
    """``user[:device]@server`` as a JID; None for anything else (an empty string included)."""
    if "@" not in text:
        return None
    user, server = text.rsplit("@", 1)
    user, _, device = user.partition(":")
    if not user or not server:
        return None
    return JID(
        User=user,
        Server=server,
        Device=int(device) if device.isdigit() else 0,
        RawAgent=0,
        Integrator=0,
        IsEmpty=False,
    )


def translate_call(whatsapp_id: int, event: CallOffer) -> InboundCall | None:
    meta = event.basicCallMeta
    creator = meta.callCreator if meta.HasField("callCreator") and meta.callCreator.User else getattr(meta, "from")
    if creator.Server not in (USER_SERVER, LID_SERVER) or not meta.callID:
        return None
    alternative = meta.callCreatorAlt if meta.HasField("callCreatorAlt") and meta.callCreatorAlt.User else None
    person = person_of(creator, alternative)
    if person is None:
        return None
    caller, lid = person
    return InboundCall(
        whatsapp_id=whatsapp_id,
        call_id=str(meta.callID),
        caller=caller,
        lid=lid,
        caller_address=f"{creator.User}@{creator.Server}",
    )


def translate_undecryptable(whatsapp_id: int, event: UndecryptableMessage) -> InboundMessage | None:
    if event.DecryptFailMode == UndecryptableMessage.DECRYPT_FAIL_HIDE:
        return None
    # A text placeholder runs through the live translation, so chat, LID, group and sender rules are the same.
    translated = translate_message(whatsapp_id, MessageEv(Info=event.Info, Message=_PLACEHOLDER))
    if not isinstance(translated, InboundMessage):
        return None
    return replace(translated, body="", undecryptable=True)


def translate_history(whatsapp_id: int, event: HistorySync, *, since: datetime | None = None) -> list[HistoryCommand]:
    data = event.Data
    commands: list[HistoryCommand] = []
    for mapping in data.phoneNumberToLidMappings:
        identity = _identity(whatsapp_id, mapping.pnJID, mapping.lidJID)
        if identity is not None:
            commands.append(identity)
    for conversation in data.conversations:
        identity = _identity(whatsapp_id, conversation.pnJID, conversation.lidJID)
        if identity is not None:
            commands.append(identity)
        for item in conversation.messages:
            sent_at = _time_of(item.message.messageTimestamp)
            if since is not None and sent_at is not None and sent_at < since:
                continue
            command = _history_message(whatsapp_id, conversation, item.message)
            if command is not None:
                commands.append(command)
    return commands


def _identity(whatsapp_id: int, pn: str, lid: str) -> InboundIdentity | None:
    pn_jid, lid_jid = parse_jid(pn), parse_jid(lid)
    if pn_jid is None or lid_jid is None or pn_jid.Server != USER_SERVER or lid_jid.Server != LID_SERVER:
        return None
    return InboundIdentity(whatsapp_id=whatsapp_id, lid=str(lid_jid.User), number=str(pn_jid.User))


def _time_of(seconds: int) -> datetime | None:
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds > 0 else None


def _history_message(whatsapp_id: int, conversation: Conversation, info: WebMessageInfo) -> MessageEventCommand | None:
    chat = parse_jid(info.key.remoteJID or conversation.ID)
    if chat is None or not info.key.ID or not info.HasField("message"):
        return None
    is_group = chat.Server == GROUP_SERVER
    participant = info.key.participant or info.participant
    sender = parse_jid(participant) if is_group and participant else chat
    source: dict[str, Any] = {"Chat": chat, "Sender": sender or chat, "IsFromMe": info.key.fromMe, "IsGroup": is_group}
    # The conversation names the chat's other form: the number of a LID chat, the LID of a number chat.
    other = parse_jid(conversation.pnJID if chat.Server == LID_SERVER else conversation.lidJID)
    if not is_group and other is not None:
        source["RecipientAlt" if info.key.fromMe else "SenderAlt"] = other
    event = MessageEv(
        Message=info.message,
        Info=MessageInfo(
            ID=info.key.ID,
            Timestamp=int(info.messageTimestamp),
            Pushname=info.pushName,
            MessageSource=MessageSource(**source),
        ),
    )
    translated = translate_message(whatsapp_id, event)
    if isinstance(translated, InboundMessage):
        return replace(translated, history=True)
    return translated
