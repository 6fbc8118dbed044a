"""What the inbox stores of an inbound command: its kind, its WhatsApp identity (the key a redelivery repeats) and the
command itself as JSON, decoded back into the same command when it is processed from the store."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from whaticket_core.domain.inbox import InboxKind
from whaticket_core.domain.message import MediaType, MessageAck
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

KINDS: dict[type[InboundCommand], InboxKind] = {
    InboundMessage: InboxKind.MESSAGE,
    InboundEdit: InboxKind.EDIT,
    InboundRevoke: InboxKind.REVOKE,
    InboundReceipt: InboxKind.RECEIPT,
    InboundReaction: InboxKind.REACTION,
    InboundCall: InboxKind.CALL,
    InboundIdentity: InboxKind.IDENTITY,
}
_COMMANDS = {kind: command_type for command_type, kind in KINDS.items()}
MAX_KEY_LENGTH = 255


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:32]


def identity_of(command: InboundCommand) -> tuple[InboxKind, str]:
    """The inbox kind and key of ``command``: the same event delivered again has the same pair."""
    match command:
        case InboundMessage():
            # A placeholder and the readable content share WhatsApp's id: they are two events.
            key = command.wa_message_id + ("#placeholder" if command.undecryptable else "")
        case InboundEdit():
            key = f"{command.wa_message_id}#{_digest(command.body)}"
        case InboundRevoke():
            key = command.wa_message_id
        case InboundReceipt():
            key = f"{command.ack}#{_digest(*sorted(command.wa_message_ids))}"
        case InboundReaction():
            key = command.event_id or _digest(command.wa_message_id, command.sender, command.from_me, command.emoji)
        case InboundCall():
            key = command.call_id
        case InboundIdentity():
            key = f"{command.lid}#{command.number}"
    if len(key) > MAX_KEY_LENGTH:
        key = _digest(key)
    return KINDS[type(command)], key


def encode(command: InboundCommand) -> str:
    return json.dumps(dataclasses.asdict(command), separators=(",", ":"), sort_keys=True)


def decode(kind: InboxKind, payload: str) -> InboundCommand:
    fields: dict[str, Any] = json.loads(payload)
    command_type = _COMMANDS[kind]
    if command_type is InboundMessage and fields.get("media") is not None:
        media = fields["media"]
        fields["media"] = InboundMedia(**{**media, "media_type": MediaType(media["media_type"])})
    if command_type is InboundReceipt:
        fields["wa_message_ids"] = tuple(fields["wa_message_ids"])
        fields["ack"] = MessageAck(fields["ack"])
    return command_type(**fields)
