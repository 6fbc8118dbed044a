"""The realtime contract as an AsyncAPI 3 document, generated from the payload types of :mod:`.payloads`.

Served at ``/docs/asyncapi.json``. Socket.IO has no AsyncAPI binding: the document describes one channel (the
default namespace ``/``) whose messages are the Socket.IO events, each message's ``name`` being the event name. The
operations are written from the server's side: ``send`` is an event the server emits, ``receive`` one it accepts
(with its acknowledgement as the ``reply``).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from .payloads import CLIENT_EVENTS, SERVER_EVENTS, EventSpec

SCHEMA_REF = "#/components/schemas/{name}"
CHANNEL = "socketio"

DESCRIPTION = """\
Socket.IO 4 on the HTTP API's port, path `/socket.io/`, default namespace. Connect with the access token in the
handshake's auth payload: `io(url, {auth: {token: accessToken}})`. A missing or invalid token is refused with a
`connect_error` whose message is `unauthorized` (`unavailable` when the server cannot check it; retry).

On connect the socket joins its user's room; admins and supervisors the staff room (every ticket event), agents
the rooms of their queues and of pending tickets without a queue. Each event reaches a socket once, and never a
socket whose user may not see the ticket, except the one update that moves a ticket out of a room.
"""


def _message_key(name: str) -> str:
    """``ticket:created`` → ``ticketCreated`` (component keys must match ``^[\\w.\\-]+$``)."""
    head, *rest = re.split(r"[:\-]", name)
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _ack_key(ack: type) -> str:
    """An acknowledgement that is also an event's payload (a refused join) reuses that event's message."""
    for spec in SERVER_EVENTS.values():
        if spec.payload is ack:
            return _message_key(spec.name)
    return ack.__name__[:1].lower() + ack.__name__[1:]


def _schema_of(value: Any) -> dict[str, Any]:
    return {"$ref": SCHEMA_REF.format(name=value.__name__)} if isinstance(value, type) else {}


def asyncapi_document(version: str) -> dict[str, Any]:
    specs = [*SERVER_EVENTS.values(), *CLIENT_EVENTS.values()]
    ack_types = [ack for spec in CLIENT_EVENTS.values() for ack in spec.ack]
    payload_schemas, components = msgspec.json.schema_components(
        [spec.payload for spec in specs] + ack_types, ref_template=SCHEMA_REF
    )
    payload_of = dict(zip([spec.name for spec in specs], payload_schemas, strict=False))

    messages: dict[str, Any] = {}
    channel_messages: dict[str, Any] = {}
    for spec in specs:
        key = _message_key(spec.name)
        message: dict[str, Any] = {
            "name": spec.name,
            "title": spec.name,
            "summary": spec.summary,
            "contentType": "application/json",
            "payload": payload_of[spec.name],
        }
        if spec.delivery:
            message["description"] = f"Delivered to {spec.delivery}."
        messages[key] = message
        channel_messages[key] = {"$ref": f"#/components/messages/{key}"}
    for ack in dict.fromkeys(ack_types):
        key = _ack_key(ack)
        if key not in messages:
            messages[key] = {"name": key, "title": f"{ack.__name__} (acknowledgement)", "payload": _schema_of(ack)}
            channel_messages[key] = {"$ref": f"#/components/messages/{key}"}

    operations: dict[str, Any] = {}
    for spec in SERVER_EVENTS.values():
        key = _message_key(spec.name)
        operations[f"emit{key[:1].upper()}{key[1:]}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{CHANNEL}"},
            "summary": spec.summary,
            "messages": [{"$ref": f"#/channels/{CHANNEL}/messages/{key}"}],
        }
    for spec in CLIENT_EVENTS.values():
        operations[_message_key(spec.name)] = _client_operation(spec)

    return {
        "asyncapi": "3.0.0",
        "info": {"title": "Whaticket realtime events", "version": version, "description": DESCRIPTION},
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": "localhost:3001",
                "protocol": "ws",
                "pathname": "/socket.io/",
                "description": "Socket.IO 4 (Engine.IO 4: HTTP long-polling, then an upgrade to WebSocket).",
            }
        },
        "channels": {
            CHANNEL: {
                "address": "/",
                "title": "Default namespace",
                "description": "Every event travels on the default namespace; rooms decide who receives what.",
                "messages": channel_messages,
            }
        },
        "operations": operations,
        "components": {"schemas": components, "messages": messages},
    }


def _client_operation(spec: EventSpec) -> dict[str, Any]:
    key = _message_key(spec.name)
    return {
        "action": "receive",
        "channel": {"$ref": f"#/channels/{CHANNEL}"},
        "summary": spec.summary,
        "messages": [{"$ref": f"#/channels/{CHANNEL}/messages/{key}"}],
        "reply": {
            "channel": {"$ref": f"#/channels/{CHANNEL}"},
            "messages": [{"$ref": f"#/channels/{CHANNEL}/messages/{_ack_key(a)}"} for a in spec.ack],
        },
    }
