"""Completing a LID-only sender with the number whatsmeow's LID store knows for it.

whatsmeow learns LID/number mappings from message alternatives, history syncs and contact lookups, and keeps them in
its session store; ``client.get_pn_from_lid`` reads them. A LID-only message or call whose number is known there goes
to the core with both, so the core can merge the person's contacts; an unknown one stays LID-only.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, TypeVar

from neonize.proto.Neonize_pb2 import JID

from whaticket_adapters.whatsapp.neonize.translation import LID_SERVER, USER_SERVER
from whaticket_core.use_cases.inbound.inbound_commands import InboundCall, InboundMessage

log = logging.getLogger(__name__)
C = TypeVar("C", InboundMessage, InboundCall)


async def with_known_number(client: Any, command: C) -> C:
    """``command`` with the sender's number filled in when it had only a LID and the store knows the number."""
    chat = command.chat if isinstance(command, InboundMessage) else command.caller
    if chat or command.lid is None or getattr(command, "is_group", False):
        return command
    try:
        found = await client.get_pn_from_lid(JID(User=command.lid, Server=LID_SERVER))
    except Exception as error:  # no mapping known yet: the customer stays known by LID
        log.debug("no number for LID %s: %s", command.lid, error)
        return command
    number = str(getattr(found, "User", "") or "")
    if not number or getattr(found, "Server", USER_SERVER) != USER_SERVER:
        return command
    if isinstance(command, InboundMessage):
        return replace(command, chat=number)
    return replace(command, caller=number)
