"""What a WhatsApp transport hands the core. Transports (neonize, the simulator) translate their events into these."""

from __future__ import annotations

from dataclasses import dataclass

from whaticket_core.domain.message import MediaType, MessageAck


@dataclass(frozen=True, slots=True)
class InboundMedia:
    media_type: MediaType
    mime_type: str
    # Opaque to the core: what the transport's MediaFetcher needs to download the bytes later.
    media_ref: str | None = None
    file_name: str | None = None


@dataclass(frozen=True, slots=True)
class InboundMessage:
    """A message WhatsApp delivered on connection ``whatsapp_id``.

    ``chat`` is the customer's number (any format, normalised by the core) or, with ``is_group``, the group id.
    ``from_me`` marks a message the company's phone sent directly. In groups ``participant`` is who wrote it.
    """

    whatsapp_id: int
    wa_message_id: str
    chat: str
    body: str = ""
    is_group: bool = False
    from_me: bool = False
    push_name: str | None = None
    group_name: str | None = None
    participant: str | None = None
    participant_name: str | None = None
    media: InboundMedia | None = None
    quoted_wa_message_id: str | None = None


@dataclass(frozen=True, slots=True)
class InboundEdit:
    """The sender edited message ``wa_message_id``."""

    whatsapp_id: int
    wa_message_id: str
    body: str


@dataclass(frozen=True, slots=True)
class InboundRevoke:
    """The sender deleted message ``wa_message_id`` for everyone."""

    whatsapp_id: int
    wa_message_id: str


@dataclass(frozen=True, slots=True)
class InboundReceipt:
    """WhatsApp reports ``ack`` (delivered or read) for messages this side sent."""

    whatsapp_id: int
    wa_message_ids: tuple[str, ...]
    ack: MessageAck


InboundCommand = InboundMessage | InboundEdit | InboundRevoke | InboundReceipt
"""Everything a transport may hand the core about a connection's messages."""
