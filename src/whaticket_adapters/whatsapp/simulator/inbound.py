"""Customers' messages as the simulated network delivers them: live, as a redelivery, undecryptable, from a LID, in
a group, or as a reconnect's history backfill. Mixed into
:class:`~whaticket_adapters.whatsapp.simulator.transport.SimulatorTransport`."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from whaticket_adapters.whatsapp.simulator.network_events import FACT_MIME, PLACEHOLDER_REF, SimulatedNetworkEvents
from whaticket_adapters.whatsapp.simulator.state import SimulatedMedia, StoredMedia
from whaticket_core.domain.errors import InvalidInput
from whaticket_core.use_cases.inbound.inbound_commands import InboundMedia, InboundMessage

MEDIA_REF_PREFIX = "sim:"


@dataclass(frozen=True, slots=True)
class SimulatedGroup:
    group_id: str
    name: str
    participant: str
    participant_name: str | None = None


class SimulatedInbound(SimulatedNetworkEvents):
    """Needs what :class:`SimulatedNetworkEvents` needs; its LID lookups name LID-only senders."""

    async def inbound(
        self,
        whatsapp_id: int,
        *,
        sender: str = "",
        sender_lid: str | None = None,
        body: str = "",
        name: str | None = None,
        wa_message_id: str | None = None,
        quoted_wa_message_id: str | None = None,
        media: SimulatedMedia | None = None,
        group: SimulatedGroup | None = None,
        from_me: bool = False,
        undecryptable: bool = False,
        history: bool = False,
    ) -> InboundMessage:
        """A message as WhatsApp delivers it (the same ``wa_message_id`` twice is a redelivery). ``sender`` is the
        customer's number, ``sender_lid`` their LID (either or both); in a group, ``group.participant`` wrote it.
        ``undecryptable``: announced without readable content, until :meth:`decrypt`. Returns the command handed
        to the core."""
        await self._require_connected(whatsapp_id, domain_error=True)
        if not body and media is None and not undecryptable:
            raise InvalidInput("a message needs a body or media", "body")
        if not sender and not sender_lid and group is None:
            raise InvalidInput("a message needs a sender: from or fromLid", "from")
        wa_id = wa_message_id or await self._new_wa_id("SIMIN")
        inbound_media = None
        if media is not None and not undecryptable:
            ref = f"{MEDIA_REF_PREFIX}{await self.state.next_id()}-{secrets.token_hex(6)}"
            await self.state.put_media(ref, StoredMedia(media.data, media.mime_type))
            inbound_media = InboundMedia(media.media_type, media.mime_type, ref, media.file_name)
        if sender_lid and not sender and group is None:
            sender = await self._known_number(whatsapp_id, sender_lid)
        command = InboundMessage(
            whatsapp_id=whatsapp_id,
            wa_message_id=wa_id,
            chat=group.group_id if group is not None else sender,
            body="" if undecryptable else body,
            is_group=group is not None,
            from_me=from_me,
            push_name=None if (group is not None or from_me) else name,
            group_name=group.name if group is not None else None,
            participant=group.participant if group is not None else None,
            participant_name=group.participant_name if group is not None else None,
            media=inbound_media,
            quoted_wa_message_id=quoted_wa_message_id,
            lid=sender_lid if group is None else None,
            undecryptable=undecryptable,
            history=history,
        )
        if undecryptable:
            fact = json.dumps({"chat": command.chat, "lid": command.lid, "group": group is not None}).encode()
            await self.state.put_media(PLACEHOLDER_REF.format(whatsapp_id, wa_id), StoredMedia(fact, FACT_MIME))
        await self._handlers.on_inbound(command)
        return command

    async def history(self, whatsapp_id: int, messages: list[dict[str, Any]]) -> int:
        """A reconnect's history sync: each message (keyword arguments of :meth:`inbound`) delivered in order as
        backfill, through the same idempotent path as live ones. Returns how many were handed over."""
        for message in messages:
            await self.inbound(whatsapp_id, **message, history=True)
        return len(messages)
