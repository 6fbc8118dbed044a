"""What the simulated network does beyond delivering messages: readable content arriving for a placeholder,
reactions, LID/number mappings (remembered, like whatsmeow's LID store), calls and history backfill. Mixed into
:class:`~whaticket_adapters.whatsapp.simulator.transport.SimulatorTransport`."""

from __future__ import annotations

import json
import secrets

from whaticket_adapters.whatsapp.handlers import TransportHandlers
from whaticket_adapters.whatsapp.simulator.state import SimulatorState, StoredMedia
from whaticket_core.domain.errors import InvalidInput
from whaticket_core.use_cases.inbound.inbound_commands import (
    InboundCall,
    InboundIdentity,
    InboundMessage,
    InboundReaction,
)

# Facts the simulated network remembers, kept beside the media blobs of the state (both stores have them).
PLACEHOLDER_REF = "sim-placeholder:{}:{}"
LID_REF = "sim-lid:{}:{}"
FACT_MIME = "application/x-simulator-fact"


class SimulatedNetworkEvents:
    """Needs the transport's ``state``, ``_handlers``, ``_require_connected`` and ``_new_wa_id``."""

    state: SimulatorState
    _handlers: TransportHandlers

    async def _require_connected(self, whatsapp_id: int, *, domain_error: bool = False) -> None:
        raise NotImplementedError

    async def _new_wa_id(self, prefix: str) -> str:
        raise NotImplementedError

    async def decrypt(self, whatsapp_id: int, wa_message_id: str, body: str) -> InboundMessage:
        """WhatsApp delivers the readable content of an undecryptable message (same id)."""
        await self._require_connected(whatsapp_id, domain_error=True)
        stored = await self.state.get_media(PLACEHOLDER_REF.format(whatsapp_id, wa_message_id))
        if stored is None:
            raise InvalidInput(f"no undecryptable message {wa_message_id!r} on connection {whatsapp_id}", "waMessageId")
        fact = json.loads(stored.data)
        command = InboundMessage(
            whatsapp_id=whatsapp_id,
            wa_message_id=wa_message_id,
            chat=fact["chat"],
            body=body,
            is_group=bool(fact["group"]),
            lid=fact["lid"],
        )
        await self._handlers.on_inbound(command)
        return command

    async def react(
        self, whatsapp_id: int, wa_message_id: str, emoji: str, *, from_me: bool = False, sender: str | None = None
    ) -> InboundReaction:
        """Someone reacts to a message (an empty emoji removes their reaction). ``sender``: a group member."""
        await self._require_connected(whatsapp_id, domain_error=True)
        event_id = f"SIMREACT{secrets.token_hex(10).upper()}"  # a reaction is a message of its own on WhatsApp
        command = InboundReaction(whatsapp_id, wa_message_id, emoji, from_me=from_me, sender=sender, event_id=event_id)
        await self._handlers.on_inbound(command)
        return command

    async def lid_mapping(self, whatsapp_id: int, lid: str, number: str) -> InboundIdentity:
        """WhatsApp reveals that ``lid`` is ``number``; remembered for later LID-only messages."""
        await self._require_connected(whatsapp_id, domain_error=True)
        command = InboundIdentity(whatsapp_id, lid, number)
        await self.state.put_media(LID_REF.format(whatsapp_id, lid), StoredMedia(number.encode(), FACT_MIME))
        await self._handlers.on_inbound(command)
        return command

    async def call(self, whatsapp_id: int, *, caller: str = "", caller_lid: str | None = None) -> InboundCall:
        """A customer calls the connection's number."""
        await self._require_connected(whatsapp_id, domain_error=True)
        if not caller and not caller_lid:
            raise InvalidInput("a call needs a caller: from or fromLid", "from")
        if caller_lid and not caller:
            caller = await self._known_number(whatsapp_id, caller_lid)
        call_id = await self._new_wa_id("SIMCALL")
        command = InboundCall(whatsapp_id, call_id, caller, lid=caller_lid)
        await self._handlers.on_inbound(command)
        return command

    async def _known_number(self, whatsapp_id: int, lid: str) -> str:
        stored = await self.state.get_media(LID_REF.format(whatsapp_id, lid))
        return stored.data.decode() if stored is not None else ""
