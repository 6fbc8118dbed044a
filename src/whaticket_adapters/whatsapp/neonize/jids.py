"""Between the core's recipients and WhatsApp's JIDs."""

from __future__ import annotations

from typing import Any

from neonize.proto.Neonize_pb2 import JID

from whaticket_core.ports.transport import Recipient

from .translation import GROUP_SERVER, USER_SERVER


def jid_of(recipient: Recipient) -> JID:
    address = recipient.address
    if "@" in address:
        user, server = address.rsplit("@", 1)
    else:
        user = address if recipient.is_group else "".join(ch for ch in address if ch.isdigit())
        server = GROUP_SERVER if recipient.is_group else USER_SERVER
    return JID(User=user, Server=server, Device=0, RawAgent=0, Integrator=0, IsEmpty=False)


def jid_string(jid: JID) -> str:
    return f"{jid.User}@{jid.Server}"


def own_jid(client: Any) -> JID | None:
    """The linked phone's own JID once the client knows it (after the first connect), else None."""
    me = getattr(client, "me", None)
    jid = getattr(me, "JID", None)
    if jid is None or not jid.User:
        return None
    return JID(User=jid.User, Server=jid.Server or USER_SERVER)
