"""The AsyncAPI document covers every event the gateway can emit, with a payload schema that matches what is emitted.

Every domain event kind of the core is mapped through the publisher's routing (``deliveries_for``); each client event
it yields must be a message of the document, and its payload must validate against that message's schema with no
undocumented field. The gateway's own emits (``connected``, ``error``) and its acknowledgements are checked the same
way, and a source scan makes sure no emit names an event outside the registry.
"""

from __future__ import annotations

import ast
import copy
import typing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from whaticket_api.realtime import payloads
from whaticket_api.realtime.asyncapi import asyncapi_document
from whaticket_api.realtime.routing import deliveries_for, is_control
from whaticket_core.domain import events
from whaticket_core.domain.contact import Contact
from whaticket_core.domain.message import MediaType, MessageAck
from whaticket_core.domain.read_models import ContactSummary, MessageView, TicketView
from whaticket_core.domain.tag import TagView
from whaticket_core.domain.ticket import TicketPlacement, TicketStatus
from whaticket_core.domain.whatsapp import ConnectionStatus

NOW = datetime(2026, 11, 29, 14, 0, tzinfo=UTC)
TICKET = TicketView(
    id=31,
    status=TicketStatus.OPEN,
    contact=ContactSummary(7, "Maria", "5511988887777", None, False),
    whatsapp_id=1,
    queue_id=2,
    user_id=4,
    unread_messages=1,
    last_message="hi",
    last_message_at=NOW,
    is_group=False,
    created_at=NOW,
    updated_at=NOW,
    closed_at=None,
    tags=(TagView(3, "Urgent", "#FF8800"),),
)
MESSAGE = MessageView(
    id=512,
    ticket_id=31,
    contact_id=7,
    from_me=False,
    body="hi",
    ack=MessageAck.DELIVERED,
    media_type=MediaType.IMAGE,
    has_media=True,
    quoted_message_id=None,
    is_edited=False,
    is_deleted=False,
    error=None,
    created_at=NOW,
    participant="5511977776666",
    participant_name="Joao",
)

# One instance of every domain event kind (a new kind without a sample fails test_every_domain_event_has_a_sample).
SAMPLES: list[Any] = [
    events.TicketCreated(TICKET),
    events.TicketUpdated(TICKET),
    events.TicketUpdated(TICKET, previous=TicketPlacement(TicketStatus.PENDING, None, None)),
    events.TicketClosed(TICKET),
    events.TicketDeleted(31, TicketPlacement(TicketStatus.OPEN, 2, 4)),
    events.MessageCreated(MESSAGE, TICKET),
    events.MessageUpdated(MESSAGE, TICKET),
    events.WhatsAppQrCode(1, "2@abc,def,ghi"),
    events.WhatsAppStatusChanged(1, ConnectionStatus.CONNECTED, "5511955554444"),
    events.WhatsAppStatusChanged(1, ConnectionStatus.QRCODE, None),
    events.WhatsAppStatusChanged(1, ConnectionStatus.BANNED, "5511955554444", NOW),
    events.UserSessionsRevoked(4),
    events.UserAccessChanged(4),
    events.ContactUpdated(
        Contact(name="Maria", number="5511988887777", created_at=NOW, lid="123456789", id=7), (TICKET,)
    ),
    events.ContactMerged(9, 7, (TICKET,)),
    events.NoteMentioned(31, 513, (4, 6)),
]

DOCUMENT = asyncapi_document("test")


def _closed(schema: Any) -> Any:
    """The schema with ``additionalProperties: false`` on every object: an emitted field the document does not name
    is a mismatch too."""
    schema = copy.deepcopy(schema)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    return schema


def _message_named(name: str) -> dict[str, Any]:
    found = [m for m in DOCUMENT["components"]["messages"].values() if m["name"] == name]
    assert found, f"{name} is not in the AsyncAPI document"
    message: dict[str, Any] = found[0]
    return message


def _validate(name: str, data: Any) -> None:
    root = _closed({"components": DOCUMENT["components"], **_message_named(name)["payload"]})
    errors = sorted(Draft202012Validator(root).iter_errors(data), key=str)
    assert not errors, f"{name}: {[e.message for e in errors]}"


def test_every_domain_event_has_a_sample() -> None:
    kinds = set(typing.get_args(events.DomainEvent))
    assert {type(sample) for sample in SAMPLES} == kinds


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_every_emitted_event_is_documented_with_a_matching_payload(event: Any) -> None:
    for delivery in deliveries_for(event):
        if is_control(delivery.event):
            continue
        _validate(delivery.event, msgspec.json.decode(msgspec.json.encode(delivery.data)))


def test_the_gateways_own_events_and_acknowledgements_match() -> None:
    _validate("connected", payloads.payload("connected", payloads.ConnectedEvent(4)))
    _validate("error", payloads.payload("error", payloads.ErrorEvent("forbidden", "join:ticket", 9)))
    join = DOCUMENT["operations"]["joinTicket"]
    assert join["action"] == "receive"
    replies = [ref["$ref"].rsplit("/", 1)[1] for ref in join["reply"]["messages"]]
    assert set(replies) == {"joinAck", "error"}
    ack = msgspec.to_builtins(payloads.JoinAck(True, "join:ticket", 9))
    root = _closed({"components": DOCUMENT["components"], **DOCUMENT["components"]["messages"]["joinAck"]["payload"]})
    assert not list(Draft202012Validator(root).iter_errors(ack))


def test_a_wrong_payload_is_caught() -> None:
    """The check can fail: an undocumented field or a wrong type is reported."""
    with pytest.raises(AssertionError):
        _validate("whatsapp:qrcode", {"whatsappId": 1, "qrcode": "x", "extra": True})
    with pytest.raises(AssertionError):
        _validate("ticket:deleted", {"ticketId": "31"})
    with pytest.raises(TypeError):
        payloads.payload("ticket:deleted", payloads.QrCodeEvent(1, "x"))


def test_no_emit_in_the_realtime_package_names_an_undocumented_event() -> None:
    package = Path(payloads.__file__).parent
    emitted: set[str] = set()
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "emit"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                emitted.add(node.args[0].value)
    assert emitted, "the scan found no emit at all"
    assert emitted <= set(payloads.SERVER_EVENTS)


def test_every_registered_event_is_in_the_document_with_a_send_or_receive_operation() -> None:
    names = {m["name"] for m in DOCUMENT["components"]["messages"].values()}
    assert set(payloads.SERVER_EVENTS) | set(payloads.CLIENT_EVENTS) <= names
    actions = {op["action"] for op in DOCUMENT["operations"].values()}
    assert actions == {"send", "receive"}
    assert DOCUMENT["asyncapi"] == "3.0.0"


def test_every_reference_in_the_document_resolves() -> None:
    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return own + [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    for ref in refs(DOCUMENT):
        target: Any = DOCUMENT
        for part in ref.removeprefix("#/").split("/"):
            assert part in target, ref
            target = target[part]
