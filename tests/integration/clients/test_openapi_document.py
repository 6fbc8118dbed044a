"""The served OpenAPI document: valid, grouped by tag, named for people, typed per field, with examples that fit."""

from __future__ import annotations

import re
from typing import Any

import httpx
import msgspec
import pytest
from openapi_spec_validator import validate
from served_app import ServedApp

from whaticket_api.errors import ErrorBody
from whaticket_api.openapi_examples import SCHEMA_EXAMPLES
from whaticket_api.openapi_fixes import TAGS
from whaticket_api.routes import auth, business_hours, contacts, messages, queues, quick_answers, tickets, whatsapps
from whaticket_api.routes.simulator import OutboxItemOut, ReceiptIn
from whaticket_api.wire import ContactSummaryOut, MessageOut, TagOut, TicketOut


@pytest.fixture(scope="module")
def document(served: ServedApp) -> dict[str, Any]:
    answer = httpx.get(f"{served.url}/docs/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in document["paths"].values() for op in item.values() if isinstance(op, dict)]


def test_the_document_validates(document: dict[str, Any]) -> None:
    validate(document)


def test_a_broken_document_does_not_validate(document: dict[str, Any]) -> None:
    broken = {**document, "paths": {"/x": {"get": {"responses": {"200": {"content": 5}}}}}}
    with pytest.raises(Exception, match=r"content|5"):
        validate(broken)


def test_every_operation_has_one_declared_tag_and_a_readable_unique_id(document: dict[str, Any]) -> None:
    declared = {tag["name"] for tag in document["tags"]}
    assert declared == set(TAGS)
    assert all(tag.get("description") for tag in document["tags"])
    ids = []
    for operation in _operations(document):
        assert len(operation["tags"]) == 1, operation["operationId"]
        assert operation["tags"][0] in declared, operation["operationId"]
        ids.append(operation["operationId"])
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+([A-Z][a-z]+)*", operation_id), operation_id
        assert not operation_id.lower().startswith("apiv1"), operation_id
    assert {"listTickets", "acceptTicket", "sendMessage", "getQrCode", "login"} <= set(ids)


def test_list_items_keep_their_own_type(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert schemas["ReceiptIn"]["properties"]["waMessageIds"]["items"]["type"] == "string"
    assert schemas["OutboxItemOut"]["properties"]["waMessageIds"]["items"]["type"] == "string"
    queue_ids = schemas["WhatsAppCreateIn"]["properties"]["queueIds"]
    assert queue_ids["items"] == {"type": "integer", "minimum": 1, "maximum": 2147483647}
    # The Structs agree (the document is derived from them, field by field).
    for struct in (ReceiptIn, OutboxItemOut):
        wa_ids = next(f for f in msgspec.structs.fields(struct) if f.encode_name == "waMessageIds")
        assert "str" in str(wa_ids.type)


def test_binary_bodies_are_binary(document: dict[str, Any]) -> None:
    qr = document["paths"]["/api/v1/whatsapps/{whatsapp_id}/qrcode"]["get"]["responses"]["200"]["content"]
    assert qr["image/png"]["schema"] == {"type": "string", "format": "binary"}
    assert qr["application/json"]["schema"] == {"$ref": "#/components/schemas/QrCodeOut"}
    media = document["paths"]["/api/v1/messages/{message_id}/media"]["get"]["responses"]["200"]["content"]
    assert all(c["schema"].get("format") == "binary" for c in media.values())


def test_enumerated_fields_list_their_values(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    assert set(schemas["TicketStatus"]["enum"]) == {"pending", "open", "closed"}
    assert "failed" in schemas["MessageAck"]["enum"]


STRUCTS: dict[str, Any] = {
    "TicketOut": TicketOut,
    "TicketPage": tickets.TicketPage,
    "TicketCountsOut": tickets.TicketCountsOut,
    "MessageOut": MessageOut,
    "MessagePage": messages.MessagePage,
    "ContactSummaryOut": ContactSummaryOut,
    "ContactOut": contacts.ContactOut,
    "QueueOut": queues.QueueOut,
    "QuickAnswerOut": quick_answers.QuickAnswerOut,
    "ErrorBody": ErrorBody,
    "UserOut": auth.UserOut,
    "AuthOut": auth.AuthOut,
    "WhatsAppOut": whatsapps.WhatsAppOut,
    "QrCodeOut": whatsapps.QrCodeOut,
    "LoginIn": auth.LoginIn,
    "RegisterIn": auth.RegisterIn,
    "TicketCreateIn": tickets.TicketCreateIn,
    "TransferIn": tickets.TransferIn,
    "TagOut": TagOut,
    "BusinessHoursOut": business_hours.BusinessHoursOut,
    "BusinessHoursIn": business_hours.BusinessHoursIn,
}


@pytest.mark.parametrize("name", sorted(SCHEMA_EXAMPLES))
def test_examples_are_served_and_fit_their_type(document: dict[str, Any], name: str) -> None:
    schema = document["components"]["schemas"][name]
    assert schema["examples"] == [SCHEMA_EXAMPLES[name]]
    msgspec.json.decode(msgspec.json.encode(SCHEMA_EXAMPLES[name]), type=STRUCTS[name], strict=True)
    assert set(SCHEMA_EXAMPLES[name]) <= set(schema["properties"]), name


def test_unknown_query_parameters_are_named_and_the_cache_buster_passes(served: ServedApp) -> None:
    refused = httpx.get(f"{served.api}/health?_=1732891234&queue_id=2&Foo=1")
    assert refused.status_code == 400
    assert refused.json()["details"]["fields"] == ["Foo", "queue_id"]
    assert httpx.get(f"{served.api}/health?_=1732891234").status_code == 200


def test_development_allows_local_origins_by_default(served: ServedApp) -> None:
    preflight = {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "authorization"}
    local = httpx.options(f"{served.api}/tickets", headers={"Origin": "http://localhost:5173", **preflight})
    assert local.headers.get("access-control-allow-origin") == "http://localhost:5173"
    loopback = httpx.options(f"{served.api}/tickets", headers={"Origin": "http://127.0.0.1:8080", **preflight})
    assert loopback.headers.get("access-control-allow-origin") == "http://127.0.0.1:8080"
    foreign = httpx.options(f"{served.api}/tickets", headers={"Origin": "http://evil.example", **preflight})
    assert "access-control-allow-origin" not in foreign.headers
    assert "CORS: browsers on http://localhost:*" in served.log.read_text()


def test_the_asyncapi_document_is_served(served: ServedApp) -> None:
    answer = httpx.get(f"{served.url}/docs/asyncapi.json")
    assert answer.status_code == 200
    document = answer.json()
    assert document["asyncapi"] == "3.0.0"
    assert {m["name"] for m in document["components"]["messages"].values()} >= {"ticket:created", "message:created"}
