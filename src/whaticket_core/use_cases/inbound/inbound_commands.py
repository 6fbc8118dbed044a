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
    ``lid`` is the customer's hidden-number id (LID digits) when WhatsApp gave one; a customer known only by LID has
    an empty ``chat``. Both given: WhatsApp revealed they are one person. ``from_me`` marks a message the company's
    phone sent directly. In groups ``participant`` is who wrote it (a number, or ``<lid>@lid``).
    ``undecryptable``: WhatsApp announced the message but its content could not be read yet (``body`` empty); the
    same ``wa_message_id`` arrives again with the content. ``history``: backfilled by a history sync (the routing
    bot does not answer old messages).
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
    lid: str | None = None
    undecryptable: bool = False
    history: bool = False


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


@dataclass(frozen=True, slots=True)
class InboundReaction:
    """Someone reacted to message ``wa_message_id`` with ``emoji`` (empty: they removed their reaction).
    ``sender`` tells reactors apart in groups (a number or ``<lid>@lid``); None in a 1:1 chat."""

    whatsapp_id: int
    wa_message_id: str
    emoji: str
    from_me: bool = False
    sender: str | None = None
    # The reaction's own WhatsApp message id: tells a reaction put back after its removal from a redelivery.
    event_id: str = ""


@dataclass(frozen=True, slots=True)
class InboundIdentity:
    """WhatsApp revealed that LID ``lid`` and phone number ``number`` are one person."""

    whatsapp_id: int
    lid: str
    number: str


@dataclass(frozen=True, slots=True)
class InboundCall:
    """A customer called (WhatsApp call offer ``call_id``). ``caller`` is their number (empty when only the LID is
    known), ``lid`` their LID when given. ``caller_address``: the caller exactly as WhatsApp named them in the offer
    (``user@server``), what a rejection must name; empty means their number (else LID) address."""

    whatsapp_id: int
    call_id: str
    caller: str
    lid: str | None = None
    caller_address: str = ""
    push_name: str | None = None


InboundCommand = (
    InboundMessage | InboundEdit | InboundRevoke | InboundReceipt | InboundReaction | InboundIdentity | InboundCall
)
"""Everything a transport may hand the core about a connection's messages."""
